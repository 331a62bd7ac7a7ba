"""Lines kept as their changes and built into months when first read.

Payroll by department, headcount and depreciation change only in a month where a team entry starts or ends, a
raise falls or an asset is bought or written off (:class:`xlmodel.ledger.Company`). Over many scenarios,
copying the same value into every month of storage is much of what a company costs a projection; so
:func:`xlmodel.projection.project` hands these lines back as :class:`Lines` that walk the company again
(:func:`stepped_lines`, the same :class:`~xlmodel.ledger.Company`, so the same numbers) the first time one is
read, and cost nothing when none is (a caller reading the cash, say).

Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace

import numpy as np

from .company import STEPPED_ROWS, CompanyInputs
from .ledger import Company

__all__ = ["Lines", "snapshot", "stepped_lines"]


def snapshot(c: CompanyInputs) -> CompanyInputs:
    """What :func:`stepped_lines` reads of company inputs ``c`` (the team's counts and salaries, the capex
    amounts, ``on_cost`` and ``salary_growth``), copied: a caller may change its arrays after the projection,
    and the lines built later must be the projection's own."""
    own = lambda x: np.array(x, dtype=float)
    return replace(
        c,
        team=tuple(replace(e, count=own(e.count), salary=own(e.salary)) for e in c.team),
        capex=tuple(replace(x, amount=own(x.amount)) for x in c.capex),
        grants=(),
        on_cost=own(c.on_cost),
        salary_growth=own(c.salary_growth),
        numbers={},
    )


def stepped_lines(c: CompanyInputs, shape: tuple[int, ...], h: int) -> dict[str, np.ndarray]:
    """Every month of the stepped lines (``STEPPED_ROWS``) of company inputs ``c`` over scenarios of
    ``shape``, months on the last axis: a :class:`~xlmodel.ledger.Company` walked over the ``h`` months, each
    value written once in the month it changes and copied into the months it holds."""
    co = Company(c, shape)
    out = {n: np.empty((h,) + shape) for n in STEPPED_ROWS}
    start = 0
    for k in range(h):
        now = co.month(k)
        if k and k + 1 not in co.events:
            continue
        for n, rows in out.items():
            rows[start + 1 : k] = rows[start]
            rows[k] = now[n]
        start = k
    for rows in out.values():
        rows[start + 1 :] = rows[start]
    return {n: np.moveaxis(rows, 0, -1) for n, rows in out.items()}


class Lines(Mapping[str, np.ndarray]):
    """A projection's lines by name, in ``order``: those in ``stored`` as they are, the others from ``build()``
    (a dict of them), called once, the first time one of them is read."""

    def __init__(
        self, order: Sequence[str], stored: dict[str, np.ndarray], build: Callable[[], dict[str, np.ndarray]]
    ):
        self._order = tuple(order)
        self._lines = dict(stored)
        self._build: Callable[[], dict[str, np.ndarray]] | None = build

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._lines and name in self._order and self._build is not None:
            self._lines.update(self._build())
            self._build = None
        return self._lines[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __reduce__(self) -> tuple:
        """Pickled (for multiprocessing, joblib) with every line built."""
        return (Lines, (self._order, {n: self[n] for n in self._order}, dict))

    def __repr__(self) -> str:
        return f"Lines({', '.join(self._order)})"
