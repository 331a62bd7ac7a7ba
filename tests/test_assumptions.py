from pathlib import Path

import pytest

import xlmodel as xm
from xlmodel import assumptions
from xlmodel.errors import AssumptionsError

ROOT = Path(__file__).resolve().parents[1]


def test_examples_load_and_compute():
    for path in (ROOT / "examples").glob("*.toml"):
        a = assumptions.load(path)
        assert len(a.scenarios) >= 2
        for s in a.scenarios.values():
            out = xm.engine.summary(s)
            assert ("migration_npv" in out) == ("monthly_tokens" in s)  # the standalone NPV, with its inputs


def test_assistant_example_has_three_scenarios_and_cites_sources():
    path = ROOT / "examples" / "llm-assistant-2024.toml"
    a = assumptions.load(path)
    assert a.scenario_names == ["base", "upside", "downside", "cut-ads-raise"]
    for line in path.read_text(encoding="utf-8").splitlines():
        if (
            "=" in line
            and not line.lstrip().startswith(("#", "["))
            and not line.startswith(("name", "currency"))
        ):
            assert "#" in line, f"uncited figure: {line}"


def test_bundled_defaults_are_the_assistant_example():
    packaged = (ROOT / "xlmodel" / "default_assumptions.toml").read_bytes()
    assert packaged == (ROOT / "examples" / "llm-assistant-2024.toml").read_bytes()


def test_later_scenarios_inherit_from_the_first():
    a = assumptions.load(ROOT / "examples" / "llm-assistant-2024.toml")
    base, down = a.scenario("base"), a.scenario("downside")
    assert down["cac"] == 50 and base["cac"] == 30
    assert down["mau"] == base["mau"]


def test_defaults_fill_what_is_missing():
    doc = {
        "scenarios": {
            "only": dict(
                cash=1e6, mau=1e4, ad_spend=1e4, cac=2, churn=0.1, conversion=0.05, arppu=10, cost_per_mau=0.5
            )
        }
    }
    s = assumptions.from_dict(doc).scenario()
    assert s["paid_share"] == 1.0 and s["ad_growth"] == 0.0 and s["fixed_costs"] == 0.0 and s["horizon"] == 60
    assert "monthly_tokens" not in s


def test_scenario_override_switches_cost_form():
    doc = {
        "scenarios": {
            "tokens": dict(
                cash=1e6,
                mau=1e4,
                ad_spend=1e4,
                cac=2,
                churn=0.1,
                conversion=0.05,
                arppu=10,
                input_tokens=1e6,
                output_tokens=1e5,
                input_price=1.0,
                output_price=4.0,
            ),
            "direct": dict(cost_per_mau=0.25),
        }
    }
    a = assumptions.from_dict(doc)
    assert a.scenario("tokens")["cost_per_mau"] == pytest.approx(1.4)
    assert a.scenario("direct")["cost_per_mau"] == 0.25 and "input_tokens" not in a.scenario("direct")


def test_migration_inputs_are_all_or_nothing():
    doc = {
        "scenarios": {
            "b": dict(
                cash=1,
                mau=1,
                ad_spend=1,
                cac=1,
                churn=0.1,
                conversion=0.1,
                arppu=1,
                cost_per_mau=1,
                monthly_tokens=1e9,
            )
        }
    }
    with pytest.raises(
        AssumptionsError, match="scenario 'b': large_price: is required for the standalone migration NPV"
    ):
        assumptions.from_dict(doc, "f.toml")
    # the plan's migration needs only the two prices (version 3: no monthly_tokens, months or monthly_revenue)
    doc["scenarios"]["b"] = dict(doc["scenarios"]["b"], monthly_tokens=None, migration_month=3)
    del doc["scenarios"]["b"]["monthly_tokens"]
    with pytest.raises(AssumptionsError, match="scenario 'b': large_price: is required with migration_month"):
        assumptions.from_dict(doc, "f.toml")
    doc["scenarios"]["b"].update(large_price=10, small_price=1)
    s = assumptions.from_dict(doc, "f.toml").scenario()
    assert s["migration_month"] == 3 and s["routed_share"] == 1 and "monthly_tokens" not in s


def test_bool_is_not_a_number():
    doc = {"scenarios": {"b": dict(cash=True)}}
    with pytest.raises(AssumptionsError, match="cash: must be a number, got bool True"):
        assumptions.from_dict(doc, "f.toml")


def test_scenario_names_must_differ_beyond_case():
    base = dict(cash=1, mau=1, ad_spend=1, cac=1, churn=0.1, conversion=0.1, arppu=1, cost_per_mau=1)
    with pytest.raises(AssumptionsError, match="'Base' and 'base' would show as the same name"):
        assumptions.from_dict({"scenarios": {"Base": base, "base": {}}}, "f.toml")


def test_scenario_names_that_collide_once_cleaned():
    """ "a\x01" and "a" become the same column name in a workbook: refused, as duplicates; a line break in a
    name is refused (it would print as a fake line on a terminal)."""
    base = dict(cash=1, mau=1, ad_spend=1, cac=1, churn=0.1, conversion=0.1, arppu=1, cost_per_mau=1)
    with pytest.raises(AssumptionsError, match="would show as the same name"):
        assumptions.from_dict({"scenarios": {"a\x01": base, "a": {}}}, "f.toml")
    with pytest.raises(AssumptionsError, match="must not be empty"):
        assumptions.from_dict({"scenarios": {"\x01\x02": base}}, "f.toml")
    for name in ("x\ny", "x\ry", "x\u2028y"):
        with pytest.raises(AssumptionsError, match="must be one line"):
            assumptions.from_dict({"scenarios": {name: base}}, "f.toml")


def test_model_text_is_cleaned_and_scenario_count_capped():
    base = dict(cash=1, mau=1, ad_spend=1, cac=1, churn=0.1, conversion=0.1, arppu=1, cost_per_mau=1)
    a = assumptions.from_dict(
        {"model": {"name": "My\x1b[31m app\nx", "currency": "R\x07MB"}, "scenarios": {"base": base}}, "f.toml"
    )
    assert (a.name, a.currency) == ("My[31m app x", "RMB")
    many = {f"s{i}": ({} if i else base) for i in range(assumptions.MAX_SCENARIOS + 1)}
    with pytest.raises(AssumptionsError, match="a workbook holds at most 16,374"):
        assumptions.from_dict({"scenarios": many}, "f.toml")
