"""Scenarios in chunks that fit the processor's cache.

A month of the projection is some forty operations on arrays of scenarios. Over a hundred thousand scenarios
each array is 800 kB, and every operation streams its arrays through main memory; over 32,768 at a time they
stay in the cache, and the projection runs faster although it makes more calls. :func:`xlmodel.projection.project`
walks a large one-axis array of scenarios chunk by chunk, every month of one chunk before the next, writing
each chunk's lines into its columns of the one storage. Each scenario's equations are its own (no operation
mixes scenarios), so a chunk gives each of its scenarios the numbers the whole array gives.

Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["CHUNK", "bounds", "take"]

#: scenarios a month step works on at once (its forty-odd arrays of 256 kB stay in a 2-32 MB cache)
CHUNK = 32_768


def bounds(n: int, chunk: int | None = None) -> list[tuple[int, int]]:
    """``n`` scenarios in chunks of at most about ``chunk`` (default :data:`CHUNK`) as ``(first, end)``
    pairs, of equal sizes (within one); one chunk when ``n`` is below 1.5 chunks."""
    size = chunk or CHUNK
    if n < 1.5 * size:
        return [(0, n)]
    count = round(n / size)
    return [(n * i // count, n * (i + 1) // count) for i in range(count)]


def take(x: Any, a: int, b: int, n: int) -> Any:
    """Scenarios ``a`` to ``b - 1`` of checked inputs of ``n`` scenarios along one axis: every array of
    ``n`` values in ``x`` (in dicts, lists, tuples and dataclasses, at any depth) sliced, anything else as it
    is (a number, a 0-d or one-value array is the same for every scenario)."""
    if isinstance(x, np.ndarray):
        return x[a:b] if x.ndim == 1 and x.shape[0] == n else x
    if isinstance(x, dict):
        return {k: take(v, a, b, n) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(take(v, a, b, n) for v in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        changed = {f.name: take(getattr(x, f.name), a, b, n) for f in dataclasses.fields(x) if f.init}
        return dataclasses.replace(x, **changed)
    return x
