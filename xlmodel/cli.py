"""The ``xlmodel`` command line: a thin adapter over the engine and the workbooks.

Every library error becomes a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from . import assumptions as _assumptions
from .engine import OUTPUT_UNITS, summary
from .errors import XlmodelError

EPILOG_MAIN = """\b
Examples:
  xlmodel calc examples/llm-assistant-2024.toml
  xlmodel new model -a examples/llm-assistant-2024.toml -o model.xlsx
  xlmodel verify model.xlsx
  xlmodel price gpt-4o-mini --kind output
"""


class Refused(click.ClickException):
    """Bad input or a file we will not overwrite: exit status 2, nothing written."""

    exit_code = 2


class XlmodelGroup(click.Group):
    """Every failure a user can cause is one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except XlmodelError as e:
            click.echo(f"Error: {_one_line(str(e))}", err=True)
            ctx.exit(2)
        except click.UsageError as e:  # a bad option or argument: one line, with where to look
            cmd = f" {e.ctx.info_name}" if e.ctx is not None and e.ctx.parent is not None else ""
            click.echo(f"Error: {_one_line(e.format_message())} (see xlmodel{cmd} --help)", err=True)
            ctx.exit(2)
        except OSError as e:  # a file system refusal: a name too long, a read-only folder, a full disk
            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"Error: {_one_line(where + (e.strerror or str(e)))}", err=True)
            ctx.exit(2)


def _one_line(text: str, limit: int = 500) -> str:
    """A message as one line, with what it quotes shortened (a 1 MB value is not echoed whole)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 25] + f"... ({len(text):,} characters)"


@click.group(cls=XlmodelGroup, epilog=EPILOG_MAIN, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlmodel")
def main():
    """LLM unit economics for finance teams: CAC, LTV, payback, compute cost,
    runway and small-model migration NPV, as numbers and as Excel workbooks.

    Definitions: docs/model.md. Assumptions files: see examples/.
    """


# ------------------------------------------------------------------ formatting


def format_value(name: str, value: float, currency: str) -> str:
    """How a number reads in the terminal table."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "never"
    unit = OUTPUT_UNITS[name]
    if unit.startswith("fraction"):
        return f"{value * 100:,.1f}%"
    if unit == "ratio":
        return f"{value:,.2f}x"
    if unit == "months":
        return f"{value:,.1f}"
    if unit == "month":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def format_unit(name: str, currency: str) -> str:
    return OUTPUT_UNITS[name].replace("currency", currency)


def json_value(value: float):
    return "never" if isinstance(value, float) and math.isinf(value) else value


def _load(path) -> _assumptions.Assumptions:
    return _assumptions.load(path) if path else _assumptions.default()


@main.command(epilog="""\b
Examples:
  xlmodel calc examples/llm-assistant-2024.toml
  xlmodel calc examples/llm-assistant-2024.toml --scenario downside --json
""")
@click.argument("assumptions_file", type=click.Path(dir_okay=False), required=False)
@click.option("-s", "--scenario", help="Scenario to compute (default: the first in the file).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def calc(assumptions_file, scenario, as_json):
    """Print every unit-economics output, the runway and the migration NPV.

    ASSUMPTIONS_FILE is a TOML file (see examples/); without it, the bundled
    defaults (the 2024 consumer assistant example) are used. Values that never
    happen (payback, cash run-out) print as "never".
    """
    a = _load(assumptions_file)
    name = scenario or a.scenario_names[0]
    s = a.scenario(name)
    out = summary(s)
    mix = a.mixes.get(name)
    if as_json:
        doc = {
            "model": a.name, "currency": a.currency, "scenario": name, "source": a.source,
            "outputs": {k: json_value(v) for k, v in out.items()},
            "units": {k: format_unit(k, a.currency) for k in out},
        }
        if mix:
            doc["mix"] = {"shares": mix, "fx": s["fx"], "price_data": a.price_data,
                          "prices": {k: s[k] for k in _assumptions.MIX_PRICES},
                          "unit": f"{a.currency} per 1M tokens"}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    rows = [(k, format_value(k, v, a.currency), format_unit(k, a.currency)) for k, v in out.items()]
    w0 = max(len(r[0]) for r in rows + [("metric",)])
    w1 = max(len(r[1]) for r in rows + [("", "value")])
    click.echo(f"{a.name}: scenario {name} ({a.source})")
    click.echo("")
    click.echo(f"{'metric':<{w0}}  {'value':>{w1}}  unit")
    for k, v, u in rows:
        click.echo(f"{k:<{w0}}  {v:>{w1}}  {u}")
    ranged = a.ranges.get(name, {})
    if ranged:
        click.echo("")
        click.echo(f"{len(ranged)} inputs are ranges ({', '.join(ranged)}): these numbers use their base "
                   "values; xlmodel simulate draws them")
    if mix:
        click.echo("")
        click.echo(f"model mix: {', '.join(f'{m} {sh:.0%}' for m, sh in mix.items())}; "
                   f"fx {s['fx']:g} {a.currency} per USD ({a.price_data})")
        for k in _assumptions.MIX_PRICES:
            click.echo(f"{k:<{w0}}  {s[k]:>{w1}.4f}  {a.currency} per 1M tokens")


@main.command(epilog="""\b
Examples:
  xlmodel simulate examples/llm-assistant-2024.toml
  xlmodel simulate examples/llm-assistant-2024.toml --draws 100000 --seed 7 --json
  xlmodel simulate examples/llm-assistant-2024.toml --scenario downside
""")
@click.argument("assumptions_file", type=click.Path(dir_okay=False), required=False)
@click.option("-s", "--scenario", help="Scenario to simulate (default: the first in the file).")
@click.option("--draws", type=click.IntRange(1, 10_000_000),
              help="Number of draws (default: [model] draws in the file, else 10,000).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Random seed (default: [model] seed, else 0).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def simulate(assumptions_file, scenario, draws, seed, as_json):
    """Monte Carlo over the ranged inputs: every output's mean, P5..P95 and share never.

    Inputs given as ranges in the file (churn = { low = 0.35, mode = 0.45,
    high = 0.60 }) are drawn (PERT with a mode, uniform without, or
    dist = "triangular"), correlated as the [correlations] table says, and
    the model is run on every draw. Same file, draws and seed: the same
    numbers, bit for bit. Also prints the share of draws whose runway is
    below 6, 12, 18 and 24 months, and a tornado of the runway (each range's
    low and high, every other input at its base value).
    """
    from .simulate import SHARE_BELOW, simulate as _simulate

    a = _load(assumptions_file)
    name = scenario or a.scenario_names[0]
    a.scenario(name)  # unknown scenario: one line, exit 2
    n = draws if draws is not None else a.draws
    k = seed if seed is not None else a.seed
    sim = _simulate(a.simulation_inputs(name), draws=n, seed=k, correlations=a.correlations_for(name),
                     scenario=name)
    if as_json:
        doc = {"model": a.name, "currency": a.currency, "source": a.source, **sim.summary(),
               "units": {o: format_unit(o, a.currency) for o in sim.outputs}}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    click.echo(f"{a.name}: scenario {name}, {n:,} draws, seed {k} ({a.source})")
    if not sim.ranges:
        click.echo("no input of this scenario is a range: every draw is the base case (see calc)")
    for key, r in sim.ranges.items():
        click.echo(f"  {key:<22} {r.describe()}")
    for (x, y), rho in sim.correlations.items():
        click.echo(f"  correlation {x},{y} = {rho:g} (Spearman)")
    click.echo("")
    cols = ["mean"] + [f"p{p}" for p in (5, 10, 50, 90, 95)]
    rows = []
    for o in sim.outputs:
        st = sim.stats(o)
        cells = [_compact(o, None if math.isnan(st[c]) else st[c], a.currency) for c in cols]
        never = f"{st['share_never']:.1%}" if "share_never" in st else ""
        na = f"{st['share_na']:.1%}" if st["share_na"] else ""
        rows.append([o] + cells + [never, na, format_unit(o, a.currency)])
    head = ["output"] + cols + ["never", "n/a", "unit"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head) - 1)]
    line = lambda r: "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:-1], widths[1:])]  # noqa: E731
                               + [r[-1]]).rstrip()
    click.echo(line(head))
    for r in rows:
        click.echo(line(r))
    click.echo("")
    click.echo("runway below " + ", ".join(f"{m} months: {sim.share_below(m):.1%}" for m in SHARE_BELOW)
               + " of draws")
    tor = sim.tornado("runway_months")
    if tor:
        click.echo("")
        click.echo("tornado of runway_months (each input at its low and high, the rest at base):")
        w = max(len(r["input"]) for r in tor)
        for r in tor:
            lo, hi = (format_value("runway_months", r[x], a.currency) for x in ("at_low", "at_high"))
            click.echo(f"  {r['input']:<{w}}  low {r['low']:<12.6g} -> {lo:>7}   high {r['high']:<12.6g} -> {hi:>7}")


def _compact(name: str, value, currency: str) -> str:
    """format_value, with money of a million or more as 13.36M / -8.33B so that a row of percentiles fits."""
    if value is not None and not math.isinf(value) and OUTPUT_UNITS[name].startswith("currency") \
            and abs(value) >= 1e6:
        for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
            if abs(value) >= div:
                return f"{value / div:,.2f}{suffix}"
    return format_value(name, value, currency)


def _num(v, fmt: str) -> str:
    return "n/a" if v is None else format(v, fmt)


@main.command(epilog="""\b
Examples:
  xlmodel fit examples/actuals-2024.csv
  xlmodel fit examples/actuals-2024.csv --window 3 --json
  xlmodel fit examples/actuals-2024.csv -o fitted.toml --currency RMB
  xlmodel calc fitted.toml
""")
@click.argument("actuals_file", type=click.Path(dir_okay=False))
@click.option("--window", type=click.IntRange(1, None), default=3, show_default=True,
              help="Months at the end that the fitted drivers come from (ratios of sums).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the fitted scenario as an assumptions file (TOML), scenario 'actuals'.")
@click.option("--currency", default="USD", show_default=True, help="Currency named in the written file.")
@click.option("--horizon", type=click.IntRange(1, 1200), default=60, show_default=True,
              help="Months the written file projects.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def fit(actuals_file, window, as_json, output, currency, horizon, force):
    """Fit the model's drivers from monthly actuals (CSV), month by month and over the last --window months.

    ACTUALS_FILE has a header row with the columns month (YYYY-MM), ad_spend,
    new_users, paid_new_users, mau, paying_users, revenue, compute_cost,
    fixed_costs, cash (end of month), and one row per month in order. The
    fitted scenario starts from the last month (its cash, MAU and ad spend),
    so `calc` on the written file continues the projection from there.
    Unexplained cash is last month's cash less this month's net burn less
    this month's cash: interest, timing, anything the model does not see.
    """
    from .actuals import DRIVERS, FITTED, fit_actuals, fitted_toml, read_actuals

    table = read_actuals(actuals_file)
    try:
        f = fit_actuals(table, window)
    except XlmodelError as e:
        raise Refused(f"--window: {e}") from None
    text = None
    if output:
        out = Path(output)
        if out.exists() and not force:
            raise Refused(f"{out} exists; pass --force to overwrite it")
        text = fitted_toml(f, currency=currency, horizon=horizon)
    if as_json:
        click.echo(json.dumps({"source": table.source, **f.as_dict(), "ignored_columns": table.ignored},
                              indent=2, ensure_ascii=False))
    else:
        click.echo(f"{table.source}: {len(table)} months, {table.months[0]}..{table.months[-1]}")
        if table.ignored:
            click.echo(f"note: columns ignored (not in the model): {', '.join(table.ignored)}")
        click.echo("")
        fmts = {"cac": ",.2f", "paid_share": ".1%", "churn": ".1%", "conversion": ".2%", "arppu": ",.2f",
                "cost_per_mau": ",.4f", "net_burn": ",.0f", "unexplained_cash": ",.0f"}
        head = ["month"] + list(DRIVERS)
        rows = [[r["month"]] + [_num(r[k], fmts[k]) for k in DRIVERS] for r in f.drivers_by_month]
        widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            click.echo("  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]))
        span = f.window[0] if len(f.window) == 1 else f"{f.window[0]}..{f.window[-1]}"
        click.echo("")
        click.echo(f"fitted over {span} (ratios of sums; cash, mau and ad_spend of {f.window[-1]}):")
        fm = dict(fmts, cash=",.0f", mau=",.0f", ad_spend=",.0f", fixed_costs=",.0f")
        for k in FITTED:
            click.echo(f"  {k:<14} {_num(f.fitted[k], fm[k]):>18}")
    if text is not None:
        from .fsutil import write_atomic

        try:
            write_atomic(Path(output), text.encode("utf-8"), force=force)
        except FileExistsError:
            raise Refused(f"{output} exists; pass --force to overwrite it") from None
        click.echo(f"Wrote {output} (scenario actuals)", err=as_json)


@main.command(epilog="""\b
Examples:
  xlmodel cohorts examples/cohorts-2024.csv --arpu 0.3 --gross-margin 0.5 --discount 0.12
  xlmodel cohorts examples/cohorts-2024.csv -a examples/llm-assistant-2024.toml --scenario upside
  xlmodel cohorts examples/cohorts-2024.csv --arpu 0.3 --gross-margin 0.5 --json
""")
@click.argument("cohorts_file", type=click.Path(dir_okay=False))
@click.option("--arpu", type=float, help="Revenue per active user per month.")
@click.option("--gross-margin", type=float, help="Gross margin, e.g. 0.6.")
@click.option("--discount", type=float, help="Annual effective discount rate (default 0, or the file's).")
@click.option("-a", "--assumptions", "assumptions_file", type=click.Path(dir_okay=False),
              help="Take arpu (revenue per MAU), gross margin and discount rate from this assumptions file.")
@click.option("-s", "--scenario", help="Scenario of --assumptions (default: the first).")
@click.option("--no-tail", is_flag=True, help="Observed months only, no geometric tail.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def cohorts(cohorts_file, arpu, gross_margin, discount, assumptions_file, scenario, no_tail, as_json):
    """LTV and churn of each signup cohort from a retention triangle (CSV), and of the average curve.

    COHORTS_FILE has one row per signup cohort: the cohort month (YYYY-MM),
    then the share of the cohort active in its months 1, 2, 3, ... (a ragged
    right edge is normal; an optional header row is skipped). Cohort churn
    is 1 - q, with q the late monthly retention ratio; LTV is the discounted
    observed contribution plus a geometric tail at q (docs/model.md).
    """
    from .actuals import average_curve, cohort_churn, cohort_ltv, read_cohorts

    rows = read_cohorts(cohorts_file)
    if assumptions_file:
        if arpu is not None or gross_margin is not None:
            raise Refused("give --arpu and --gross-margin, or --assumptions, not both")
        a = _assumptions.load(assumptions_file)
        name = scenario or a.scenario_names[0]
        from .engine import summary_unit_economics

        ue = summary_unit_economics(a.scenario(name))
        arpu, gross_margin = ue["revenue_per_mau"], ue["gross_margin"]
        if gross_margin is None:
            raise Refused(f"{assumptions_file}: scenario {name!r} has no revenue, so no gross margin for a cohort LTV")
        discount = a.scenario(name)["annual_discount_rate"] if discount is None else discount
        where = f"arpu {arpu:.4g} (revenue per MAU) and gross margin {gross_margin:.1%} from {assumptions_file}, " \
                f"scenario {name}"
    else:
        if arpu is None or gross_margin is None:
            raise Refused("give --arpu and --gross-margin (or --assumptions FILE) for the cohort LTV")
        where = f"arpu {arpu:g}, gross margin {gross_margin:.1%}"
    discount = 0.0 if discount is None else discount
    cohorts_ = [(c.name, c.retention) for c in rows] + [("average", average_curve(rows))]
    out = []
    for name, r in cohorts_:
        row = {"cohort": name, "months": len(r), "churn": None, "ltv": None, "note": ""}
        try:
            row["ltv"] = cohort_ltv(r, arpu, gross_margin, discount, tail=not no_tail)
            row["churn"] = cohort_churn(r) if len(r) > 1 else None
        except XlmodelError as e:
            if e.argument != "retention":  # bad arpu, margin or rate: one line, exit 2
                raise
            row["note"] = "one month: no tail" if len(r) < 2 else "does not decay: no tail"
            row["ltv"] = None
            row["churn"] = cohort_churn(r) if len(r) > 1 else None
        out.append(row)
    if as_json:
        click.echo(json.dumps({"source": str(cohorts_file), "arpu": arpu, "gross_margin": gross_margin,
                               "annual_discount_rate": discount, "tail": not no_tail, "cohorts": out},
                              indent=2, ensure_ascii=False))
        return
    click.echo(f"{cohorts_file}: {len(rows)} cohorts; {where}, discount {discount:.1%} a year"
               + ("" if not no_tail else "; observed months only"))
    click.echo("")
    click.echo(f"{'cohort':<8}  {'months':>6}  {'churn':>7}  {'ltv':>12}")
    for r in out:
        click.echo(f"{r['cohort']:<8}  {r['months']:>6}  {_num(r['churn'], '.1%'):>7}  {_num(r['ltv'], ',.4f'):>12}"
                   + (f"  ({r['note']})" if r["note"] else ""))


def _parse_mix(text: str) -> tuple[list[str], list[float]]:
    models, shares = [], []
    for part in text.split(","):
        model, sep, share = part.partition("=")
        try:
            if not sep:
                raise ValueError
            shares.append(float(share))
        except ValueError:
            raise Refused(f"--mix: each entry must be MODEL=SHARE (e.g. gpt-4o-mini=0.8), got {part.strip()!r}") from None
        models.append(model.strip())
    return models, shares


@main.command(epilog="""\b
Examples:
  xlmodel price gpt-4o-mini
  xlmodel price gpt-4o-mini --kind output
  xlmodel price gpt-4o-mini --kind output --fx 7.2     # RMB at 7.2 per USD
  xlmodel price --mix gpt-4o-mini=0.8,gpt-4o=0.2 --fx 7.2
  xlmodel price claude-3-5-sonnet --kind cached_input --provider anthropic
""")
@click.argument("model", required=False)
@click.option("--kind", type=click.Choice(["input", "output", "cached_input"]), default="input", show_default=True,
              help="Which price.")
@click.option("--provider", help="Provider id, e.g. openai or anthropic (default: the model's vendor).")
@click.option("--fx", type=float, default=1.0, show_default=True,
              help="Model currency per 1 USD: the price is multiplied by it (7.2 for RMB at 7.2 per USD).")
@click.option("--mix", "mix", metavar="MODEL=SHARE,...",
              help="A routing mix instead of MODEL: shares sum to 1. Prints input, cached input and output prices.")
def price(model, kind, provider, fx, mix):
    """Print a model's price per 1M tokens (USD times --fx; genai-prices' bundled data, offline).

    With --mix, print the blended prices of a routing mix of models,
    fx * sum(share * price), for each kind.
    """
    from .prices import mix_price, price as _price, price_data_date

    if (model is None) == (mix is None):
        raise Refused("give a MODEL or --mix MODEL=SHARE,..., not both and not neither")
    if model is not None:
        click.echo(f"{_price(model, kind, provider, fx):g}")
        return
    models, shares = _parse_mix(mix)
    values = {k: mix_price(models, shares, k, fx, provider) for k in ("input", "cached_input", "output")}
    click.echo(f"mix: {', '.join(f'{m} {s:g}' for m, s in zip(models, shares))}; fx {fx:g} ({price_data_date()})")
    for k, v in values.items():
        click.echo(f"{k:<13} {v:g}")


# ------------------------------------------------------------------ workbooks


@main.command(epilog="""\b
Example:
  xlmodel templates
""")
def templates():
    """List the workbook templates, a line each."""
    from .workbook import TEMPLATES

    w = max(len(k) for k in TEMPLATES)
    for key, t in TEMPLATES.items():
        click.echo(f"{key:<{w}}  {t.summary}")


def _template_choice():
    # Names only; the workbook code is imported when a command runs.
    return click.Choice(["unit-economics", "runway", "migration", "model", "risk", "cohorts"])


@main.command(epilog="""\b
Examples:
  xlmodel new model -o my-model.xlsx
  xlmodel new runway -a examples/llm-assistant-2024.toml -o runway.xlsx --months 60
  xlmodel new migration -a examples/saas-copilot.toml -o migration.xlsx
  xlmodel new model --formulas udf -o live.xlsx
  xlmodel new risk -a examples/llm-assistant-2024.toml -o risk.xlsx
  xlmodel new cohorts --cohorts examples/cohorts-2024.csv -o cohorts.xlsx
  xlmodel new model --actuals examples/actuals-2024.csv -o plan.xlsx
""")
@click.argument("template", type=_template_choice())
@click.option("-a", "--assumptions", "assumptions_file", type=click.Path(dir_okay=False),
              help="Assumptions file (TOML). Default: the bundled 2024 consumer assistant example.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Workbook to write (.xlsx).")
@click.option("--months", type=click.IntRange(1, 1200), help="Month columns on the timeline (default: the file's horizon, 60).")
@click.option("--formulas", type=click.Choice(["native", "udf"]), default="native", show_default=True,
              help="udf: headline cells call the =LLM_* Excel functions, native formulas kept beside them.")
@click.option("--cohorts", "cohorts_file", type=click.Path(dir_okay=False),
              help="Retention triangle (CSV) for the cohorts template.")
@click.option("--actuals", "actuals_file", type=click.Path(dir_okay=False),
              help="Monthly actuals (CSV) for an Actuals sheet and an 'actuals' scenario (model template).")
@click.option("--window", type=click.IntRange(1, None), default=3, show_default=True,
              help="With --actuals: months at the end that the fitted drivers come from.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def new(template, assumptions_file, output, months, formulas, cohorts_file, actuals_file, window, force):
    """Generate a workbook with live Excel formulas from an assumptions file."""
    from .workbook import build, save_atomic

    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise Refused(f"{out}: the output must be an .xlsx file")
    if out.exists() and not force:
        raise Refused(f"{out} exists; pass --force to overwrite it")
    if not out.parent.is_dir():
        raise Refused(f"{out}: folder {out.parent} does not exist")
    if (template == "cohorts") != bool(cohorts_file):
        raise Refused("--cohorts FILE.csv goes with the cohorts template, and the cohorts template needs it")
    if actuals_file and template != "model":
        raise Refused("--actuals goes with the model template (xlmodel new model --actuals FILE.csv)")
    a = _load(assumptions_file)
    for s in a.scenarios.values():  # what calc would refuse (an input so extreme it overflows), new refuses too
        summary(s)
    extra = {}
    if cohorts_file:
        from .actuals import read_cohorts

        extra = dict(cohorts=read_cohorts(cohorts_file), cohort_source=Path(cohorts_file).name)
    if actuals_file:
        from .actuals import fit_actuals, read_actuals

        table = read_actuals(actuals_file)
        try:
            extra = dict(actuals=table, fit=fit_actuals(table, window))
        except XlmodelError as e:
            raise Refused(f"--window: {e}") from None
    wb = build(template, a, months=months, formulas=formulas, **extra)
    try:
        save_atomic(wb, out, force=force)
    except FileExistsError:
        raise Refused(f"{out} exists; pass --force to overwrite it") from None
    n_scen = len(a.scenarios) + (1 if actuals_file else 0)
    click.echo(f"Wrote {out} ({template}, {n_scen} scenario(s), {months or a.horizon} months)")


@main.command(epilog="""\b
Examples:
  xlmodel verify my-model.xlsx
  xlmodel verify my-model.xlsx --scenario downside
""")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("-s", "--scenario", help="Select this scenario in the workbook before recalculating (model template).")
@click.option("--tolerance", type=float, default=1e-9, show_default=True,
              help="Relative tolerance, 0 or more and below 1.")
def verify(workbook, scenario, tolerance):
    """Recalculate WORKBOOK in LibreOffice and compare every named output with the engine.

    Needs LibreOffice Calc (soffice) on the PATH. Exit status 0 when every
    number agrees, 1 when one does not, 2 on bad input.
    """
    from .workbook.verify import verify_workbook

    if not 0 <= tolerance < 1:  # also refuses nan
        raise Refused(f"--tolerance must be 0 or more and below 1, got {tolerance!r}")
    report = verify_workbook(workbook, scenario=scenario, rtol=tolerance)
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@main.command(epilog="""\b
Example:
  xlmodel regenerate workbooks/
""")
@click.argument("folder", type=click.Path(file_okay=False), default="workbooks")
def regenerate(folder):
    """Rewrite the committed template workbooks in FOLDER from the defaults, and FOLDER/lite/ (the xlwings Lite
    bundle, with today's prices)."""
    from .workbook import regenerate_folder

    for path in regenerate_folder(Path(folder)):
        click.echo(f"Wrote {path}")


from .cli_excel import lite, xlwings_conf  # noqa: E402  (the Excel set-up commands: their own module)

main.add_command(lite)
main.add_command(xlwings_conf)

if __name__ == "__main__":  # pragma: no cover
    main()
