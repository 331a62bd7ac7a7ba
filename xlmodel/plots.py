"""Charts a board would rather look at: the cash fan, the runway's odds, the tornado, a plan's cash and burn, a
sensitivity heat map. PNG files, written atomically (never over a file without ``force``).

matplotlib is optional (``pip install ".[plot]"`` from a checkout, ``"xlmodel[plot]"`` once on PyPI) and is
imported when a chart is drawn, never at import time; without it a chart is one line of
:class:`~xlmodel.errors.XlmodelError` saying how to get it. The charts draw on matplotlib's object interface
(a ``Figure`` on the Agg canvas): no pyplot, no global state, no window.

Each function returns the data it handed to matplotlib (plain lists and floats), computed by the engine, so
that a test can compare a chart with the numbers of ``calc`` and ``simulate``. Nothing here restates an
equation of the model.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from .dates import month_label
from .engine import project
from .errors import XlmodelError
from .fsutil import check_target, write_atomic
from .sensitivity import Grid, resolve
from .simulate import SHARE_BELOW, Simulation
from .solve import LOWER_IS_BETTER
from .text import clean_text

__all__ = [
    "simulation_plot",
    "plan_plot",
    "sensitivity_plot",
    "cash_percentiles",
    "require",
    "INSTALL",
    "FAN",
]

#: what a chart without matplotlib says
INSTALL = 'charts need matplotlib: pip install ".[plot]" from the xlmodel checkout (or "xlmodel[plot]" once on PyPI)'
#: the percentiles of the cash fan
FAN = (10, 50, 90)
#: the most draws x months of cash the fan chart holds at once (200 MB); past it, the first draws only
MAX_FAN_VALUES = 25_000_000
#: scenarios projected at once for the fan chart
CHUNK = 1 << 13
DPI = 100
_BLUE, _GREY, _RED, _GREEN, _ORANGE = "#1F3864", "#7F7F7F", "#C00000", "#007A33", "#E07B00"


def require() -> None:
    """Raise the one-line :class:`XlmodelError` that says how to install matplotlib, when it is missing."""
    try:
        import matplotlib  # noqa: F401 - imported only to learn whether it is installed
    except ImportError:
        raise XlmodelError(INSTALL) from None


def _figure(width: float, height: float):
    require()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _refuse_existing(path, force: bool) -> Path:
    """The chart's file checked before any work (:func:`xlmodel.fsutil.check_target`)."""
    try:
        check_target(path, force)
    except FileExistsError:
        raise XlmodelError(f"{path} exists; pass --force to overwrite it") from None
    return Path(path)


def _save(fig, path: Path, force: bool) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    write_atomic(path, buf.getvalue(), force=force)


def _money(currency: str):
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos=None):
        a = abs(v)
        for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return f"{v / div:,.1f}{suffix}"
        return f"{v:,.0f}"

    return FuncFormatter(fmt)


def _months(h: int, start: str | None) -> tuple[list[int], list[str]]:
    months = list(range(1, h + 1))
    return months, [month_label(t, start) for t in months]


def _ticks(ax, months: list[int], labels: list[str]) -> None:
    step = max(1, len(months) // 10)
    ax.set_xticks(months[::step])
    ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=8)


# ------------------------------------------------------------------ the simulation


def cash_percentiles(sim: Simulation, percentiles=FAN) -> tuple[np.ndarray, int]:
    """``(P, n)``: the percentiles of cash by month over a simulation's draws, ``P[k, t-1]`` for
    ``percentiles[k]`` in month t, and how many draws they are over.

    Each draw's projection is the engine's (:func:`xlmodel.project` of the draw's inputs, in chunks of draws);
    the percentiles are numpy's linear ones, as every summary of ``simulate``. At most
    :data:`MAX_FAN_VALUES` values (draws x months) are held: past it, the first draws only.
    """
    h = sim.horizon
    n = max(1, min(sim.draws, MAX_FAN_VALUES // h)) if sim.inputs else 1  # no range: every draw is the base
    cash = np.empty((n, h))
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        s = dict(sim.base, **{k: x[a:b] for k, x in sim.inputs.items()})
        cash[a:b] = project(**resolve(s)).cash
    return np.percentile(cash, percentiles, axis=0), (n if sim.inputs else sim.draws)


def simulation_plot(
    sim: Simulation,
    path,
    *,
    start: str | None = None,
    currency: str = "",
    title: str = "",
    force: bool = False,
) -> dict:
    """The Monte Carlo on one page: the cash fan, the runway's histogram, the tornado of the runway.

    - **Cash fan**: P10, P50 and P90 of cash by (calendar) month over the draws (:func:`cash_percentiles`),
      ``min_cash`` as a line, the funding rounds of the scenario as marks at their months.
    - **Runway**: the histogram of the draws' runways (the share that does not run out within the horizon in its title), with the
      share of draws that run out before 6, 12, 18 and 24 months (``Simulation.share_below``).
    - **Tornado** of ``runway_months`` (``Simulation.tornado``): each ranged input at its low and its high,
      the rest at base (a runway not within the horizon drawn at it).

    Returns the data drawn: ``months``, ``labels``, ``cash_p10``, ``cash_p50``, ``cash_p90``, ``fan_draws``,
    ``min_cash``, ``funding`` ([{month, amount}]), ``runway`` (the finite runways), ``runway_never`` (share),
    ``share_below`` ({6: ..., ...}), ``tornado`` (rows), ``base_runway``.
    """
    path = _refuse_existing(path, force)
    fig = _figure(12, 9)
    h = sim.horizon
    months, labels = _months(h, start)
    pct, n = cash_percentiles(sim)
    runway = sim.outputs["runway_months"]
    finite = runway[np.isfinite(runway)]
    data = {
        "months": months,
        "labels": labels,
        "fan_draws": n,
        **{f"cash_p{p}": pct[k].tolist() for k, p in enumerate(FAN)},
        "min_cash": float(sim.base.get("min_cash") or 0.0),
        "funding": [
            {"month": int(f["month"]), "amount": float(f["amount"])} for f in sim.base.get("funding") or ()
        ],
        "runway": finite.tolist(),
        "runway_never": float(np.count_nonzero(np.isposinf(runway))) / sim.draws,
        "share_below": {m: sim.share_below(m) for m in SHARE_BELOW},
        "tornado": sim.tornado("runway_months"),
        "base_runway": sim.base_values["runway_months"],
    }
    grid = fig.add_gridspec(2, 2, height_ratios=(1.1, 1))
    ax = fig.add_subplot(grid[0, :])
    ax.fill_between(months, data["cash_p10"], data["cash_p90"], color=_BLUE, alpha=0.18, label="P10 to P90")
    ax.plot(months, data["cash_p50"], color=_BLUE, lw=2, label="P50")
    ax.plot(months, data["cash_p10"], color=_BLUE, lw=0.8, ls="--", label="P10")
    ax.plot(months, data["cash_p90"], color=_BLUE, lw=0.8, ls=":", label="P90")
    ax.axhline(0, color=_GREY, lw=0.8)
    if data["min_cash"]:
        ax.axhline(
            data["min_cash"], color=_RED, lw=1, ls="--", label=f"min_cash {_money('')(data['min_cash'])}"
        )
    for f in data["funding"]:
        ax.axvline(f["month"], color=_GREEN, lw=1, alpha=0.7)
        ax.annotate(
            f"+{_money('')(f['amount'])}",
            (f["month"], 1),
            xycoords=("data", "axes fraction"),
            ha="left",
            va="top",
            fontsize=8,
            color=_GREEN,
        )
    ax.yaxis.set_major_formatter(_money(currency))
    ax.set_ylabel(f"cash ({clean_text(currency)})" if currency else "cash")
    _ticks(ax, months, labels)
    ax.set_title(
        f"cash by month over {n:,} draws" + (f" (of {sim.draws:,})" if n < sim.draws else ""), fontsize=10
    )
    ax.legend(loc="best", fontsize=8)

    ax = fig.add_subplot(grid[1, 0])
    if finite.size:
        ax.hist(finite, bins=40, color=_BLUE, alpha=0.8)
    ax.set_xlabel("runway (months)")
    ax.set_ylabel("draws")
    for m in SHARE_BELOW:
        ax.axvline(m, color=_RED, lw=0.8, ls=":")
        ax.annotate(
            f"below {m}: {data['share_below'][m]:.1%}",
            (m, 0.97),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="top",
            fontsize=8,
            color=_RED,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_title(f"runway: not within the {h} months in {data['runway_never']:.1%} of draws", fontsize=10)

    ax = fig.add_subplot(grid[1, 1])
    rows = data["tornado"]
    base = data["base_runway"]
    at = lambda v: h if math.isinf(v) else v
    for i, r in enumerate(reversed(rows)):
        for key, colour in (("at_low", _ORANGE), ("at_high", _BLUE)):
            v = r[key]
            if not math.isnan(v):
                ax.barh(
                    i,
                    at(v) - at(base),
                    left=at(base),
                    color=colour,
                    alpha=0.85,
                    label={"at_low": "input at its low", "at_high": "at its high"}[key] if i == 0 else None,
                )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["input"] for r in reversed(rows)], fontsize=8)
    ax.axvline(at(base), color=_GREY, lw=1)
    ax.set_xlabel("runway (months; one not within the horizon drawn at it)")
    ax.set_title("tornado of runway_months", fontsize=10)
    if rows:
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(clean_text(title or "Monte Carlo"), fontsize=12)
    fig.tight_layout()
    _save(fig, path, force)
    return data


# ------------------------------------------------------------------ one plan


def plan_plot(
    scenario: dict,
    path,
    *,
    start: str | None = None,
    currency: str = "",
    title: str = "",
    force: bool = False,
) -> dict:
    """One plan: its cash with and without the migration, and its net burn by line, by month.

    The projection is :func:`xlmodel.project`'s; "without the migration" is the same plan without a
    ``migration_month`` (no saving, no one-off cost, no revenue loss), as ``runway_months_without_migration``.
    Net burn's lines: ad spend, compute, fixed costs and the migration's one-off up, net revenue down, net burn
    as a line.

    Returns the data drawn: ``months``, ``labels``, ``cash``, ``cash_without_migration`` (None without a
    migration), ``ad_spend``, ``compute``, ``fixed_costs``, ``migration_one_off``, ``revenue``, ``net_burn``,
    ``min_cash``, ``funding`` ([{month, amount}]).
    """
    path = _refuse_existing(path, force)
    s = resolve(scenario)
    p = project(**s)
    h = p.cash.shape[-1]
    months, labels = _months(h, start)
    without = None
    if s.get("migration_month") is not None:
        without = project(**dict(s, migration_month=None)).cash.tolist()
    lines = ("ad_spend", "compute", "fixed_costs", "migration_one_off", "revenue", "net_burn")
    data = {
        "months": months,
        "labels": labels,
        "cash": p.cash.tolist(),
        "cash_without_migration": without,
        **{k: np.asarray(getattr(p, k), dtype=float).tolist() for k in lines},
        "min_cash": float(s.get("min_cash") or 0.0),
        "funding": [{"month": int(f["month"]), "amount": float(f["amount"])} for f in s.get("funding") or ()],
    }
    fig = _figure(12, 8)
    ax = fig.add_subplot(2, 1, 1)
    ax.plot(months, data["cash"], color=_BLUE, lw=2, label="cash")
    if without is not None:
        ax.plot(months, without, color=_ORANGE, lw=1.2, ls="--", label="cash without the migration")
        ax.axvline(s["migration_month"], color=_GREY, lw=0.8, ls=":")
    ax.axhline(0, color=_GREY, lw=0.8)
    if data["min_cash"]:
        ax.axhline(data["min_cash"], color=_RED, lw=1, ls="--", label="min_cash")
    for f in data["funding"]:
        ax.axvline(f["month"], color=_GREEN, lw=1, alpha=0.7)
    ax.yaxis.set_major_formatter(_money(currency))
    ax.set_ylabel(f"cash ({clean_text(currency)})" if currency else "cash")
    _ticks(ax, months, labels)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("cash at the end of each month", fontsize=10)

    ax = fig.add_subplot(2, 1, 2)
    bottom = np.zeros(h)
    for key, colour in (
        ("ad_spend", _ORANGE),
        ("compute", _BLUE),
        ("fixed_costs", _GREY),
        ("migration_one_off", _RED),
    ):
        v = np.asarray(data[key])
        if v.any():
            ax.bar(months, v, bottom=bottom, color=colour, alpha=0.8, label=key.replace("_", " "))
            bottom = bottom + v
    ax.bar(months, -np.asarray(data["revenue"]), color=_GREEN, alpha=0.8, label="net revenue (down)")
    ax.plot(months, data["net_burn"], color="black", lw=1.5, label="net burn")
    ax.axhline(0, color=_GREY, lw=0.8)
    ax.yaxis.set_major_formatter(_money(currency))
    ax.set_ylabel(f"per month ({clean_text(currency)})" if currency else "per month")
    _ticks(ax, months, labels)
    ax.legend(loc="best", fontsize=8, ncol=3)
    ax.set_title("net burn by line", fontsize=10)
    fig.suptitle(clean_text(title or "Plan"), fontsize=12)
    fig.tight_layout()
    _save(fig, path, force)
    return data


# ------------------------------------------------------------------ a sensitivity grid


def sensitivity_plot(grid: Grid, path, *, title: str = "", force: bool = False) -> dict:
    """A heat map of a sensitivity grid, the base cell outlined; a never shows as the text ``never``.

    Returns the data drawn: ``values`` (rows of the grid, ``inf`` never, ``nan`` n/a), ``rows`` and ``cols``
    (input, values), ``base`` ((row, col) or None).
    """
    path = _refuse_existing(path, force)
    v = np.asarray(grid.values, dtype=float)
    data = {
        "values": v.tolist(),
        "rows": (grid.rows[0], list(grid.rows[1])),
        "cols": (grid.cols[0], list(grid.cols[1])),
        "base": grid.base,
    }
    shown = np.where(np.isfinite(v), v, np.nan)
    nr, nc = v.shape
    fig = _figure(max(6.0, min(14.0, 2 + 0.7 * nc)), max(4.5, min(11.0, 1.5 + 0.45 * nr)))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(
        np.ma.masked_invalid(shown),
        aspect="auto",
        origin="upper",
        cmap="RdYlGn_r" if grid.output in LOWER_IS_BETTER else "RdYlGn",
    )  # green: the better end
    fig.colorbar(image, ax=ax, label=grid.output + (f" ({grid.statistic})" if grid.statistic else ""))
    ax.set_xticks(range(nc))
    ax.set_xticklabels([f"{x:.4g}" for x in grid.cols[1]], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(nr))
    ax.set_yticklabels([f"{x:.4g}" for x in grid.rows[1]], fontsize=8)
    ax.set_xlabel(grid.cols[0])
    ax.set_ylabel(grid.rows[0])
    if nr * nc <= 400:
        for (i, j), x in np.ndenumerate(v):
            text = "never" if np.isposinf(x) else ("n/a" if np.isnan(x) else f"{x:.3g}")
            ax.text(j, i, text, ha="center", va="center", fontsize=7)
    if grid.base is not None:
        from matplotlib.patches import Rectangle

        i, j = grid.base
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=2.5, edgecolor="black"))
        ax.set_title("the base outlined", fontsize=9)
    else:
        ax.set_title("the base is not on the grid", fontsize=9)
    fig.suptitle(clean_text(title or f"{grid.output} by {grid.rows[0]} and {grid.cols[0]}"), fontsize=12)
    fig.tight_layout()
    _save(fig, path, force)
    return data
