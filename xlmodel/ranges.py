"""Uncertain inputs: ranges, their parsing and rules, and rank correlations between them.

Any numeric input of a scenario may be a range instead of a number
(docs/model.md, "Uncertainty")::

    churn = { low = 0.35, mode = 0.45, high = 0.60 }                  # PERT (the default with a mode)
    conversion = { dist = "triangular", low = 0.005, mode = 0.01, high = 0.03 }
    cost_decline = { low = 0.0, high = 0.10 }                          # uniform (no mode)

Both the assumptions file (:mod:`xlmodel.assumptions`) and the simulation
(:mod:`xlmodel.simulate`) stand on this module; it knows neither. Pure Python
and numpy, nothing runs at import time.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, SupportsInt

import numpy as np

from .errors import InputError
from .params import ALL_PARAMS, PARAMS, RULES, check

__all__ = [
    "Range",
    "parse_range",
    "base_inputs",
    "is_range",
    "check_correlations",
    "pearson",
    "pair",
    "DISTS",
    "MAX_DRAWS",
]

DISTS = ("uniform", "triangular", "pert")
#: the most draws a simulation takes (the CLI, the files and the Excel function all refuse more)
MAX_DRAWS = 10_000_000


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def _digits(n: SupportsInt) -> int:
    """How many decimal digits a (huge) integer has, without printing it (Python refuses past 4,300 digits)."""
    n = abs(int(n))
    d = max(1, int(n.bit_length() * math.log10(2)) + 1)  # exact, or one too many
    return d - 1 if d > 1 and n < 10 ** (d - 1) else d


@dataclass(frozen=True)
class Range:
    """An uncertain input: ``dist`` in uniform, triangular, pert; ``mode`` None for uniform."""

    low: float
    high: float
    mode: float | None = None
    dist: str = "uniform"

    @property
    def base(self) -> float:
        """The value the deterministic surfaces use: the mode, or the midpoint of a uniform range."""
        if self.mode is not None:
            return self.mode
        mid = (self.low + self.high) / 2
        return mid if math.isfinite(mid) else self.low / 2 + self.high / 2  # bounds near 1.8e308: no overflow

    @property
    def _peak(self) -> float:
        """The mode of a triangular or PERT range, which has one (:func:`parse_range` sees to it)."""
        assert self.mode is not None, f"a {self.dist} range needs a mode"
        return self.mode

    @property
    def mean(self) -> float:
        lo, hi = self.low, self.high
        if self.dist == "uniform":
            return self.base
        m = self._peak
        if self.dist == "triangular":
            mean = (lo + m + hi) / 3
            return mean if math.isfinite(mean) else lo / 3 + m / 3 + hi / 3
        mean = (lo + 4 * m + hi) / 6
        return mean if math.isfinite(mean) else lo / 6 + m / 6 * 4 + hi / 6

    @property
    def _wide(self) -> bool:
        """A width whose square (numpy's triangular forms it) or whose value overflows or underflows: such a
        range is drawn in units of its width (:meth:`draw`)."""
        w = self.high - self.low
        return not (math.isfinite(w) and 1e-150 < w < 1e150)

    def _shape(self) -> float:
        """Where the mode sits, as a fraction of the width: ``(mode - low) / (high - low)``, without overflow."""
        return min(1.0, max(0.0, (self._peak / 2 - self.low / 2) / (self.high / 2 - self.low / 2)))

    def beta_parameters(self) -> tuple[float, float]:
        """PERT as ``low + (high-low) * Beta(a, b)``."""
        if self._wide:
            c = self._shape()
            return 1 + 4 * c, 1 + 4 * (1 - c)
        w = self.high - self.low
        return 1 + 4 * (self._peak - self.low) / w, 1 + 4 * (self.high - self._peak) / w

    def _scale(self, u: np.ndarray) -> np.ndarray:
        """``low + (high - low) * u`` for ``u`` in [0, 1], in halves so that a width beyond floating point
        (``low = -1e308, high = 1e308``) does not overflow (halving is exact)."""
        half = self.high / 2 - self.low / 2
        return 2 * (self.low / 2 + half * u)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws. A range of ordinary size is drawn with numpy's own distribution (the same numbers
        as always for a seed); a range whose width overflows or underflows is drawn on [0, 1] and scaled
        (:meth:`_scale`), so that its draws are as right as an ordinary range's."""
        if self._wide:
            if self.dist == "uniform":
                y = rng.random(n)
            elif self.dist == "triangular":
                y = rng.triangular(0.0, self._shape(), 1.0, n)
            else:
                y = rng.beta(*self.beta_parameters(), n)
            x = self._scale(y)
        elif self.dist == "uniform":
            x = rng.uniform(self.low, self.high, n)
        elif self.dist == "triangular":
            x = rng.triangular(self.low, self._peak, self.high, n)
        else:
            a, b = self.beta_parameters()
            x = self.low + (self.high - self.low) * rng.beta(a, b, n)
        # low + (high-low)*u can round one unit past a bound; the bounds passed the input's rule
        return np.clip(x, self.low, self.high, out=x)

    def describe(self) -> str:
        mid = "" if self.mode is None else f" mode {_fmt(self.mode)}"
        return f"{self.dist} {_fmt(self.low)}..{_fmt(self.high)}{mid}"


def parse_range(name: str, spec: Range | Mapping[str, Any]) -> Range:
    """A range mapping (``{"low":…, "mode":…, "high":…, "dist":…}``) checked against ``name``'s rule.

    Raises :class:`InputError` naming the input, the bound and the rule.
    """
    if isinstance(spec, Range):
        spec = {"low": spec.low, "high": spec.high, "mode": spec.mode, "dist": spec.dist}
    if name not in ALL_PARAMS:
        raise InputError(name, f"{name} is not an input of the model")
    if RULES[ALL_PARAMS[name].rule].integer:
        raise InputError(name, f"{name} is a whole number of months and takes no range")
    spec = {k: v for k, v in spec.items() if v is not None}
    unknown = [k for k in spec if k not in ("low", "mode", "high", "dist")]
    if unknown:
        raise InputError(
            name, f"{name} range has an unknown key {unknown[0]!r} (valid: low, mode, high, dist)"
        )
    for k in ("low", "high"):
        if k not in spec:
            raise InputError(name, f"{name} range needs low and high (missing {k})")
    vals: dict[str, float] = {}
    for k in ("low", "mode", "high"):
        if k in spec:
            v = spec[k]
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise InputError(name, f"{name} range {k} must be a number, got {v!r}")
            try:
                vals[k] = float(v)
            except OverflowError:  # an integer of hundreds of digits
                raise InputError(
                    name,
                    f"{name} range {k} is too large for floating point (beyond about 1.8e308), "
                    f"got a {_digits(v)}-digit number",
                ) from None
            try:
                check(name, vals[k])
            except InputError as e:
                raise InputError(name, f"{name} range {k}: {e}") from None
    mode = vals.get("mode")
    dist = spec.get("dist", "uniform" if mode is None else "pert")
    if dist not in DISTS:
        raise InputError(name, f"{name} range dist must be one of {', '.join(DISTS)}, got {dist!r}")
    lo, hi = vals["low"], vals["high"]
    if not lo < hi:
        raise InputError(name, f"{name} range needs low < high, got low {_fmt(lo)} and high {_fmt(hi)}")
    if dist == "uniform" and mode is not None:
        raise InputError(
            name,
            f'{name} range: a uniform range takes no mode (use dist = "pert" or '
            '"triangular", or leave the mode out)',
        )
    if dist != "uniform":
        if mode is None:
            raise InputError(name, f"{name} range: a {dist} range needs a mode")
        if not lo <= mode <= hi:
            raise InputError(
                name,
                f"{name} range needs low <= mode <= high, got mode {_fmt(mode)} outside "
                f"{_fmt(lo)}..{_fmt(hi)}",
            )
    return Range(lo, hi, mode, dist)


def is_range(value: object) -> bool:
    return isinstance(value, (Range, Mapping))


def base_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario with every range replaced by its base value (what ``calc`` computes)."""
    return {k: (parse_range(k, v).base if is_range(v) and k != "mix" else v) for k, v in inputs.items()}


def pair(key: str | Iterable[Any]) -> tuple[str, str]:
    if isinstance(key, str):
        parts = [p.strip() for p in key.split(",")]
    else:
        parts = list(key)
    if len(parts) != 2 or not all(isinstance(p, str) and p for p in parts):
        hint = (
            " (a team role named in a correlation must not contain a comma)" if "@team:" in str(key) else ""
        )
        raise InputError(
            "correlations",
            f'a correlation names two inputs separated by one comma, e.g. "cac,ad_growth"{hint}, got {key!r:.80}',
        )
    return parts[0], parts[1]


def check_correlations(
    correlations: Mapping[Any, Any] | None, ranged: Container[str]
) -> tuple[list[str], np.ndarray | None]:
    """The inputs that take part and their Spearman target matrix; raises :class:`InputError`.

    ``correlations`` maps a pair (``("cac", "ad_growth")`` or ``"cac,ad_growth"``)
    to a coefficient in [-1, 1]; both inputs must have a range; the matrix
    (1 on the diagonal, 0 for pairs not named) must be positive definite.
    """
    if not correlations:
        return [], None
    pairs: dict[frozenset[str], float] = {}
    for key, rho in correlations.items():
        a, b = pair(key)
        label = f"correlations.{a},{b}"
        for x in (a, b):
            if x not in ranged:
                raise InputError(label, f"{label}: {x} has no range, so it cannot be correlated")
        if a == b:
            raise InputError(label, f"{label}: an input cannot be correlated with itself")
        if (
            isinstance(rho, bool)
            or not isinstance(rho, (int, float, np.floating, np.integer))
            or not -1 <= rho <= 1
        ):  # compared before float(): an integer of hundreds of digits is refused here
            shown = (
                f"a {_digits(rho)}-digit number" if isinstance(rho, int) and abs(rho) > 10**20 else repr(rho)
            )
            raise InputError(
                label, f"{label}: a Spearman correlation must be a number from -1 to 1, got {shown}"
            )
        if frozenset((a, b)) in pairs:
            raise InputError(label, f"{label}: the pair is given twice")
        pairs[frozenset((a, b))] = float(rho)
    named = {k for p in pairs for k in p}  # inputs in the model's order, then ranged decisions (ad_spend@4)
    names = [k for k in PARAMS if k in named] + sorted(named - set(PARAMS))
    idx = {k: i for i, k in enumerate(names)}
    c = np.eye(len(names))
    for p, rho in pairs.items():
        a, b = tuple(p)
        c[idx[a], idx[b]] = c[idx[b], idx[a]] = rho
    for m in (c, pearson(c)):
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            raise InputError(
                "correlations",
                "correlations: the correlation matrix of "
                f"{', '.join(names)} is not positive definite (the coefficients contradict each "
                "other, or one is +-1); soften them",
            ) from None
    return names, c


def pearson(spearman: np.ndarray) -> np.ndarray:
    """The normal-score (Pearson) correlation with that Spearman rank correlation: ``2 sin(pi rho / 6)``."""
    return 2 * np.sin(np.pi * spearman / 6)
