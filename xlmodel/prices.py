"""Model prices from the genai-prices package's bundled data (offline)."""

from __future__ import annotations

import difflib
import functools
import math
from datetime import UTC, datetime, timedelta

from .errors import InputError, UnknownModelError

__all__ = ["price", "mix_price", "price_data_date", "price_basis", "standard_prices", "parse_at", "KINDS"]

#: our kind -> genai-prices' field
KINDS = {"input": "input_mtok", "output": "output_mtok", "cached_input": "cache_read_mtok"}


#: what to install for live prices (the core package has none: it must also run in xlwings Lite); the checkout
#: form first, since xlmodel is not on PyPI yet
INSTALL = 'pip install ".[prices]" from the xlmodel folder (once on PyPI: pip install "xlmodel[prices]")'


@functools.lru_cache(maxsize=1)
def _snapshot():
    """The price data: genai-prices' bundled snapshot, or the one frozen into a Lite bundle.

    Imported on first use, not at module import: keeps ``import xlmodel`` light
    and never touches the network (genai-prices' data is a module of the
    package). In the xlwings Lite bundle (``xlmodel lite``) genai-prices cannot
    run (it imports httpx), and ``xlmodel._price_snapshot`` holds the prices
    genai-prices gave when the bundle was generated.
    """
    try:
        from . import _price_snapshot  # only present in an `xlmodel lite` bundle
    except ImportError:
        pass
    else:
        return _price_snapshot.snapshot()
    try:
        from genai_prices import data_snapshot
    except ImportError:
        raise InputError(
            "model",
            f"model prices need the genai-prices package, which is not installed: {INSTALL} "
            "(or type the price per 1M tokens)",
        ) from None
    return data_snapshot.get_snapshot()


def price_data_date(when: datetime | None = None) -> str:
    """Where the prices come from: the genai-prices version and the date they are in force (default today).

    genai-prices bundles each model's price history; :func:`price` reads the
    standard prices in force today (the price of a moment with ``at``), so a
    price is identified by both, e.g.
    ``genai-prices 0.2.3, prices of 2026-11-29``.
    """
    from importlib.metadata import PackageNotFoundError, version

    snap = _snapshot()
    if hasattr(snap, "source"):  # a Lite bundle's frozen snapshot says where and when it came from
        return snap.source
    try:
        v = version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - vendored or renamed
        v = "(version unknown)"
    return f"genai-prices {v}, prices of {(when or datetime.now(tz=UTC)).date().isoformat()}"


def _check_fx(fx) -> float:
    if isinstance(fx, bool) or not isinstance(fx, (int, float)) or not (fx > 0 and fx < float("inf")):
        raise InputError("fx", f"fx must be above 0 (model currency per 1 USD), got {fx!r}")
    return float(fx)


@functools.lru_cache(maxsize=64)
def _known_names_cached(provider: str | None) -> tuple[str, ...]:
    return tuple(_known_names(_snapshot(), provider))


@functools.lru_cache(maxsize=64)
def _trigram_index(provider: str | None) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for name in _known_names_cached(provider):
        for i in range(len(name) - 2):
            index.setdefault(name[i : i + 3], set()).add(name)
    return index


@functools.lru_cache(maxsize=4096)
def _suggest(model: str, provider: str | None) -> tuple[str, ...]:
    """Close known names for an unknown model, computed once per name.

    difflib only compares the names that share a three-letter run with the
    query (every name for a query under 5 letters): a name that shares none
    is far below the 0.6 similarity cut-off, and a column of 10,000 unknown
    names takes seconds, not minutes.
    """
    q = model.lower()
    names: tuple[str, ...] | list[str] = _known_names_cached(provider)
    if len(q) >= 5:
        index = _trigram_index(provider)
        pool = set()
        for i in range(len(q) - 2):
            pool |= index.get(q[i : i + 3], set())
        names = sorted(pool)
    return tuple(difflib.get_close_matches(q, names, n=3, cutoff=0.6))


def _known_names(snapshot, provider: str | None) -> list[str]:
    names = set()
    for p in snapshot.providers:
        if provider and p.id != provider:
            continue
        for m in p.models:
            names.add(m.id)
    return sorted(names)


def parse_at(value) -> datetime | None:
    """A time a price is asked for: a :class:`datetime` or ISO text (``2025-01-01T18:00``; no zone: UTC), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(
                "at", f"at must be an ISO date and time, e.g. 2025-01-01T18:00 (UTC), got {value!r:.40}"
            ) from None
    if not isinstance(value, datetime):
        raise InputError("at", f"at must be a date and time (ISO text or a datetime), got {value!r:.40}")
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:  # a moment a calendar can hold whatever the zone (genai-prices works on it as a UTC date)
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not 1900 <= utc.year <= 9998:
        raise InputError("at", f"at must lie between the years 1900 and 9998 (UTC), got {value.isoformat()}")
    return value


def _time_of_day(constraint) -> bool:
    return type(constraint).__name__ == "TimeOfDateConstraint"


def _active(conditional: list, when: datetime):
    """The conditional price in force at ``when``: the last whose constraint holds (genai-prices' rule)."""
    for c in reversed(conditional):
        if c.constraint is None or c.constraint.active(when):
            return c
    return conditional[0]


def _minute(t, day) -> int:
    """A time of day (no zone: UTC) as minutes after midnight UTC."""
    t = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    u = datetime.combine(day, t).astimezone(UTC)
    return u.hour * 60 + u.minute


def _standard(conditional: list, now: datetime):
    """The conditional price in force for the most of today (UTC): a time-of-day window (DeepSeek's 16 hours at
    the standard price, 8 at the off-peak discount) decides by its length, never by the hour it is now."""
    day = now.date()
    cuts = {0}
    for c in conditional:
        if c.constraint is not None and _time_of_day(c.constraint):
            cuts |= {_minute(c.constraint.start_time, day), _minute(c.constraint.end_time, day)}
    cuts_sorted = sorted(cuts)
    minutes: dict[int, int] = {}
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for a, b in zip(cuts_sorted, cuts_sorted[1:] + [24 * 60]):
        c = _active(conditional, midnight + timedelta(minutes=a))
        minutes[id(c)] = minutes.get(id(c), 0) + b - a
    return max(conditional, key=lambda c: minutes.get(id(c), 0))


def _choose(info, at: datetime | None):
    """``(prices, basis)``: a model's prices and which they are.

    Without ``at``: the standard price, the one in force for the most of
    today, whatever the hour (never a time-of-day discount such as DeepSeek's
    off-peak price). With ``at``: the price in force at that moment, as
    genai-prices gives it, time-of-day prices included, and said so.
    """
    conditional = getattr(info, "prices", None)
    if not isinstance(conditional, list):  # one price (or a frozen bundle's standard price)
        return info.get_prices(at or datetime.now(tz=UTC)), "standard price"
    standard = _standard(conditional, at or datetime.now(tz=UTC))
    if at is None:
        return standard.prices, "standard price"
    chosen = _active(conditional, at)
    if chosen is standard:
        return chosen.prices, f"standard price at {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return (
        chosen.prices,
        f"time-of-day price at {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, not the standard price",
    )


def standard_prices(info, when: datetime | None = None):
    """A model's standard prices on the day of ``when`` (default today), never a time-of-day discount: what
    :func:`price` gives without ``at``, and what the Lite bundle freezes."""
    when = when or datetime.now(tz=UTC)
    conditional = getattr(info, "prices", None)
    if not isinstance(conditional, list):
        return info.get_prices(when)
    return _standard(conditional, when).prices


def price_basis(model: str, provider: str | None = None, at=None) -> str:
    """Which price :func:`price` gives: ``"standard price"``, or with ``at`` a time-of-day price's window.

    >>> price_basis("gpt-4o-mini")
    'standard price'
    """
    return _choose(_find(model, provider)[1], parse_at(at))[1]


def price(model: str, kind: str = "input", provider: str | None = None, fx: float = 1.0, at=None) -> float:
    """Price per 1M tokens of a model, from genai-prices' bundled data (USD, times ``fx``).

    Parameters
    ----------
    model : str
        Model name as vendors write it, e.g. ``"gpt-4o-mini"``.
    kind : {"input", "output", "cached_input"}, default "input"
        Which price.
    provider : str, optional
        Provider id (``"openai"``, ``"anthropic"``, ...); by default
        genai-prices picks the model's own vendor.
    fx : float, default 1
        Model currency per 1 USD (7.2 for a model in RMB at 7.2 RMB per USD).
    at : datetime or str, optional
        The moment whose price is asked for (ISO text, no zone: UTC), which
        may be a time-of-day price (DeepSeek's off-peak discount). Default:
        the standard price in force today, whatever the hour.

    Returns
    -------
    float
        ``fx * USD price`` per 1M tokens. A model with no
        cached-input price returns its input price for ``"cached_input"``.

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
    >>> round(price("gpt-4o-mini", "output", fx=7.2), 10)
    4.32
    """
    fx = _check_fx(fx)
    usd = _usd(model, kind, provider, parse_at(at))
    return _finite_price(fx * usd, f"the price of {model.strip()} ({kind}, {usd:g} USD per 1M tokens)", fx)


def _find(model: str, provider: str | None):
    """``(provider, model info)`` for a name: genai-prices' choice, or the one provider that lists the name."""
    if not isinstance(model, str) or not model.strip():
        raise InputError("model", f"model must be a model name (text), got {model!r}")
    snap = _snapshot()
    if provider is not None and not any(p.id == provider for p in snap.providers):
        ids = sorted(p.id for p in snap.providers)
        close = difflib.get_close_matches(str(provider), ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError("provider", f"provider must be a known provider id, got {provider!r}{hint}")
    try:
        return snap.find_provider_model(model.strip(), None, provider, None)
    except LookupError:
        pass
    if (
        provider is None
    ):  # a name no vendor claims (qwen-max, only on openrouter): the one provider listing it
        q = model.strip().lower()
        listing = sorted({p.id for p in snap.providers for m in p.models if m.id.lower() == q})
        if len(listing) == 1:
            try:
                return snap.find_provider_model(model.strip(), None, listing[0], None)
            except LookupError:
                pass
        elif listing:
            raise InputError(
                "provider",
                f"model {model.strip()!r} is listed by several providers ({', '.join(listing)}): "
                "give the provider",
            )
    raise UnknownModelError(model, list(_suggest(model.strip(), provider)), provider)


def _usd(model: str, kind: str, provider: str | None, at: datetime | None = None) -> float:
    if kind not in KINDS:
        raise InputError("kind", f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    _, info = _find(model, provider)
    prices, _ = _choose(info, at)
    value = getattr(prices, KINDS[kind], None)
    if value is None and kind == "cached_input":
        value = getattr(prices, "input_mtok", None)
    if value is None:
        return 0.0 if kind == "cached_input" else _missing(model, kind)
    try:
        return float(value)
    except TypeError:
        raise InputError(
            "model", f"model {model!r} has tiered {kind} prices, which LLM_PRICE cannot reduce to one number"
        ) from None


def _missing(model, kind):
    raise InputError("kind", f"model {model!r} has no {kind} price in the bundled data")


def mix_price(
    models, shares, kind: str = "input", fx: float = 1.0, provider: str | None = None, at=None
) -> float:
    """Price per 1M tokens of a routing mix of models: ``fx * sum(s_i * p_i)``.

    Parameters
    ----------
    models : sequence of str
        Model names, e.g. ``["gpt-4o-mini", "gpt-4o"]``.
    shares : sequence of float
        Share of traffic routed to each model: each >= 0, summing to 1 (within 1e-9).
    kind : {"input", "output", "cached_input"}, default "input"
    fx : float, default 1
        Model currency per 1 USD.
    provider : str, optional
        Provider id for every model (default: each model's own vendor).
    at : datetime or str, optional
        As :func:`price`: the prices in force at that moment (default: the standard prices).

    Returns
    -------
    float
        Model currency per 1M tokens.

    Examples
    --------
    80% of traffic on GPT-4o-mini (0.15 in), 20% on GPT-4o (2.50 in):

    >>> round(mix_price(["gpt-4o-mini", "gpt-4o"], [0.8, 0.2]), 10)
    0.62
    """
    models, shares = check_mix(models, shares)
    fx = _check_fx(fx)
    return _finite_price(
        blend(shares, [_usd(m, kind, provider, parse_at(at)) for m in models], fx),
        f"the {kind} price of the mix {', '.join(models)}",
        fx,
    )


def _finite_price(value: float, what: str, fx: float) -> float:
    """``value``, or an :class:`InputError` naming the inputs when it overflowed (an fx of 1e308): never inf."""
    if not math.isfinite(value):
        raise InputError(
            "fx",
            f"{what} overflows floating point for fx {fx:.6g}: inputs this extreme are beyond "
            "what the model can compute",
        )
    return value


def blend(shares, usd_prices, fx: float = 1.0) -> float:
    """``fx * sum(s_i * p_i)``: the blended price of a mix (Excel: ``=fx*SUMPRODUCT(shares, prices)``)."""
    return fx * sum(s * p for s, p in zip(shares, usd_prices))


def check_mix(models, shares) -> tuple[list[str], list[float]]:
    """Models and shares of a mix, validated: text names, shares >= 0 summing to 1 within 1e-9."""
    models, shares = list(models), list(shares)
    if not models:
        raise InputError("models", "models must name at least one model")
    if len(models) != len(shares):
        raise InputError(
            "shares", f"shares must give one share per model ({len(models)} models, {len(shares)} shares)"
        )
    seen = set()
    for m in models:
        if not isinstance(m, str) or not m.strip():
            raise InputError("models", f"models must be model names (text), got {m!r}")
        if m.strip().lower() in seen:
            raise InputError("models", f"models must not repeat a model, got {m!r} twice")
        seen.add(m.strip().lower())
    out = []
    for m, s in zip(models, shares):
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not (0 <= s <= 1):
            raise InputError(
                "shares", f"shares must be between 0 and 1 (fraction of traffic), got {s!r} for {m}"
            )
        out.append(float(s))
    total = sum(out)
    if abs(total - 1) > 1e-9:
        raise InputError("shares", f"shares must sum to 1 (within 1e-9), got {total:.10g}")
    return [m.strip() for m in models], out
