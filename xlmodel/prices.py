"""Model prices from the genai-prices package's bundled data (offline)."""

from __future__ import annotations

import difflib
from datetime import datetime, timezone

from .errors import InputError, UnknownModelError

__all__ = ["price", "KINDS"]

#: our kind -> genai-prices' field
KINDS = {"input": "input_mtok", "output": "output_mtok", "cached_input": "cache_read_mtok"}


def _snapshot():
    # Imported here, not at module import: keeps `import xlmodel` light and
    # never touches the network (the bundled snapshot is data in the package).
    from genai_prices import data_snapshot

    return data_snapshot.get_snapshot()


def _known_names(snapshot, provider: str | None) -> list[str]:
    names = set()
    for p in snapshot.providers:
        if provider and p.id != provider:
            continue
        for m in p.models:
            names.add(m.id)
    return sorted(names)


def price(model: str, kind: str = "input", provider: str | None = None) -> float:
    """Price in USD per 1M tokens of a model, from genai-prices' bundled data.

    Parameters
    ----------
    model : str
        Model name as vendors write it, e.g. ``"gpt-4o-mini"``.
    kind : {"input", "output", "cached_input"}, default "input"
        Which price.
    provider : str, optional
        Provider id (``"openai"``, ``"anthropic"``, ...); by default
        genai-prices picks the model's own vendor.

    Returns
    -------
    float
        USD per 1M tokens, today's price. A model with no cached-input price
        returns its input price for ``"cached_input"``.

    Raises
    ------
    UnknownModelError
        For a model the data does not know; the message suggests close names.
    InputError
        For an unknown ``kind`` or ``provider``, or a model with no flat price
        of that kind (tiered pricing).

    Examples
    --------
    >>> price("gpt-4o-mini", "output")
    0.6
    """
    if not isinstance(model, str) or not model.strip():
        raise InputError("model", f"model must be a model name (text), got {model!r}")
    if kind not in KINDS:
        raise InputError("kind", f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    snap = _snapshot()
    if provider is not None and not any(p.id == provider for p in snap.providers):
        ids = sorted(p.id for p in snap.providers)
        close = difflib.get_close_matches(str(provider), ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError("provider", f"provider must be a known provider id, got {provider!r}{hint}")
    try:
        _, info = snap.find_provider_model(model.strip(), None, provider, None)
    except LookupError:
        names = _known_names(snap, provider)
        raise UnknownModelError(model, difflib.get_close_matches(model.strip().lower(), names, n=3, cutoff=0.6),
                                provider) from None
    prices = info.get_prices(datetime.now(tz=timezone.utc))
    value = getattr(prices, KINDS[kind], None)
    if value is None and kind == "cached_input":
        value = getattr(prices, "input_mtok", None)
    if value is None:
        return 0.0 if kind == "cached_input" else _missing(model, kind)
    try:
        return float(value)
    except TypeError:
        raise InputError("model", f"model {model!r} has tiered {kind} prices, which LLM_PRICE cannot reduce to one number") from None


def _missing(model, kind):
    raise InputError("kind", f"model {model!r} has no {kind} price in the bundled data")
