"""What the Excel functions say (issue 26): LLM_PLAN answers every output ``xlmodel calc --json`` prints, the
texts print money as the command line does (one formatter, :mod:`xlmodel.outputs`), and each argument's help
is its own function's."""

from __future__ import annotations

import inspect
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import workbook_examples
from xlmodel import assumptions
from xlmodel.cli import main
from xlmodel.params import PARAMS
from xlmodel.udfs import EXCEL_FUNCTIONS
from xlmodel.udfs.cells import arg_doc
from xlmodel.udfs.plan import LLM_PLAN
from xlmodel.udfs.solve import LLM_SOLVE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = workbook_examples("model")


def _tables(path: Path, name: str) -> tuple[list, list, list]:
    """LLM_PLAN's inputs, changes and funding tables holding the scenario as the assumptions file gives it."""
    inputs, changes, funding, _, _ = _all_tables(path, name)
    return inputs, changes, funding


def _entries(entries: list) -> list | None:
    """A table of dated entries with a header row naming its columns (None: no entry)."""
    keys = list(dict.fromkeys(k for e in entries for k in e))
    return [keys] + [[e.get(k) for k in keys] for e in entries] if entries else None


def _all_tables(path: Path, name: str) -> tuple[list, list, list, list | None, list | None]:
    """LLM_PLAN's inputs, changes, funding, team and capex tables holding the scenario as the file gives it."""
    a = assumptions.load(path)
    s = a.scenario(name)
    skip = ("cost_per_mau",) if "input_tokens" in s else ()  # derived from the tokens: one or the other
    inputs = [["name", "value"]] + [
        [k, float(v)]
        for k, v in s.items()
        if k in PARAMS
        and k not in skip
        and isinstance(v, (int, float))
        and not isinstance(v, bool)
        and v != PARAMS[k].default  # what the file gives (a default given makes a migration input "set")
    ]
    if a.start:
        inputs.append(["start", a.start])
    changes = [["month", "driver", "level"]] + [
        [c["month"], k, v] for c in s.get("changes", []) for k, v in c.items() if k != "month"
    ]
    funding = _entries(s.get("funding") or []) or [["month", "amount"]]
    return inputs, changes, funding, _entries(s.get("team") or []), _entries(s.get("capex") or [])


def _calc_json(path: Path, name: str) -> dict:
    r = CliRunner().invoke(main, ["calc", str(path), "--scenario", name, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["outputs"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_llm_plan_answers_every_output_calc_prints(path):
    """Every name in ``calc --json``'s outputs, migration_npv and plan_migration_npv among them, is an answer of
    LLM_PLAN equal to calc's (never as "never", n/a as "n/a", yes/no as a boolean)."""
    name = assumptions.load(path).scenario_names[0]
    want = _calc_json(path, name)
    inputs, changes, funding, team, capex = _all_tables(path, name)
    for output, value in want.items():
        got = LLM_PLAN(inputs, changes, funding, output, None, team, capex)
        assert not (isinstance(got, str) and got.startswith("#VALUE!")), (output, got)
        if value is None:
            assert got == "n/a", output
        elif isinstance(value, str):
            assert got == value, output
        elif isinstance(value, bool):
            assert got is value, output
        else:
            assert got == pytest.approx(value, rel=1e-12, abs=1e-9), output


def test_the_example_answers_both_migration_npvs():
    path = ROOT / "examples" / "llm-assistant-2024.toml"
    want = _calc_json(path, "base")
    assert {"migration_npv", "plan_migration_npv", "migration_payback_month"} <= set(want)
    inputs, changes, funding = _tables(path, "base")
    assert LLM_PLAN(inputs, changes, funding, "migration_npv") == pytest.approx(want["migration_npv"])


PLAN = [
    ["cash", 1.2e6],
    ["mau", 5e4],
    ["ad_spend", 2e4],
    ["cac", 4.0],
    ["churn", 0.08],
    ["conversion", 0.05],
    ["arppu", 12.0],
    ["cost_per_mau", 0.3],
    ["fixed_costs", 1.5e5],
    ["horizon", 24],
]


@pytest.mark.parametrize(
    "output, needs",
    [
        ("migration_npv", "needs monthly_tokens and months"),
        ("migration_payback_month", "needs monthly_tokens and months"),
        ("plan_migration_npv", "needs migration_month"),
        ("runway_months_without_funding", "needs funding rounds"),
        ("cohort_payback_month", "needs a retention curve"),
    ],
)
def test_an_output_the_plan_lacks_says_what_it_needs(output, needs):
    """An output calc prints only with certain inputs: the message names them, not "must be one of"."""
    got = LLM_PLAN(PLAN, None, None, output)
    assert got.startswith(f"#VALUE! output {output} {needs}"), got


def test_an_unknown_output_is_named_and_the_list_is_every_output():
    got = LLM_PLAN(PLAN, None, None, "runway")
    assert got.startswith("#VALUE! output must be the name of an output, got 'runway': one of blended_cac"), (
        got
    )


# ------------------------------------------------------------------ money as the CLI prints it


BIG = [
    ["cash", 1e8],
    ["mau", 1e6],
    ["ad_spend", 2e7],
    ["cac", 4.0],
    ["churn", 0.08],
    ["conversion", 0.05],
    ["arppu", 12.0],
    ["cost_per_mau", 0.3],
    ["fixed_costs", 1e7],
    ["horizon", 24],
]


def test_llm_solve_prints_money_as_the_cli_does():
    """Out of reach: the output's range and the bounds read 212.26M, not 2.12261e+08."""
    from xlmodel import assumptions as A
    from xlmodel.outputs import compact, input_text
    from xlmodel.solve import solve

    got = LLM_SOLVE(BIG, "fixed_costs", "funding_need", 1e12, 1e6, 2e7)
    assert got.startswith("not reached: funding_need is "), got
    assert not re.search(r"\de[+-]\d", got), got  # no scientific notation
    doc = {"model": {"horizon": 24}, "scenarios": {"plan": dict(BIG[:-1])}}
    r = solve(A.from_dict(doc, "inputs").scenario(), "fixed_costs", "funding_need", 1e12, 1e6, 2e7)
    lo, hi = (compact("funding_need", v, "") for v in r.range)
    assert lo.endswith("M") and hi.endswith("M"), (lo, hi)  # hundreds of millions: the CLI's M
    assert got == (
        f"not reached: funding_need is {lo} to {hi} for fixed_costs from "
        f"{input_text('fixed_costs', 1e6, '')} to {input_text('fixed_costs', 2e7, '')}"
    )
    assert got.endswith("for fixed_costs from 1.00M to 20.00M"), got


def test_llm_solve_texts_label_months_with_the_plan_s_start():
    got = LLM_SOLVE(PLAN + [["start", "2025-01"]], "cash", "runway_months", 30, 0, 1000)
    assert got.startswith("not reached: runway_months is "), got
    assert "(2025-" in got and "e+" not in got, got


def test_one_formatter_for_the_terminal_and_the_cells():
    """The CLI imports the formatters from the engine side; the Excel functions never import the CLI."""
    import xlmodel.cli.common as common
    import xlmodel.cli.decision_text as decision_text
    import xlmodel.outputs as outputs

    for name in ("format_value", "format_unit", "compact", "HUGE"):
        assert getattr(common, name) is getattr(outputs, name), name
    for name in ("input_text", "output_text"):
        assert getattr(decision_text, name) is getattr(outputs, name), name
    assert outputs.compact("funding_need", 212_261_000.0, "USD") == "212.26M"
    assert outputs.compact("funding_need", -8.334e9, "USD") == "-8.33B"
    for mod in ("plan", "solve", "cells"):
        src = (ROOT / "xlmodel" / "udfs" / f"{mod}.py").read_text(encoding="utf-8")
        assert "from ..cli" not in src and "xlmodel.cli" not in src, mod
    assert math.isfinite(outputs.HUGE)


# ------------------------------------------------------------------ each argument's own help


def test_no_argument_help_speaks_of_another_function():
    """The shared help once told LLM_SOLVE's output "in LLM_PLAN optional, empty: the monthly projection"."""
    for fn, f in EXCEL_FUNCTIONS.items():
        for a in inspect.signature(f).parameters:
            doc = arg_doc(a, fn)
            others = set(re.findall(r"LLM_[A-Z_]+", doc)) - {fn}
            assert not others, (fn, a, doc)
            assert len(doc) <= 255, (fn, a)


def test_output_and_retention_help_fit_their_function():
    assert arg_doc("output", "LLM_PLAN").startswith("optional ")
    assert "projection" in arg_doc("output", "LLM_PLAN")
    assert not arg_doc("output", "LLM_SOLVE").startswith("optional")
    assert "projection" not in arg_doc("output", "LLM_SOLVE") and "target" in arg_doc("output", "LLM_SOLVE")
    assert arg_doc("retention", "LLM_PLAN").startswith("optional ")
    for fn in ("LLM_COHORT_LTV", "LLM_COHORT_CHURN"):
        assert not arg_doc("retention", fn).startswith("optional") and "churn at churn" not in arg_doc(
            "retention", fn
        )
