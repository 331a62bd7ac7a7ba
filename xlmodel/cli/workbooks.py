"""The workbook commands: ``templates``, ``new``, ``verify``, ``export`` and ``regenerate``.

The workbook code (openpyxl) is imported when one of them runs, not when the
command line starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..actuals import fit_actuals, read_actuals, read_cohorts
from ..engine import summary
from ..errors import XlmodelError
from ..text import clean_text
from .common import Refused, echo, load_assumptions

__all__ = ["templates", "new", "verify", "export", "regenerate"]


@click.command(
    epilog="""\b
Example:
  xlmodel templates
"""
)
def templates():
    """List the workbook templates, a line each."""
    from ..workbook import TEMPLATES

    w = max(len(k) for k in TEMPLATES)
    for key, t in TEMPLATES.items():
        echo(f"{key:<{w}}  {t.summary}")


def _template_choice():
    # Names only; the workbook code is imported when a command runs.
    return click.Choice(["unit-economics", "runway", "migration", "model", "risk", "cohorts"])


@click.command(
    epilog="""\b
Examples:
  xlmodel new model -o my-model.xlsx
  xlmodel new runway -a examples/llm-assistant-2024.toml -o runway.xlsx --months 60
  xlmodel new migration -a examples/saas-copilot.toml -o migration.xlsx
  xlmodel new model --formulas udf -o live.xlsx
  xlmodel new risk -a examples/llm-assistant-2024.toml -o risk.xlsx
  xlmodel new cohorts --cohorts examples/cohorts-2024.csv -o cohorts.xlsx
  xlmodel new model --actuals examples/actuals-2024.csv -o plan.xlsx
  xlmodel new model examples/plan-2024.toml --actuals examples/actuals-2024.csv --plan base -o pva.xlsx
"""
)
@click.argument("template", type=_template_choice())
@click.argument("assumptions_path", required=False, type=click.Path(dir_okay=False), metavar="[ASSUMPTIONS]")
@click.option(
    "-a",
    "--assumptions",
    "assumptions_file",
    type=click.Path(dir_okay=False),
    help="Assumptions file (TOML), or give it after TEMPLATE. Default: the bundled 2024 consumer "
    "assistant example.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), required=True, help="Workbook to write (.xlsx)."
)
@click.option(
    "--months",
    type=click.IntRange(1, 1200),
    help="Month columns on the timeline (default: the file's horizon, 60).",
)
@click.option(
    "--formulas",
    type=click.Choice(["native", "udf"]),
    default="native",
    show_default=True,
    help="udf: headline cells call the =LLM_* Excel functions, native formulas kept beside them.",
)
@click.option(
    "--cohorts",
    "cohorts_file",
    type=click.Path(dir_okay=False),
    help="Retention triangle (CSV) for the cohorts template.",
)
@click.option(
    "--actuals",
    "actuals_file",
    type=click.Path(dir_okay=False),
    help="Monthly actuals (CSV) for an Actuals sheet and an 'actuals' scenario (model template).",
)
@click.option(
    "--window",
    type=click.IntRange(1, None),
    default=3,
    show_default=True,
    help="With --actuals: months at the end that the fitted drivers come from.",
)
@click.option(
    "--plan",
    "plan",
    help="With --actuals: the scenario that was the plan; each actual month is "
    "compared with its calendar month ([model] start is month 1). Default: the first scenario.",
)
@click.option(
    "--grid",
    "grid",
    help="The Sensitivity sheet's two inputs, as a,b (e.g. churn,ad_growth). Default: the two that move the "
    "runway most (the tornado of the ranges, else a +/-20% band on the main drivers).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def new(
    template,
    assumptions_path,
    assumptions_file,
    output,
    months,
    formulas,
    cohorts_file,
    actuals_file,
    window,
    plan,
    grid,
    force,
):
    """Generate a workbook with live Excel formulas from an assumptions file."""
    from ..workbook import build, save_atomic

    if assumptions_path and assumptions_file:
        raise Refused("give the assumptions file once: after TEMPLATE or with -a, not both")
    assumptions_file = assumptions_file or assumptions_path
    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise Refused(f"{out}: the output must be an .xlsx file")
    if (out.exists() or out.is_symlink()) and not force:  # a dangling link is a file that exists
        raise Refused(f"{out} exists; pass --force to overwrite it")
    if not out.parent.is_dir():
        raise Refused(f"{out}: folder {out.parent} does not exist")
    if (template == "cohorts") != bool(cohorts_file):
        raise Refused("--cohorts FILE.csv goes with the cohorts template, and the cohorts template needs it")
    if actuals_file and template != "model":
        raise Refused("--actuals goes with the model template (xlmodel new model --actuals FILE.csv)")
    if plan is not None and not actuals_file:
        raise Refused(
            "--plan goes with --actuals: the plan is what the actuals are compared with "
            "(xlmodel new model --actuals FILE.csv --plan SCENARIO)"
        )
    a = load_assumptions(assumptions_file)
    for (
        s
    ) in a.scenarios.values():  # what calc would refuse (an input so extreme it overflows), new refuses too
        summary(s)
    extra = {}
    if cohorts_file:
        extra = dict(cohorts=read_cohorts(cohorts_file), cohort_source=Path(cohorts_file).name)
    note = None
    if actuals_file:
        from ..workbook.actuals_sheet import choose_plan, plan_note

        if plan is not None and plan not in a.scenarios:
            raise Refused(
                f"--plan: {a.source} has no scenario named {plan!r} (it has {', '.join(a.scenario_names)})"
            )
        table = read_actuals(actuals_file)
        try:
            extra = dict(actuals=table, fit=fit_actuals(table, window), plan=plan)
        except XlmodelError as e:
            raise Refused(f"--window: {e}") from None
        note = plan_note(table.months, a, choose_plan(a, plan), months or a.horizon)
    if grid is not None:
        pair = tuple(x.strip() for x in grid.split(","))
        if len(pair) != 2 or not all(pair) or pair[0] == pair[1]:
            raise Refused(f"--grid: two different input names as a,b (e.g. churn,ad_growth), got {grid!r}")
        extra["grid"] = pair
    wb = build(template, a, months=months, formulas=formulas, **extra)
    try:
        save_atomic(wb, out, force=force)
    except FileExistsError:
        raise Refused(f"{out} exists; pass --force to overwrite it") from None
    n_scen = len(a.scenarios) + (1 if actuals_file else 0)
    echo(f"Wrote {out} ({template}, {n_scen} scenario(s), {months or a.horizon} months)")
    if note:
        echo(f"note: {note}", err=True)


@click.command(
    epilog="""\b
Examples:
  xlmodel export model.xlsx -o plan.toml
  xlmodel export model.xlsx            # the TOML on standard output
"""
)
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", "out", type=click.Path(dir_okay=False), help="TOML file to write (default: print)."
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def export(workbook, out, force):
    """Write the plan a workbook generated by xlmodel holds (edited or not) as an assumptions file (TOML).

    Every input, change, funding round, range and correlation the workbook holds, with the Source column's
    notes as comments; `xlmodel calc` on the file gives the numbers `xlmodel calc` gives on the workbook.
    """
    from ..assumptions import from_dict
    from ..fsutil import check_target, write_atomic
    from ..plan_toml import plan_toml
    from ..workbook.read_plan import workbook_document

    if out:
        if Path(out).exists() and Path(workbook).exists() and Path(out).resolve() == Path(workbook).resolve():
            raise Refused(f"{clean_text(out)} is the workbook being read: give another name for the TOML")
        if Path(out).suffix.lower() != ".toml":
            raise Refused(f"{clean_text(out)}: export writes an assumptions file: give it a .toml name")
        try:
            check_target(out, force)
        except FileExistsError:
            raise Refused(f"{out} exists; pass --force to overwrite it") from None
    doc, notes = workbook_document(workbook, note=lambda t: echo(f"Note: {t}", err=True))
    from_dict(doc, str(workbook))  # the plan must be valid before anything is written
    text = plan_toml(
        doc, notes, header=f"The plan of {clean_text(Path(workbook).name)}, exported by xlmodel export."
    )
    if not out:
        click.echo(text, nl=False)  # a file's text for a pipe or a redirect, as written to a file
        return
    try:
        write_atomic(Path(out), text.encode("utf-8"), force=force)
    except FileExistsError:
        raise Refused(f"{out} exists; pass --force to overwrite it") from None
    echo(f"Wrote {out} ({len(doc['scenarios'])} scenario(s), {doc['model']['horizon']} months)")


@click.command(
    epilog="""\b
Examples:
  xlmodel verify my-model.xlsx
  xlmodel verify my-model.xlsx --scenario downside
"""
)
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-s", "--scenario", help="Select this scenario in the workbook before recalculating (model template)."
)
@click.option(
    "--tolerance",
    type=float,
    default=1e-9,
    show_default=True,
    help="Relative tolerance, 0 or more and below 1.",
)
def verify(workbook, scenario, tolerance):
    """Recalculate WORKBOOK in LibreOffice and compare every named output with the engine.

    Needs LibreOffice Calc (soffice) on the PATH. Exit status 0 when every
    number agrees, 1 when one does not, 2 on bad input.
    """
    from ..workbook.verify import verify_workbook

    if not 0 <= tolerance < 1:  # also refuses nan
        raise Refused(f"--tolerance must be 0 or more and below 1, got {tolerance!r}")
    report = verify_workbook(workbook, scenario=scenario, rtol=tolerance)
    for line in report.lines():
        echo(line)
    sys.exit(0 if report.ok else 1)


@click.command(
    epilog="""\b
Example:
  xlmodel regenerate workbooks/
"""
)
@click.argument("folder", type=click.Path(file_okay=False), default="workbooks")
def regenerate(folder):
    """Rewrite the committed template workbooks in FOLDER from the defaults, and FOLDER/lite/ (the xlwings Lite
    bundle, with today's prices)."""
    from ..workbook import regenerate_folder

    for path in regenerate_folder(Path(folder)):
        echo(f"Wrote {path}")
