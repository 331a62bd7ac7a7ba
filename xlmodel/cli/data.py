"""The data commands: ``fit`` (drivers from monthly actuals) and ``cohorts`` (cohort LTV and churn)."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..actuals import (
    DRIVERS,
    FITTED,
    ActualsError,
    against_plan,
    average_curve,
    cohort_churn,
    cohort_ltv,
    fit_actuals,
    read_actuals,
    read_cohorts,
    weighted,
)
from ..dates import month_label
from ..engine import summary_unit_economics
from ..errors import InputError, XlmodelError
from ..fitted_toml import fitted_toml
from ..fsutil import check_target, write_atomic
from .common import Refused, dumps, echo, load_assumptions, num

__all__ = ["fit", "cohorts"]


@click.command(
    epilog="""\b
Examples:
  xlmodel fit examples/actuals-2024.csv
  xlmodel fit examples/actuals-2024.csv --window 3 --json
  xlmodel fit examples/actuals-2024.csv -o fitted.toml --currency RMB
  xlmodel fit examples/actuals-2024.csv --cohorts examples/cohorts-sized-2024.csv -o fitted.toml
  xlmodel calc fitted.toml
"""
)
@click.argument("actuals_file", type=click.Path(dir_okay=False))
@click.option(
    "--window",
    type=click.IntRange(1, None),
    default=3,
    show_default=True,
    help="Months at the end that the fitted drivers come from (ratios of sums).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the fitted scenario as an assumptions file (TOML), scenario 'actuals'.",
)
@click.option("--currency", default="USD", show_default=True, help="Currency named in the written file.")
@click.option(
    "--horizon",
    type=click.IntRange(1, 1200),
    default=60,
    show_default=True,
    help="Months the written file projects.",
)
@click.option(
    "--cohorts",
    "cohorts_file",
    type=click.Path(dir_okay=False),
    help="A retention triangle (CSV): the written scenario's users follow its average curve (retention).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def fit(actuals_file, window, as_json, output, currency, horizon, cohorts_file, force):
    """Fit the model's drivers from monthly actuals (CSV), month by month and over the last --window months.

    ACTUALS_FILE has a header row with the columns month (YYYY-MM), ad_spend,
    new_users, paid_new_users, mau, paying_users, revenue, compute_cost,
    fixed_costs, cash (end of month), and one row per month in order. The
    fitted scenario starts from the last month (its cash, MAU and ad spend),
    so `calc` on the written file continues the projection from there
    ([model] start is the month after the last actual month). With --cohorts,
    the scenario carries the triangle's average curve (chained over the ages,
    weighted by size when the file has a size column) as retention, and no
    churn: the users already there decay at the curve's late churn 1 - q.
    Unexplained cash is last month's cash less this month's net burn less
    this month's cash: interest, timing, anything the model does not see.
    """
    if output:  # the output checked before any work and before anything is printed
        try:
            check_target(output, force)
        except FileExistsError:
            raise Refused(f"{output} exists; pass --force to overwrite it") from None
    table = read_actuals(actuals_file)
    rows = read_cohorts(cohorts_file) if cohorts_file else None
    try:
        f = fit_actuals(table, window)
    except ActualsError:
        raise
    except XlmodelError as e:  # only a window error is about --window
        raise Refused(f"--window: {e}" if getattr(e, "argument", None) == "window" else str(e)) from None
    curve = None
    if rows:
        r = average_curve(rows)
        curve = {
            "source": str(cohorts_file),
            "cohorts": len(rows),
            "weighted": weighted(rows),
            "retention": r,
            "late_churn": cohort_churn(r) if len(r) > 1 else None,
        }
    text = None
    if output:
        text = fitted_toml(
            f, currency=currency, horizon=horizon, cohorts=rows, cohorts_source=cohorts_file or ""
        )
    if as_json:
        echo(
            dumps(
                {
                    "source": table.source,
                    **f.as_dict(),
                    "ignored_columns": table.ignored,
                    "start": month_label(2, table.months[-1]),
                    "curve": curve,
                }
            )
        )
    else:
        echo(f"{table.source}: {len(table)} months, {table.months[0]}..{table.months[-1]}")
        if table.ignored:
            echo(f"note: columns ignored (not in the model): {', '.join(table.ignored)}")
        echo("")
        fmts = {
            "cac": ",.2f",
            "paid_share": ".1%",
            "churn": ".1%",
            "conversion": ".2%",
            "arppu": ",.2f",
            "cost_per_mau": ",.4f",
            "net_burn": ",.0f",
            "unexplained_cash": ",.0f",
        }
        head = ["month"] + list(DRIVERS)
        rows = [[r["month"]] + [num(r[k], fmts[k]) for k in DRIVERS] for r in f.drivers_by_month]
        widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            echo("  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]))
        span = f.window[0] if len(f.window) == 1 else f"{f.window[0]}..{f.window[-1]}"
        echo("")
        echo(f"fitted over {span} (ratios of sums; cash, mau and ad_spend of {f.window[-1]}):")
        fm = dict(fmts, cash=",.0f", mau=",.0f", ad_spend=",.0f", fixed_costs=",.0f")
        for k in FITTED:
            echo(
                f"  {k:<14} {num(f.fitted[k], fm[k]):>18}"
                + (
                    "  (left out with --cohorts: the curve's late churn drives the users already there)"
                    if k == "churn" and curve
                    else ""
                )
            )
        if curve:
            how = "weighted by size" if curve["weighted"] else "unweighted"
            echo("")
            echo(
                f"retention from {cohorts_file} ({curve['cohorts']} cohorts; average chained over the ages, "
                f"{how}; late churn {num(curve['late_churn'], '.1%')}):"
            )
            echo("  " + " ".join(f"{x:.1%}" for x in curve["retention"]))
    if text is not None:
        try:
            write_atomic(Path(output), text.encode("utf-8"), force=force)
        except FileExistsError:
            raise Refused(f"{output} exists; pass --force to overwrite it") from None
        echo(
            f"Wrote {output} (scenario actuals, from {month_label(2, table.months[-1])}"
            + (", users by the cohorts' curve)" if curve else ")"),
            err=as_json,
        )


@click.command(
    epilog="""\b
Examples:
  xlmodel cohorts examples/cohorts-2024.csv --arpu 0.3 --gross-margin 0.5 --discount 0.12
  xlmodel cohorts examples/cohorts-2024.csv -a examples/llm-assistant-2024.toml --scenario upside
  xlmodel cohorts examples/cohorts-2024.csv --arpu 0.3 --gross-margin 0.5 --json
  xlmodel cohorts examples/cohorts-sized-2024.csv -a examples/llm-assistant-2024.toml
"""
)
@click.argument("cohorts_file", type=click.Path(dir_okay=False))
@click.option("--arpu", type=float, help="Revenue per active user per month.")
@click.option("--gross-margin", type=float, help="Gross margin, e.g. 0.6.")
@click.option("--discount", type=float, help="Annual effective discount rate (default 0, or the file's).")
@click.option(
    "-a",
    "--assumptions",
    "assumptions_file",
    type=click.Path(dir_okay=False),
    help="Take arpu (revenue per MAU), gross margin and discount rate from this assumptions file, and "
    "compare the average curve with the scenario's churn and the MAU of its plan.",
)
@click.option("-s", "--scenario", help="Scenario of --assumptions (default: the first).")
@click.option("--no-tail", is_flag=True, help="Observed months only, no geometric tail.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def cohorts(cohorts_file, arpu, gross_margin, discount, assumptions_file, scenario, no_tail, as_json):
    """LTV and churn of each signup cohort from a retention triangle (CSV), and of the average curve.

    COHORTS_FILE has one row per signup cohort: the cohort month (YYYY-MM),
    then the share of the cohort active in its months 1, 2, 3, ... (a ragged
    right edge is normal; an optional header row is skipped). A header
    column named size gives each cohort's sign-ups; the average curve chains
    the ages and is weighted by size when every cohort has one. Cohort churn
    is 1 - q, with q the late monthly retention ratio; LTV is the discounted
    observed contribution plus a geometric tail at q (docs/model.md). With
    --assumptions, the average curve's late churn is shown beside the
    scenario's churn, with the MAU its plan reaches with each (the scenario
    as it is, and with retention = the average curve).
    """
    rows = read_cohorts(cohorts_file)
    compared = None
    if assumptions_file:
        if arpu is not None or gross_margin is not None:
            raise Refused("give --arpu and --gross-margin, or --assumptions, not both")
        a = load_assumptions(assumptions_file)
        name = scenario or a.scenario_names[0]
        ue = summary_unit_economics(a.scenario(name))
        arpu, gross_margin = ue["revenue_per_mau"], ue["gross_margin"]
        if gross_margin is None:
            raise Refused(
                f"{assumptions_file}: scenario {name!r} has no revenue, so no gross margin for a cohort LTV"
            )
        discount = a.scenario(name)["annual_discount_rate"] if discount is None else discount
        compared = dict(against_plan(rows, a.scenario(name)), scenario=name)
        if a.start:
            compared["labels"] = [month_label(t, a.start) for t in compared["months"]]
        margin = num(gross_margin, ".1%")
        where = (
            f"arpu {arpu:.4g} (revenue per MAU) and gross margin {margin} from {assumptions_file}, "
            f"scenario {name}"
        )
    else:
        if arpu is None or gross_margin is None:
            raise Refused("give --arpu and --gross-margin (or --assumptions FILE) for the cohort LTV")
        where = f"arpu {arpu:g}, gross margin {num(gross_margin, '.1%')}"
    discount = 0.0 if discount is None else discount
    if not math.isfinite(discount):
        raise Refused(f"--discount must be a finite annual rate, got {discount:g}")
    if not math.isfinite(discount * 100):  # 1e308: a rate whose percentage is beyond floating point
        raise Refused(
            f"--discount {discount:g} is too large: as a percentage a year it overflows floating point"
        )
    try:  # a bad arpu, margin or rate: one line naming the flag (or the file's key), exit 2
        cohort_ltv([1.0], arpu, gross_margin, discount, tail=False)
    except InputError as e:
        flag = {"arpu": "--arpu", "gross_margin": "--gross-margin", "annual": "--discount"}.get(e.argument)
        if flag is None or assumptions_file:
            raise
        raise Refused(f"{flag}: {str(e).replace(e.argument, flag.removeprefix('--'), 1)}") from None
    sized = weighted(rows)
    how = "chained, weighted by size" if sized else "chained, unweighted"
    cohorts_ = [(c.name, c.retention, c.size) for c in rows] + [("average", average_curve(rows), None)]
    out = []
    for i, (name, r, size) in enumerate(cohorts_):
        row = {"cohort": name, "size": size, "months": len(r), "churn": None, "ltv": None, "note": ""}
        try:
            row["ltv"] = cohort_ltv(r, arpu, gross_margin, discount, tail=not no_tail)
            row["churn"] = cohort_churn(r) if len(r) > 1 else None
        except XlmodelError as e:
            if getattr(e, "argument", None) != "retention":  # an overflow: one line naming the cohort, exit 2
                raise XlmodelError(f"{cohorts_file}: cohort {name}: {e}") from None
            row["note"] = "one month: no tail" if len(r) < 2 else "does not decay: no tail"
            row["ltv"] = None
            row["churn"] = cohort_churn(r) if len(r) > 1 else None
        if i == len(rows):  # the average curve: says how it is averaged
            row["retention"] = r
            row["note"] = how + (f"; {row['note']}" if row["note"] else "")
        out.append(row)
    if as_json:
        echo(
            dumps(
                {
                    "source": str(cohorts_file),
                    "arpu": arpu,
                    "gross_margin": gross_margin,
                    "annual_discount_rate": discount,
                    "tail": not no_tail,
                    "weighted": sized,
                    "cohorts": out,
                    **({"against_plan": compared} if compared else {}),
                }
            )
        )
        return
    echo(
        f"{cohorts_file}: {len(rows)} cohorts; {where}, discount {num(discount, '.1%')} a year"
        + ("" if not no_tail else "; observed months only")
    )
    echo("")
    size_w = max([len("size")] + [len(num(c.size, ",.0f")) for c in rows]) if sized else 0
    size_head = f"  {'size':>{size_w}}" if sized else ""
    echo(f"{'cohort':<8}{size_head}  {'months':>6}  {'churn':>7}  {'ltv':>12}")
    for r in out:
        size = f"  {num(r['size'], ',.0f') if r['size'] is not None else '':>{size_w}}" if sized else ""
        echo(
            f"{r['cohort']:<8}{size}  {r['months']:>6}  {num(r['churn'], '.1%'):>7}  "
            f"{num(r['ltv'], ',.4f'):>12}" + (f"  ({r['note']})" if r["note"] else "")
        )
    if compared:
        _print_against_plan(compared)


def _print_against_plan(c: dict) -> None:
    """The average curve's late churn beside the scenario's churn, and the MAU the plan reaches with each."""
    echo("")
    echo(f"observed against assumed (scenario {c['scenario']}; MAU by the engine's plan):")
    labels = c.get("labels") or [""] * len(c["months"])
    heads = [
        f"MAU month {t} ({lab})" if c.get("labels") else f"MAU month {t}"
        for t, lab in zip(c["months"], labels)
    ]
    assumed = [num(x, ",.0f") for x in c["mau_assumed"]]
    curve = [num(x, ",.0f") for x in (c["mau_curve"] or [None] * len(c["months"]))]
    cells = [
        ["", "churn"] + heads,
        ["assumed (the scenario as is)", num(c["assumed_churn"], ".1%")] + assumed,
        ["observed (average curve, late churn)", num(c["observed_churn"], ".1%")] + curve,
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    for r in cells:
        echo("  " + "  ".join([r[0].ljust(widths[0])] + [x.rjust(w) for x, w in zip(r[1:], widths[1:])]))
    for note in c["notes"]:
        echo(f"note: {note}")
    echo(
        "note: with the curve, every cohort follows the average curve and the users already there decay at "
        "its late churn"
    )
