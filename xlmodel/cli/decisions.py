"""The decision commands: ``solve`` (goal seek) and ``sensitivity`` (two-way grids), and the ``--plot`` option
that ``calc`` and ``simulate`` share with them.

Each parses its options, calls :func:`xlmodel.solve.solve` or :func:`xlmodel.sensitivity.sensitivity` once
and prints what the answer means, or JSON. A target that cannot be reached is an answer (exit 0, the output's
range over the bounds), not an error. Charts come from :mod:`xlmodel.plots` (matplotlib, the ``plot``
extra), imported when one is drawn.
"""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np

from ..errors import XlmodelError
from ..fsutil import check_target
from ..outputs import OUTPUT_UNITS  # one definition: the Excel functions' too
from ..params import PARAMS
from ..sensitivity import STATISTICS
from ..sensitivity import sensitivity as run_sensitivity
from ..solve import solve as run_solve
from .aliases import sensitivity_spellings
from .common import (
    Refused,
    assumptions_input,
    dumps,
    echo,
    format_unit,
    load_assumptions,
    not_empty,
    progress_bar,
)
from .decision_text import grid_text, solve_text

__all__ = [
    "solve",
    "sensitivity",
    "plot_option",
    "check_plot",
    "plot_plan",
    "plot_simulation",
    "parse_values",
]


# ------------------------------------------------------------------ solve


def _parse_target(text: str) -> tuple[str, float]:
    output, sep, value = text.partition("=")
    output, value = output.strip(), value.strip()
    if not sep or not output or not value:
        raise Refused(f"--target must be OUTPUT=VALUE, e.g. runway_months=18, got {text!r:.60}")
    if value.lower() == "never":
        return output, math.inf
    try:
        return output, float(value.replace("_", ""))
    except ValueError:
        raise Refused(
            f"--target: the target of {output} must be a number (or never), got {value!r:.40}"
        ) from None


@click.command(
    epilog="""\b
Examples:
  xlmodel solve examples/llm-assistant-2024.toml --vary ad_spend --target runway_months=18
  xlmodel solve examples/llm-assistant-2024.toml --vary cash --target runway_months=18 --stat p10
  xlmodel solve examples/llm-assistant-2024.toml --vary conversion --target contribution_per_mau=0
  xlmodel solve examples/llm-assistant-2024.toml -s cut-ads-raise --vary ad_spend --target funding_need=0
  xlmodel solve examples/llm-assistant-2024.toml --vary migration_month --target runway_months=27.5 --json
"""
)
@assumptions_input
@click.option(
    "--vary",
    required=True,
    metavar="INPUT",
    help="The scenario's own input to vary (ad_spend, conversion, cash, migration_month, ...).",
)
@click.option(
    "--target",
    "target_text",
    required=True,
    metavar="OUTPUT=VALUE",
    help="The output and its target, e.g. runway_months=18, funding_need=0, breakeven_month=24 "
    "(a never: runway_months=never).",
)
@click.option(
    "--stat",
    "statistic",
    type=click.Choice(STATISTICS),
    help="Target this statistic of the output over the file's ranges (the same draws for every trial).",
)
@click.option(
    "--between",
    nargs=2,
    type=float,
    metavar="LOW HIGH",
    help="Bounds of the input (default: its rule's range, or 0 to 10x its base value).",
)
@click.option("-s", "--scenario", help="Scenario (default: the first in the file).")
@click.option(
    "--draws",
    type=click.IntRange(1, 10_000_000),
    help="With --stat: number of draws (default: [model] draws in the file, else 10,000).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    help="With --stat: random seed (default: [model] seed, else 0).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")
def solve(assumptions_file, vary, target_text, statistic, between, scenario, draws, seed, as_json):
    """Goal seek: the value of one input at which an output reaches a target.

    What ad budget keeps 18 months of runway? What conversion breaks even
    by month 24? How much cash for a 90% chance of reaching month 18 (--stat
    p10)? Every crossing within the bounds is found (a grid of 256 values,
    64 with --stat, each narrowed to 1e-9); the answer is the one nearest the
    base. A step output (breakeven_month, a runway that jumps to never)
    gives the boundary and which side meets the target. A target that cannot
    be reached prints the output's range over the bounds (exit status 0;
    --json: "reached": false).
    """
    a = load_assumptions(assumptions_file)
    name = scenario or a.scenario_names[0]
    s = a.scenario(name)
    output, target = _parse_target(target_text)
    low, high = between if between else (None, None)
    if statistic:
        bar = progress_bar(1, unit="runs")  # engine runs (trial values x draws): on stderr, on a terminal
        try:
            r = run_solve(
                a.simulation_inputs(name),
                vary,
                output,
                target,
                low,
                high,
                statistic,
                draws if draws is not None else a.draws,
                seed if seed is not None else a.seed,
                a.correlations_for(name),
                progress=None if bar is None else lambda done, total: _advance(bar, done, total),
            )
        finally:
            if bar is not None:
                bar.close()
    else:
        r = run_solve(s, vary, output, target, low, high)
    if as_json:
        doc = {
            "model": a.name,
            "currency": a.currency,
            "scenario": name,
            "source": a.source,
            **r.as_dict(),
            "units": {
                "vary": PARAMS[vary].unit.replace("currency", a.currency),
                "output": format_unit(output, a.currency),
            },
        }
        echo(dumps(doc))
        return
    for line in solve_text(r, a, name):
        echo(line)


def _advance(bar, done: int, total: int) -> None:
    """A progress bar at ``done`` of ``total`` (a goal seek's total grows when its crossings need more)."""
    if bar.total != total:
        bar.total = total
    bar.update(done - bar.n)


# ------------------------------------------------------------------ sensitivity


def parse_values(text: str, option: str) -> tuple[str, np.ndarray]:
    """``churn=0.30:0.60:7`` (7 values from 0.30 to 0.60) or ``churn=0.3,0.45,0.6`` -> (input, values)."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip().replace("_", "")
    if not sep or not name or not spec:
        raise Refused(
            f"{option} must be INPUT=LOW:HIGH:COUNT or INPUT=V1,V2,..., e.g. churn=0.30:0.60:7, "
            f"got {text!r:.60}"
        )
    try:
        if ":" in spec:
            lo, hi, count = spec.split(":")
            n = int(count)
            if n < 2 or n > 1_000_000:
                raise Refused(f"{option}: COUNT must be a whole number from 2 to 1,000,000, got {count}")
            # 12 significant digits: 0.005:0.03:6 lists 0.01, not linspace's 0.009999999999999998
            return name, np.array([float(f"{v:.12g}") for v in np.linspace(float(lo), float(hi), n)])
        return name, np.array([float(v) for v in spec.split(",")])
    except ValueError:
        raise Refused(
            f"{option} must be INPUT=LOW:HIGH:COUNT or INPUT=V1,V2,... with numbers, got {text!r:.60}"
        ) from None


@click.command(
    epilog="""\b
Examples:
  xlmodel sensitivity examples/llm-assistant-2024.toml --rows churn=0.30:0.60:7 --cols conversion=0.005:0.03:6
  xlmodel sensitivity examples/llm-assistant-2024.toml --rows churn=0.3,0.45,0.6 --cols ad_spend=1e8:3e8:5 \\
      --of funding_need --json
  xlmodel sensitivity examples/llm-assistant-2024.toml --rows churn=0.30:0.60:7 --cols conversion=0.005:0.03:6 \\
      --stat p50 -o grid.xlsx --plot grid.png
"""
)
@assumptions_input
@click.option(
    "--rows",
    "rows_text",
    required=True,
    metavar="INPUT=LOW:HIGH:COUNT",
    help="The input down the rows and its values: churn=0.30:0.60:7, or churn=0.3,0.45,0.6.",
)
@click.option(
    "--cols",
    "cols_text",
    required=True,
    metavar="INPUT=LOW:HIGH:COUNT",
    help="The input across the columns and its values, the same way.",
)
@click.option(
    "--of",
    "output",
    metavar="OUTPUT",
    help="The output in the cells (any output calc prints).  [default: runway_months]",
)
@click.option(
    "--stat",
    "statistic",
    type=click.Choice(STATISTICS),
    help="Each cell is this statistic over the file's ranges (the same draws in every cell).",
)
@click.option("-s", "--scenario", help="Scenario (default: the first in the file).")
@click.option(
    "--draws",
    type=click.IntRange(1, 10_000_000),
    help="With --stat: number of draws (default: [model] draws in the file, else 10,000).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    help="With --stat: random seed (default: [model] seed, else 0).",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False),
    callback=not_empty,
    multiple=True,  # once; more only for the old spelling --output OUTPUT beside -o FILE (aliases.py)
    help="Also write the grid to a workbook (.xlsx).",
)
@click.option("--out", "old_out", type=click.Path(dir_okay=False), callback=not_empty, hidden=True)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    callback=not_empty,
    help="Also draw a heat map (PNG), the base outlined.",
)
@click.option("--force", is_flag=True, help="Overwrite the -o or --plot file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")
def sensitivity(
    assumptions_file,
    rows_text,
    cols_text,
    output,
    statistic,
    scenario,
    draws,
    seed,
    out,
    old_out,
    plot,
    force,
    as_json,
):
    """A two-way table of one output over two inputs, the base cell marked.

    Every cell is the model run with the two inputs at that cell's values
    (one vectorised engine call for the whole grid); with --stat, a
    simulation over the file's ranges, the same draws in every cell. At most
    1,000,000 cells. "[ ]" marks the base cell when the base values are on
    the grid.
    """
    output, out, notes = sensitivity_spellings(output, out, old_out)
    rows, cols = parse_values(rows_text, "--rows"), parse_values(cols_text, "--cols")
    if out:
        _check_file(out, force, ".xlsx", "-o")
    if plot:
        check_plot(plot, force)
    a = load_assumptions(assumptions_file)
    name = scenario or a.scenario_names[0]
    s = a.scenario(name)
    if statistic:
        bar = progress_bar(1, unit="runs")  # engine runs (cells x draws): on stderr, on a terminal
        try:
            g = run_sensitivity(
                a.simulation_inputs(name),
                rows,
                cols,
                output,
                statistic,
                draws if draws is not None else a.draws,
                seed if seed is not None else a.seed,
                a.correlations_for(name),
                progress=None if bar is None else lambda done, total: _advance(bar, done, total),
            )
        finally:
            if bar is not None:
                bar.close()
    else:
        g = run_sensitivity(s, rows, cols, output)
    for note in notes:  # after the work: a refusal stays one line
        echo(note, err=True)
    if out:
        _write_grid(g, a, name, out, force)
    if plot:
        from ..plots import sensitivity_plot

        sensitivity_plot(
            g,
            plot,
            title=f"{a.name}: {name}: {g.output}" + (f" ({g.statistic})" if g.statistic else ""),
            force=force,
        )
    if as_json:
        doc = {
            "model": a.name,
            "currency": a.currency,
            "scenario": name,
            "source": a.source,
            **g.as_dict(),
            "units": {
                "output": format_unit(g.output, a.currency),
                g.rows[0]: PARAMS[g.rows[0]].unit.replace("currency", a.currency),
                g.cols[0]: PARAMS[g.cols[0]].unit.replace("currency", a.currency),
            },
        }
        if g.statistic:
            doc.update(
                draws=draws if draws is not None else a.draws, seed=seed if seed is not None else a.seed
            )
        echo(dumps(doc))
        return
    for line in grid_text(g, a, name):
        echo(line)
    for path, what in ((out, "the grid"), (plot, "the heat map")):
        if path:
            echo(f"wrote {path} ({what})")


def _write_grid(g, a, name: str, path, force: bool) -> None:
    """The grid as a workbook: engine values, inputs in blue, the base cell highlighted."""
    import io

    from openpyxl import Workbook

    from ..fsutil import write_atomic
    from ..workbook import styles as st

    wb = Workbook()
    ws = wb.active
    ws.title = "Sensitivity"
    what = g.output if g.statistic is None else f"{g.statistic.upper()} of {g.output}"
    ws["A1"] = f"{a.name}: {what} by {g.rows[0]} and {g.cols[0]}"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"scenario {name} ({a.source}); {format_unit(g.output, a.currency)}; engine values, not formulas: "
        "run xlmodel sensitivity again after an input changes"
    )
    ws["A2"].font = st.SUBTITLE_FONT
    fmt = "0.0%" if OUTPUT_UNITS[g.output].startswith("fraction") else "#,##0.00"
    ws.cell(4, 1, f"{g.rows[0]} \\ {g.cols[0]}").font = st.HEADER_FONT
    ws.cell(4, 1).fill = st.HEADER_FILL
    for j, v in enumerate(g.cols[1]):
        c = ws.cell(4, j + 2, v)
        c.font, c.fill = st.INPUT_FONT, st.INPUT_FILL
    for i, rv in enumerate(g.rows[1]):
        c = ws.cell(i + 5, 1, rv)
        c.font, c.fill = st.INPUT_FONT, st.INPUT_FILL
        for j, v in enumerate(g.values[i]):
            v = float(v)
            cell = ws.cell(i + 5, j + 2, "never" if math.isinf(v) else ("n/a" if math.isnan(v) else v))
            cell.font, cell.number_format = st.FORMULA_FONT, fmt
            if g.base == (i, j):
                cell.fill, cell.font = st.SECTION_FILL, st.HEADLINE_FONT
    if g.base is not None:
        ws.cell(len(g.rows[1]) + 6, 1, "highlighted: the base cell").font = st.UNIT_FONT
    ws.column_dimensions["A"].width = max(14, len(ws.cell(4, 1).value) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(Path(path), buf.getvalue(), force=force)


# ------------------------------------------------------------------ --plot


def _check_file(path, force: bool, suffix: str, option: str) -> None:
    """A file to write, checked before any work (:func:`xlmodel.fsutil.check_target`)."""
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise Refused(f"{p}: {option} must name a {suffix} file")
    try:
        check_target(p, force)
    except FileExistsError:
        raise Refused(f"{p} exists; pass --force to overwrite it") from None


def check_plot(path, force: bool) -> None:
    """Refuse a --plot file before any work: not a .png, already there (without --force), no folder, no
    matplotlib."""
    from ..plots import require

    _check_file(path, force, ".png", "--plot")
    try:
        require()
    except XlmodelError as e:
        raise Refused(str(e)) from None


def plot_option(what: str):
    """``--plot FILE.png`` and ``--force`` for a command whose chart shows ``what``."""

    def deco(f):
        f = click.option(
            "--force", "plot_force", is_flag=True, help="Overwrite the --plot file if it exists."
        )(f)
        return click.option(
            "--plot",
            "plot",
            type=click.Path(dir_okay=False),
            callback=not_empty,
            metavar="FILE.png",
            help=f'Also draw {what} (PNG; needs the plot extra: pip install ".[plot]").',
        )(f)

    return deco


def _wrote(path, what: str, as_json: bool) -> None:
    echo(f"wrote {path} ({what})", err=as_json)


def plot_plan(a, name: str, scenario: dict, path, force: bool, as_json: bool = False) -> dict:
    """``calc --plot``: the plan's cash with and without the migration, and its net burn by line."""
    from ..plots import plan_plot

    data = plan_plot(
        scenario, path, start=a.start, currency=a.currency, title=f"{a.name}: {name}", force=force
    )
    _wrote(path, "cash with and without the migration, net burn by line", as_json)
    return data


def plot_simulation(a, name: str, sim, path, force: bool, as_json: bool = False) -> dict:
    """``simulate --plot``: the cash fan, the runway's histogram with its shares, the tornado."""
    from ..plots import simulation_plot

    data = simulation_plot(
        sim,
        path,
        start=a.start,
        currency=a.currency,
        title=f"{a.name}: {name}, {sim.draws:,} draws, seed {sim.seed}",
        force=force,
    )
    _wrote(path, "cash fan P10/P50/P90, runway histogram, tornado", as_json)
    return data
