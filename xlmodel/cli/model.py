"""The model commands: ``calc``, ``simulate`` and ``price``.

Each parses its options, calls the engine once and prints a table or JSON.
"""

from __future__ import annotations

import math
from datetime import UTC

import click

from .. import assumptions
from ..dates import ABBR, annual_summary, month_label
from ..engine import plan, summary
from ..errors import InputError
from ..outputs import HORIZON_NEVER, OUTPUT_UNITS
from ..prices import mix_price, parse_at, price_basis, price_data_date
from ..prices import price as lookup_price
from ..retention import active_curve
from ..simulate import SHARE_BELOW
from ..simulate import simulate as run_simulation
from .books import company_books, print_books
from .common import (
    Refused,
    assumptions_input,
    compact,
    dumps,
    echo,
    format_unit,
    format_value,
    json_value,
    load_assumptions,
    progress_bar,
)
from .decisions import check_plot, plot_option, plot_plan, plot_simulation

__all__ = ["calc", "simulate", "price"]


@click.command(
    epilog="""\b
Examples:
  xlmodel calc examples/llm-assistant-2024.toml
  xlmodel calc examples/llm-assistant-2024.toml --scenario cut-ads-raise --json
  xlmodel calc examples/llm-assistant-2024.toml -s cut-ads-raise --plot plan.png
"""
)
@assumptions_input
@click.option("-s", "--scenario", help="Scenario to compute (default: the first in the file).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
@click.option(
    "--quarterly",
    is_flag=True,
    help="The statements by fiscal quarter (FY2025 Q1) instead of by fiscal year.",
)
@click.option("--monthly", is_flag=True, help="The statements for every month.")
@plot_option("the cash with and without the migration, and the net burn by line")
def calc(assumptions_file, scenario, as_json, plot, plot_force, quarterly=False, monthly=False):
    """Print the unit economics, what the plan answers (runway, funding need, break-even) and the annual summary.

    ASSUMPTIONS_FILE is a TOML file (see examples/); without it, the bundled
    defaults (the 2024 consumer assistant example) are used. Values that never
    happen (payback, cash run-out, break-even) print as "never"; months print
    with their calendar month when the file gives [model] start.
    """
    if plot:
        check_plot(plot, plot_force)
    a = load_assumptions(assumptions_file)
    name = scenario or a.scenario_names[0]
    s = a.scenario(name)
    out = summary(s)
    _warn_undiscounted(out, s)
    p = plan(**s)
    annual = annual_summary(p.projection, a.start, a.fiscal_year_start)
    notes = _plan_notes(out, p, a)
    mix = a.mixes.get(name)
    curve = _curve_info(s, a.retention_sources.get(name))
    if quarterly and monthly:
        raise Refused("give --quarterly or --monthly, not both")
    books = company_books(p, s, a, quarterly, monthly)
    if as_json:
        doc = {
            "model": a.name,
            "currency": a.currency,
            "scenario": name,
            "source": a.source,
            "calendar": {"start": a.start, "fiscal_year_start": a.fiscal_year_start, "horizon": s["horizon"]},
            "outputs": {k: json_value(v) for k, v in out.items()},
            "units": {k: format_unit(k, a.currency) for k in out},
            "annual": [{k: json_value(v) for k, v in year.items()} for year in annual],
            "notes": notes,
            "warnings": [w for w in (falling_warning(out, s["horizon"], a.start),) if w],
            "retention": curve,
        }
        if books is not None:
            doc["statements"] = books["json"]
        if a.start:
            doc["labels"] = {
                k: month_label(int(v), a.start)
                for k, v in out.items()
                if OUTPUT_UNITS[k] == "month" and isinstance(v, float) and math.isfinite(v)
            }
        if mix:
            doc["mix"] = {
                "shares": mix,
                "fx": s["fx"],
                "price_data": a.price_data,
                "prices": {k: s[k] for k in assumptions.MIX_PRICES},
                "unit": f"{a.currency} per 1M tokens",
            }
        echo(dumps(doc))
        if plot:
            plot_plan(a, name, s, plot, plot_force, as_json=True)
        return
    rows = [(k, _with_month(k, v, a, s["horizon"]), format_unit(k, a.currency)) for k, v in out.items()]
    sections = (
        ("unit economics (month 1)", "blended_cac"),
        (f"plan ({s['horizon']} months)", "runway_months"),
        ("standalone migration NPV", "migration_npv"),
    )
    w0 = max(len(r[0]) for r in rows + [(title,) for title, _ in sections])
    w1 = max(len(r[1]) for r in rows + [("", "value")])
    echo(f"{a.name}: scenario {name} ({a.source})")
    if a.start:
        fy = "" if a.fiscal_year_start == 1 else f"; fiscal years from {ABBR[a.fiscal_year_start - 1]}"
        echo(f"month 1 is {a.start}, month {s['horizon']} is {month_label(s['horizon'], a.start)}{fy}")
    if curve:
        echo(_curve_line(curve))
    for title, first in sections:
        if first not in out:
            continue
        names = list(out)
        end = next(
            (names.index(f) for _, f in sections if f in out and names.index(f) > names.index(first)),
            len(names),
        )
        echo("")
        echo(f"{title:<{w0}}  {'value':>{w1}}  unit")
        for k, v, u in rows[names.index(first) : end]:
            echo(f"{k:<{w0}}  {v:>{w1}}  {u}")
    warning = falling_warning(out, s["horizon"], a.start)
    if warning:
        echo("")
        echo(f"warning: {warning}")
    _annual_table(annual, a.currency)
    if books is not None:
        print_books(books, a.currency)
    for note in notes:
        echo("")
        echo(f"note: {note}")
    ranged = a.ranges.get(name, {})
    if ranged:
        echo("")
        echo(
            f"{len(ranged)} inputs are ranges ({', '.join(ranged)}): these numbers use their base "
            "values; xlmodel simulate draws them"
        )
    if mix:
        echo("")
        echo(
            f"model mix: {', '.join(f'{m} {sh:.0%}' for m, sh in mix.items())}; "
            f"fx {s['fx']:g} {a.currency} per USD ({a.price_data})"
        )
        for k in assumptions.MIX_PRICES:
            echo(f"{k:<{w0}}  {s[k]:>{w1}.4f}  {a.currency} per 1M tokens")
    if plot:
        echo("")
        plot_plan(a, name, s, plot, plot_force)


def _warn_undiscounted(out: dict, s: dict) -> None:
    """One warning on stderr when an NPV is computed at a discount rate of 0 (annual_discount_rate left out)."""
    npvs = [k for k in ("migration_npv", "plan_migration_npv") if k in out]
    if npvs and not s.get("annual_discount_rate"):
        echo(f"Warning: {' and '.join(npvs)} undiscounted: give annual_discount_rate", err=True)


def _curve_info(s: dict, source: dict | None) -> dict | None:
    """Where the scenario's retention curve comes from and what the plan reads in it; None without a curve."""
    if s.get("retention") is None:
        return None
    c = active_curve(s["retention"])
    first = float(c.first)
    return {
        "shares": [float(x) for x in s["retention"]],
        "months": c.k,
        "late_churn": float(1 - c.q),
        "activation_from_curve": first if first < 1 else None,
        "old_users_churn": s["churn"],
        "source": source["file"] if source else "retention",
        "cohorts": source["cohorts"] if source else None,
        "weighted": source["weighted"] if source else None,
    }


def _curve_line(curve: dict) -> str:
    """One line: the users follow which curve, and what it implies."""
    if curve["cohorts"] is None:
        where = "the scenario's retention curve"
    else:
        how = "weighted by size" if curve["weighted"] else "unweighted: the file gives no sizes"
        where = f"the average curve of {curve['source']} ({curve['cohorts']} cohorts, chained, {how})"
    act = (
        ""
        if curve["activation_from_curve"] is None
        else f"; measured on sign-ups, so activation is its month 1, {curve['activation_from_curve']:.1%}"
    )
    return (
        f"users follow {where}: {curve['months']} months, then a late churn of {curve['late_churn']:.1%} a "
        f"month{act}; the users of month 0 churn at {curve['old_users_churn']:.1%} a month"
    )


def not_within(horizon: int, start: str | None) -> str:
    """What "never" means for a run-out, a raise or a break-even: "not within the horizon (to 2027-02)"."""
    return f"not within the horizon (to {month_label(horizon, start)})"


def falling_warning(out: dict, horizon: int, start: str | None) -> str | None:
    """When the cash lasts the horizon but is still falling there: when it would run out at the last
    months' burn (``runway_after_horizon``); else None."""
    after = out.get("runway_after_horizon")
    if not out.get("cash_falling_at_horizon") or after is None or not math.isfinite(after):
        return None
    months = "three months'" if horizon >= 3 else ("month's" if horizon == 1 else f"{horizon} months'")
    label = f" ({month_label(max(1, math.ceil(after)), start)})" if start else ""
    return f"cash is still falling at the horizon: at the last {months} burn it lasts to month {after:,.1f}{label}"


def _with_month(name: str, value, a, horizon: int | None = None) -> str:
    """A value as the table shows it; a month with its calendar month when the file has a start; a "never"
    of a run-out, a raise or a break-even as "not within the horizon (to ...)"."""
    text = format_value(name, value, a.currency)
    if horizon is not None and name in HORIZON_NEVER and isinstance(value, float) and value == math.inf:
        return not_within(horizon, a.start)
    if a.start and isinstance(value, float) and math.isfinite(value):
        if OUTPUT_UNITS[name] == "month":
            return f"{text} ({month_label(int(value), a.start)})"
        if name.startswith("runway_") and OUTPUT_UNITS[name] == "months":  # the month in which cash runs out
            return f"{text} ({month_label(max(1, math.ceil(value)), a.start)})"
    return text


def _plan_notes(out: dict, p, a) -> list[str]:
    """What a reader of the plan must not miss."""
    notes = []
    if p.outputs.get("shortfall_before_raise"):
        first, month = out["first_short_month"], out["funding_month"]
        notes.append(
            f"cash first falls short of min_cash in month {first:.0f}"
            f"{_cal(first, a)}, before raise_month {month:.0f}{_cal(month, a)}: the funding need is the "
            "round in raise_month and does not cover that earlier shortfall"
        )
    if out.get("funding_need", 0) > 0 and not math.isinf(out["funding_month"]):
        grows = " (the round earns interest from then on)" if p.projection.interest.any() else ""
        notes.append(
            f"raise {compact('funding_need', out['funding_need'], a.currency)} {a.currency} in month "
            f"{out['funding_month']:.0f}{_cal(out['funding_month'], a)} to keep cash at or above min_cash "
            f"from then to the horizon{grows}"
        )
    return notes


def _cal(month: float, a) -> str:
    return f" ({month_label(int(month), a.start)})" if a.start else ""


def _annual_table(annual: list[dict], currency: str) -> None:
    """The annual summary: one column per (fiscal) year, sums of the flows and end-of-year balances."""
    labels = [y["label"].split(" (")[0] + ("*" if y["partial"] else "") for y in annual]
    lines = [
        ("ad_spend", "ad spend"),
        ("new_users", "sign-ups"),
        ("gross_revenue", "gross revenue"),
        ("revenue", "net revenue"),
        ("compute", "compute"),
        ("fixed_costs", "fixed costs"),
        ("migration_one_off", "one-off costs"),
        ("net_burn", "net burn"),
        ("interest", "interest"),
        ("funding", "funding"),
        ("cash", "cash (end)"),
        ("mau", "MAU (end)"),
        ("paying_users", "paying (end)"),
    ]
    cells = [[_short(y[k]) for y in annual] for k, _ in lines]
    w0 = max(len(label) for _, label in lines)
    widths = [max(len(labels[j]), *(len(row[j]) for row in cells)) for j in range(len(annual))]
    echo("")
    partial = [y["label"] for y in annual if y["partial"]]
    echo(
        f"annual summary ({currency}; flows summed, balances at year end"
        + (f"; * partial: {', '.join(partial)}" if partial else "")
        + ")"
    )
    echo(f"{'':<{w0}}  " + "  ".join(f"{lab:>{w}}" for lab, w in zip(labels, widths)))
    for (_, label), row in zip(lines, cells):
        echo(f"{label:<{w0}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(row, widths)))


def _short(value: float) -> str:
    """A number in a few characters: 1.23B, -45.6M, 120k, 12."""
    a = abs(value)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{value / div:,.2f}{suffix}" if a < 1e15 else f"{value:.3g}"
    return f"{value:,.0f}"


@click.command(
    epilog="""\b
Examples:
  xlmodel simulate examples/llm-assistant-2024.toml
  xlmodel simulate examples/llm-assistant-2024.toml --draws 100000 --seed 7 --json
  xlmodel simulate examples/llm-assistant-2024.toml --scenario downside
  xlmodel simulate examples/llm-assistant-2024.toml --plot risk.png
"""
)
@assumptions_input
@click.option("-s", "--scenario", help="Scenario to simulate (default: the first in the file).")
@click.option(
    "--draws",
    type=click.IntRange(1, 10_000_000),
    help="Number of draws (default: [model] draws in the file, else 10,000).",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), help="Random seed (default: [model] seed, else 0)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
@plot_option("the cash fan (P10/P50/P90 by month), the runway's histogram and the tornado")
def simulate(assumptions_file, scenario, draws, seed, as_json, plot, plot_force):
    """Monte Carlo over the ranged inputs: every output's mean, P5..P95 and share never.

    Inputs given as ranges in the file (churn = { low = 0.35, mode = 0.45,
    high = 0.60 }) are drawn (PERT with a mode, uniform without, or
    dist = "triangular"), correlated as the [correlations] table says, and
    the model is run on every draw. Same file, draws and seed: the same
    numbers, bit for bit. Also prints the share of draws whose runway is
    below 6, 12, 18 and 24 months, and a tornado of the runway (each range's
    low and high, every other input at its base value).
    """
    if plot:
        check_plot(plot, plot_force)
    a = load_assumptions(assumptions_file)
    name = scenario or a.scenario_names[0]
    a.scenario(name)  # unknown scenario: one line, exit 2
    n = draws if draws is not None else a.draws
    k = seed if seed is not None else a.seed
    bar = progress_bar(n)  # on stderr, after a second, when stderr is a terminal
    try:
        sim = run_simulation(
            a.simulation_inputs(name),
            draws=n,
            seed=k,
            correlations=a.correlations_for(name),
            scenario=name,
            progress=None if bar is None else lambda done, _: bar.update(done - bar.n),
        )
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        doc = {
            "model": a.name,
            "currency": a.currency,
            "source": a.source,
            **sim.summary(),
            "units": {o: format_unit(o, a.currency) for o in sim.outputs},
        }
        echo(dumps(doc))
        if plot:
            plot_simulation(a, name, sim, plot, plot_force, as_json=True)
        return
    # everything computed before anything is printed: a failure (the tornado's projection overflowing at a
    # range's bound) is one line and exit status 2, not a table cut short
    cols = ["mean"] + [f"p{p}" for p in (5, 10, 50, 90, 95)]
    rows = []
    beyond = f"> {sim.horizon}"  # a month not within the horizon, in a column a number wide
    for o in sim.outputs:
        st = sim.stats(o)
        cells = [_simulated_cell(o, st[c], c, beyond, a.currency) for c in cols]
        never = f"{st['share_never']:.1%}" if "share_never" in st else ""
        na = f"{st['share_na']:.1%}" if st["share_na"] else ""
        rows.append([o] + cells + [never, na, format_unit(o, a.currency)])
    below = {m: sim.share_below(m) for m in SHARE_BELOW}
    need, even = sim.share_need_funding(), sim.share_break_even()
    tor = sim.tornado("runway_months")
    echo(f"{a.name}: scenario {name}, {n:,} draws, seed {k} ({a.source})")
    if not sim.ranges:
        echo("no input of this scenario is a range: every draw is the base case (see calc)")
    for key, r in sim.ranges.items():
        echo(f"  {key:<22} {r.describe()}")
    for (x, y), rho in sim.correlations.items():
        echo(f"  correlation {x},{y} = {rho:g} (Spearman)")
    for note in sim.notes:
        echo(f"note: {note}")
    echo("")
    head = ["output"] + cols + ["never", "n/a", "unit"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head) - 1)]
    line = lambda r: "  ".join(
        [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:-1], widths[1:])] + [r[-1]]
    ).rstrip()
    echo(line(head))
    for r in rows:
        echo(line(r))
    if any(beyond in r for r in rows):
        echo(
            f"{beyond}: not within the horizon (to {month_label(sim.horizon, a.start)}); for these months the never "
            "column counts the draws not within it"
        )
    echo("")
    echo("runway below " + ", ".join(f"{m} months: {share:.1%}" for m, share in below.items()) + " of draws")
    echo(
        f"need more money (a funding need above 0): {need:.1%} of draws; break even "
        f"within the {sim.horizon} months: {even:.1%}"
    )
    if tor:
        echo("")
        echo("tornado of runway_months (each input at its low and high, the rest at base):")
        w = max(len(r["input"]) for r in tor)
        for r in tor:
            lo, hi = (
                beyond if r[x] == math.inf else format_value("runway_months", r[x], a.currency)
                for x in ("at_low", "at_high")
            )
            echo(
                f"  {r['input']:<{w}}  low {r['low']:<12.6g} -> {lo:>7}   high {r['high']:<12.6g} -> {hi:>7}"
            )
    if plot:
        echo("")
        plot_simulation(a, name, sim, plot, plot_force)


def _simulated_cell(name: str, value: float, stat: str, beyond: str, currency: str) -> str:
    """A statistic in the simulate table: a month not within the horizon as ``beyond`` ("> 36"); of a yes/no
    output only the mean, the share of draws that say yes (a percentile of a flag says nothing more)."""
    if OUTPUT_UNITS[name] == "yes/no" and stat != "mean":
        return ""
    if value == math.inf and name in HORIZON_NEVER:
        return beyond
    return compact(name, None if math.isnan(value) else value, currency)


def _parse_mix(text: str) -> tuple[list[str], list[float]]:
    models, shares = [], []
    for part in text.split(","):
        model, sep, share = part.partition("=")
        try:
            if not sep:
                raise ValueError
            shares.append(float(share))
        except ValueError:
            raise Refused(
                f"--mix: each entry must be MODEL=SHARE (e.g. gpt-4o-mini=0.8), got {part.strip()!r}"
            ) from None
        models.append(model.strip())
    return models, shares


@click.command(
    epilog="""\b
Examples:
  xlmodel price gpt-4o-mini
  xlmodel price gpt-4o-mini --kind output
  xlmodel price gpt-4o-mini --kind output --fx 7.2     # RMB at 7.2 per USD
  xlmodel price --mix gpt-4o-mini=0.8,gpt-4o=0.2 --fx 7.2
  xlmodel price claude-3-5-sonnet --kind cached_input --provider anthropic
  xlmodel price deepseek-chat --at 2025-06-01T18:00     # the off-peak price at 18:00 UTC
"""
)
@click.argument("model", required=False)
@click.option(
    "--kind",
    type=click.Choice(["input", "output", "cached_input"]),
    default="input",
    show_default=True,
    help="Which price.",
)
@click.option("--provider", help="Provider id, e.g. openai or anthropic (default: the model's vendor).")
@click.option(
    "--fx",
    type=float,
    default=1.0,
    show_default=True,
    help="Model currency per 1 USD: the price is multiplied by it (7.2 for RMB at 7.2 per USD).",
)
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help="The price in force at this ISO date and time (no zone: UTC), time-of-day prices included "
    "(DeepSeek's off-peak discount). Default: the standard price, whatever the hour.",
)
@click.option(
    "--mix",
    "mix",
    metavar="MODEL=SHARE,...",
    help="A routing mix instead of MODEL: shares sum to 1. Prints input, cached input and output prices.",
)
def price(model, kind, provider, fx, at, mix):
    """Print a model's price per 1M tokens (USD times --fx; genai-prices' bundled data, offline).

    With --mix, print the blended prices of a routing mix of models,
    fx * sum(share * price), for each kind. The number comes first, then its
    unit and which price it is (the standard price unless --at asks for a moment).
    """
    if (model is None) == (mix is None):
        raise Refused("give a MODEL or --mix MODEL=SHARE,..., not both and not neither")
    try:
        when = parse_at(at)
    except InputError as e:
        raise Refused(f"--{e}") from None  # "--at must be an ISO date and time ..."
    unit = "USD per 1M tokens" if fx == 1 else f"per 1M tokens (USD x fx {fx:g})"
    if model is not None:
        value = lookup_price(model, kind, provider, fx, when)
        basis = price_basis(model, provider, when)
        echo(f"{value:g} {unit} ({model.strip()}, {kind}, {basis}; {price_data_date(when)})")
        return
    models, shares = _parse_mix(mix)
    values = {
        k: mix_price(models, shares, k, fx, provider, when) for k in ("input", "cached_input", "output")
    }
    basis = "standard prices" if when is None else f"prices at {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    echo(
        f"mix: {', '.join(f'{m} {s:g}' for m, s in zip(models, shares))}; fx {fx:g} "
        f"({basis}; {price_data_date(when)})"
    )
    for k, v in values.items():
        echo(f"{k:<13} {v:g} {unit}")
