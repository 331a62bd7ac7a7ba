"""The command line, through click's CliRunner: exit codes and exact messages."""

import json
import os
import stat
from pathlib import Path

import pytest

from xlmodel.cli import main

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = str(ROOT / "examples" / "llm-assistant-2024.toml")

# Version 1 of the bundled example (tests/data/llm-assistant-2024-v1.toml, the file as it was before model
# version 2), hand-checked: blended CAC 30 x 0.7 = 21; compute 60k tokens x 120 per 1M = 7.20; revenue 1% x 30
# = 0.30; LTV -6.90 / (0.45 + 1.12^(1/12) - 1) = -15.02; break-even 7.20 / 30 = 24%; migration savings
# 606B x 60% x 119 / 1M = 43,268,400 a month less 60,600 lost revenue, 24 months at 12%/yr, less 20M = 903.49M.
# Every one of these lines must come out of version 2 unchanged.
CALC_V1_LINES = """\
blended_cac                       21.00  RMB per new user
cost_per_mau                       7.20  RMB per MAU per month
revenue_per_mau                    0.30  RMB per MAU per month
contribution_per_mau              -6.90  RMB per MAU per month
gross_margin                  -2,300.0%  fraction of revenue
ltv                              -15.02  RMB per user
ltv_to_cac                       -0.72x  ratio
payback_months                    never  months
breakeven_conversion              24.0%  fraction of MAU
runway_months                      19.1  months
migration_npv            903,490,104.38  RMB
migration_payback_month               1  month
"""

# The example, hand-checked: blended CAC 200M / (200M/30 + 2.86M) = 20.99 (month 1 spends cac_spend, so paid CAC
# is 30); compute 60k x 4.7 per 1M = 0.282 a free MAU, 1.41 a payer, blended 0.282 + 1% x (1.41 - 0.282) = 0.293;
# revenue per MAU 1% x 30 / 1.06 (VAT) x 0.85 (store fee) = 0.2406, so contribution 0.2406 - 0.293 = -0.053;
# break-even conversion 0.282 / (24.06 - (1.41 - 0.282)) = 1.23%; month 1's interest 7B x (1.0135^(1/12) - 1) =
# 7.83M (FY2024's).
CALC_BASE = """\
Consumer AI assistant, China 2024: scenario base (examples/llm-assistant-2024.toml)
month 1 is 2024-12, month 60 is 2029-11

unit economics (month 1)                                       value  unit
blended_cac                                                    20.99  RMB per new user
cac_per_active                                                 20.99  RMB per active new user
paid_cac                                                       30.00  RMB per user bought with ads
cost_per_mau                                                    0.28  RMB per MAU per month
cost_per_paying_mau                                             1.41  RMB per paying MAU per month
blended_cost_per_mau                                            0.29  RMB per MAU per month
revenue_per_mau                                                 0.24  RMB per MAU per month
contribution_per_mau                                          -0.053  RMB per MAU per month
gross_margin                                                  -21.9%  fraction of revenue
ltv                                                            -0.11  RMB per user
ltv_to_cac                                                  -0.0055x  ratio
ltv_to_paid_cac                                             -0.0038x  ratio
payback_months                                                 never  months
payback_months_paid                                            never  months
breakeven_conversion                                            1.2%  fraction of MAU

plan (60 months)                                               value  unit
runway_months                                         27.5 (2027-03)  months
runway_months_without_migration                       27.4 (2027-03)  months
ending_cash                                        -8,446,858,260.41  RMB
cash_falling_at_horizon                                          yes  yes/no
runway_after_horizon                                             n/a  months
lowest_cash                                        -8,446,858,260.41  RMB
lowest_cash_month                                       60 (2029-11)  month
first_short_month                                       24 (2026-11)  month
funding_month                                           24 (2026-11)  month
funding_need                                        9,074,362,831.52  RMB
breakeven_month                  not within the horizon (to 2029-11)  month
default_alive                                                     no  yes/no
burn_multiple                                                101.69x  ratio
compute_to_revenue                                             70.3%  fraction of revenue
plan_migration_npv                                     42,029,103.86  RMB
plan_migration_payback_month                            13 (2025-12)  month

standalone migration NPV                                       value  unit
migration_npv                                          13,364,803.77  RMB
migration_payback_month                                 14 (2026-01)  month

annual summary (RMB; flows summed, balances at year end; * partial: FY2024 (Dec, 1 of 12 months), FY2029 (Jan-Nov, 11 of 12 months))
               FY2024*   FY2025   FY2026   FY2027   FY2028  FY2029*
ad spend       200.00M    2.40B    2.40B    2.40B    2.40B    2.20B
sign-ups         9.53M  114.32M  114.32M  114.32M  114.32M  104.79M
gross revenue    4.52M   73.98M   76.21M   76.21M   76.21M   69.86M
net revenue      3.63M   58.51M   59.89M   59.89M   59.89M   54.90M
compute          4.42M   37.63M   18.36M   12.74M    8.84M    5.70M
fixed costs     60.00M  720.00M  720.00M  720.00M  720.00M  660.00M
one-off costs        0   20.00M        0        0        0        0
net burn       260.80M    3.12B    3.08B    3.07B    3.07B    2.81B
interest         7.83M   71.73M   30.94M  -10.17M  -51.76M  -84.43M
funding              0        0        0        0        0        0
cash (end)       6.75B    3.70B  652.11M   -2.43B   -5.55B   -8.45B
MAU (end)       15.08M   21.17M   21.17M   21.17M   21.17M   21.17M
paying (end)   150.82k  211.66k  211.70k  211.70k  211.70k  211.70k

note: raise 9.07B RMB in month 24 (2026-11) to keep cash at or above min_cash from then to the horizon (the round earns interest from then on)

8 inputs are ranges (ad_growth, cac, churn, conversion, arppu, cost_decline, small_price, routed_share): these numbers use their base values; xlmodel simulate draws them
"""


def test_calc_exact_output(run):
    r = run("calc", "examples/llm-assistant-2024.toml")
    assert r.exit_code == 0
    assert r.output == CALC_BASE


def test_calc_version_1_file_prints_every_version_1_line_unchanged(run):
    r = run("calc", "tests/data/llm-assistant-2024-v1.toml")
    assert r.exit_code == 0
    lines = [ln.split() for ln in r.output.splitlines()[3:] if ln.strip()]
    v1 = [ln.split() for ln in CALC_V1_LINES.splitlines()]
    assert [ln for ln in lines if ln[0] in {w[0] for w in v1}] == v1
    # the new lines are there too, equal to their version-1 twins
    assert dict((ln[0], ln[1]) for ln in lines)["paid_cac"] == "30.00"


def test_calc_json_scenario(run):
    r = run("calc", "examples/llm-assistant-2024.toml", "--scenario", "downside", "--json")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert doc["scenario"] == "downside" and doc["currency"] == "RMB"
    assert doc["outputs"]["payback_months"] == "never"
    assert doc["outputs"]["blended_cac"] == pytest.approx(200e6 / (200e6 / 50 + 2.86e6), rel=1e-15)
    assert doc["outputs"]["paid_cac"] == 50.0
    assert doc["units"]["ltv"] == "RMB per user"


def test_calc_without_file_uses_defaults(run):
    r = run("calc")
    assert r.exit_code == 0 and "scenario base" in r.output


def test_calc_free_app_shows_n_a(run, tmp_path):
    (tmp_path / "free.toml").write_text(
        "[scenarios.free]\ncash = 1e6\nmau = 1e4\nad_spend = 1e4\ncac = 2\n"
        "churn = 0.0\nconversion = 0.0\narppu = 10\ncost_per_mau = 0.5\n"
    )
    r = run("calc", "free.toml", cwd=tmp_path)
    assert r.exit_code == 0
    row = next(ln.split() for ln in r.output.splitlines() if ln.startswith("gross_margin "))
    assert row == ["gross_margin", "n/a", "fraction", "of", "revenue"]
    r = run("calc", "free.toml", "--json", cwd=tmp_path)
    assert json.loads(r.output)["outputs"]["ltv"] is None


def test_unknown_scenario(run):
    r = run("calc", "examples/llm-assistant-2024.toml", "-s", "upsid")
    assert r.exit_code == 2
    assert r.output == (
        "Error: examples/llm-assistant-2024.toml: no scenario named 'upsid' "
        "(have base, upside, downside, cut-ads-raise); did you mean 'upside'?\n"
    )


V2 = "[scenarios.base]\ncash = 1\nmau = 1\nad_spend = 1\ncac = 1\nchurn = 0.1\nconversion = 0.1\narppu = 1\n"


@pytest.mark.parametrize(
    "text,message",
    [
        ("[scenarios.base\ncash = 1", "bad.toml: is not valid TOML: "),
        (
            (
                "[scenarios.base]\ncash = 1\nmau = 1\nad_spend = 1\ncac = 1\nchurn = 0.1\nconversion = 0.1\narppu = 1\n"
                "cost_per_mau = 1\nchrun = 0.2\n"
            ),
            "bad.toml: scenario 'base': chrun: unknown key; did you mean 'churn'?",
        ),
        (
            (
                "[scenarios.base]\ncash = 1\nmau = 1\nad_spend = 1\ncac = 1\nchurn = 1.5\nconversion = 0.1\narppu = 1\n"
                "cost_per_mau = 1\n"
            ),
            "bad.toml: scenario 'base': churn: churn must be between 0 and 1 (monthly fraction), got 1.5",
        ),
        (
            "[scenarios.base]\ncash = 1\nmau = 1\nad_spend = 1\ncac = 1\nchurn = 0.1\nconversion = 0.1\narppu = 1\n",
            (
                "bad.toml: scenario 'base': cost_per_mau: is required, or all of input_tokens, output_tokens, input_price, "
                "output_price (missing input_tokens)"
            ),
        ),
        (
            '[scenarios.base]\ncash = 1\nmau = 1\nad_spend = "lots"\n',
            "bad.toml: scenario 'base': ad_spend: must be a number, got str 'lots'",
        ),
        (
            "[model]\nhorizon = 0\n[scenarios.base]\ncash = 1\n",
            "bad.toml: model.horizon: horizon must be a whole number of months from 1 to 1200, got 0",
        ),
        (
            "[modle]\nname = 'x'\n",
            "bad.toml: modle: unknown top-level table (valid: model, scenarios, correlations); did you mean 'model'?",
        ),
        # model version 2: mixes, organic users, migration month
        (
            V2 + 'input_tokens = 1e5\noutput_tokens = 1e4\nmix = { "gpt-4o-mini" = 0.8, "gpt-4o" = 0.2 }\n'
            "input_price = 1\n",
            (
                "bad.toml: scenario 'base': mix: give a mix or explicit prices (input_price, "
                "cached_price, output_price), not both (the scenario sets input_price)"
            ),
        ),
        (
            V2 + 'input_tokens = 1e5\noutput_tokens = 1e4\nmix = { "gpt-4o-mini" = 0.8, "gpt-4o" = 0.3 }\n',
            "bad.toml: scenario 'base': mix: shares must sum to 1 (within 1e-9), got 1.1",
        ),
        (
            V2 + 'input_tokens = 1e5\noutput_tokens = 1e4\nmix = { "gpt-4o-mini" = 1.2, "gpt-4o" = -0.2 }\n',
            "bad.toml: scenario 'base': mix: shares must be between 0 and 1 (fraction of traffic), got 1.2",
        ),
        (
            V2 + 'input_tokens = 1e5\noutput_tokens = 1e4\nmix = { "gpt-4o-mni" = 1.0 }\n',
            (
                "bad.toml: scenario 'base': mix.gpt-4o-mni: model must be a known model name, got 'gpt-4o-mni'; "
                "did you mean gpt-4o-mini"
            ),
        ),
        (
            V2 + 'input_tokens = 1e5\nmix = { "gpt-4o-mini" = 1.0 }\n',
            (
                "bad.toml: scenario 'base': output_tokens: is required with a mix (the mix prices tokens; missing "
                "output_tokens)"
            ),
        ),
        (
            V2 + 'cost_per_mau = 1\nmix = "gpt-4o-mini"\n',
            "bad.toml: scenario 'base': mix: must be a table of model = share",
        ),
        (
            V2 + "cost_per_mau = 1\norganic_users = 1000\npaid_share = 0.7\n",
            (
                "bad.toml: scenario 'base': paid_share: organic_users counts users who come without ads, so paid_share "
                "must be 1 (or left out) when it is given, got paid_share 0.7"
            ),
        ),
        (
            V2 + "cost_per_mau = 1\nmigration_month = 3\n",
            (
                "bad.toml: scenario 'base': large_price: is required with migration_month (the saving is routed_share x "
                "(1 - small_price/large_price))"
            ),
        ),
        (
            V2 + "cost_per_mau = 1\ncac_elasticity = 1.5\n",
            "bad.toml: scenario 'base': cac_elasticity: cac_elasticity must be between 0 and 1 (exponent), got 1.5",
        ),
        ("[model]\nname = 'x'\n", "bad.toml: scenarios: needs at least one [scenarios.<name>] table"),
        # ranges and correlations (docs/model.md, "Uncertainty")
        (
            V2.replace("churn = 0.1", "churn = { low = 0.2, high = 1.2 }") + "cost_per_mau = 1\n",
            "bad.toml: scenario 'base': churn: churn range high: churn must be between 0 and 1 (monthly fraction), got 1.2",
        ),
        (
            V2 + "cost_per_mau = { low = 3, high = 1 }\n",
            "bad.toml: scenario 'base': cost_per_mau: cost_per_mau range needs low < high, got low 3 and high 1",
        ),
        (
            V2 + "cost_per_mau = { low = 1, mode = 4, high = 3 }\n",
            "bad.toml: scenario 'base': cost_per_mau: cost_per_mau range needs low <= mode <= high, got mode 4",
        ),
        (
            V2
            + "cost_per_mau = 1\nmonthly_tokens = 1\nlarge_price = 2\nsmall_price = 1\nmigration_cost = 0\n"
            "months = { low = 12, high = 24 }\n",
            "bad.toml: scenario 'base': months: months is a whole number of months and takes no range",
        ),
        (
            V2 + 'cost_per_mau = { low = 1, high = 3, dist = "lognormal" }\n',
            (
                "bad.toml: scenario 'base': cost_per_mau: cost_per_mau range dist must be one of uniform, triangular, "
                "pert, got 'lognormal'"
            ),
        ),
        (
            V2
            + "cost_per_mau = 1\nmonthly_tokens = 1\nlarge_price = { low = 0, high = 4 }\nsmall_price = 1\n"
            "migration_cost = 0\nmonths = 12\nmigration_month = 3\n",
            (
                "bad.toml: scenario 'base': large_price: at the range's low 0: must be above 0 when migration_month is "
                "given"
            ),
        ),
        (
            '[correlations]\n"cac,churn" = 0.5\n' + V2 + "cost_per_mau = 1\n",
            "bad.toml: scenario 'base': correlations.cac,churn: cac has no range, so it cannot be correlated",
        ),
        (
            '[correlations]\n"cac,churn" = -1.5\n'
            + V2.replace("cac = 1", "cac = { low = 1, high = 2 }").replace(
                "churn = 0.1", "churn = { low = 0.1, high = 0.2 }"
            )
            + "cost_per_mau = 1\n",
            (
                "bad.toml: scenario 'base': correlations.cac,churn: a Spearman correlation must be a number from -1 to 1, "
                "got -1.5"
            ),
        ),
        (
            '[correlations]\n"cac,churn" = 0.9\n"churn,arppu" = 0.9\n"cac,arppu" = -0.9\n'
            + V2.replace("cac = 1", "cac = { low = 1, high = 2 }")
            .replace("churn = 0.1", "churn = { low = 0.1, high = 0.2 }")
            .replace("arppu = 1", "arppu = { low = 1, high = 2 }")
            + "cost_per_mau = 1\n",
            "bad.toml: scenario 'base': correlations: the correlation matrix of cac, churn, arppu is not positive definite",
        ),
        (
            "[model]\ndraws = 0\n" + V2,
            "bad.toml: model.draws: must be a whole number from 1 to 10,000,000, got 0",
        ),
    ],
)
def test_bad_assumptions_exit_2_and_write_nothing(run, tmp_path, text, message):
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    r = run("new", "model", "-a", "bad.toml", "-o", "out.xlsx", cwd=tmp_path)
    assert r.exit_code == 2
    assert r.output.startswith("Error: " + message)
    assert r.output.count("\n") == 1
    assert not (tmp_path / "out.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
    r = run("calc", "bad.toml", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.startswith("Error: " + message)


def test_missing_file(run, tmp_path):
    r = run("calc", "nope.toml", cwd=tmp_path)
    assert r.exit_code == 2 and r.output == "Error: nope.toml: no such file\n"


def test_new_never_overwrites_without_force(run, tmp_path):
    target = tmp_path / "model.xlsx"
    target.write_bytes(b"precious")
    r = run("new", "model", "-o", "model.xlsx", cwd=tmp_path)
    assert r.exit_code == 2
    assert r.output == "Error: model.xlsx exists; pass --force to overwrite it\n"
    assert target.read_bytes() == b"precious"
    target.chmod(0o640)
    r = run("new", "model", "-o", "model.xlsx", "--force", cwd=tmp_path)
    assert r.exit_code == 0 and target.read_bytes()[:2] == b"PK"
    assert target.stat().st_mode & 0o777 == 0o640  # an overwritten file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xlsx"]  # no temp files left


def test_new_file_gets_the_usual_mode(run, tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        assert run("new", "runway", "-o", "r.xlsx", cwd=tmp_path).exit_code == 0
    finally:
        os.umask(mask)
    assert (tmp_path / "r.xlsx").stat().st_mode & 0o777 == 0o644


def test_new_writes_each_template(run, tmp_path):
    for t in ("unit-economics", "runway", "migration", "model"):
        r = run(
            "new",
            t,
            "-a",
            str(ROOT / "examples" / "saas-copilot.toml"),
            "-o",
            f"{t}.xlsx",
            "--months",
            "24",
            cwd=tmp_path,
        )
        assert r.exit_code == 0, r.output
        assert r.output.startswith(f"Wrote {t}.xlsx ({t}, 2 scenario(s), 24 months)")


def test_new_rejects_non_xlsx(run, tmp_path):
    r = run("new", "model", "-o", "model.xls", cwd=tmp_path)
    assert r.exit_code == 2 and r.output == "Error: model.xls: the output must be an .xlsx file\n"


def test_migration_template_needs_migration_inputs(run, tmp_path):
    text = (
        "[scenarios.base]\ncash = 1\nmau = 1\nad_spend = 1\ncac = 1\nchurn = 0.1\nconversion = 0.1\n"
        "arppu = 1\ncost_per_mau = 1\n"
    )
    (tmp_path / "a.toml").write_text(text)
    r = run("new", "migration", "-a", "a.toml", "-o", "m.xlsx", cwd=tmp_path)
    assert r.exit_code == 2
    assert "needs the standalone migration inputs" in r.output
    assert not (tmp_path / "m.xlsx").exists()


def test_templates_lists_six(run):
    r = run("templates")
    assert r.exit_code == 0
    assert [line.split()[0] for line in r.output.splitlines()] == [
        "unit-economics",
        "runway",
        "migration",
        "model",
        "risk",
        "cohorts",
    ]


def test_price(run):
    r = run("price", "gpt-4o-mini", "--kind", "output")
    assert r.exit_code == 0
    assert r.output.startswith("0.6 USD per 1M tokens (gpt-4o-mini, output, standard price; genai-prices ")
    r = run("price", "gpt-4o-mni")
    assert r.exit_code == 2
    assert r.output.startswith(
        "Error: model must be a known model name, got 'gpt-4o-mni'; did you mean gpt-4o-mini"
    )


def test_xlwings_conf(run, tmp_path):
    r = run("xlwings-conf")
    assert r.exit_code == 0 and r.output == '"UDF MODULES","xlmodel.udfs"\n'
    r = run("xlwings-conf", "-o", "xlwings.conf", cwd=tmp_path)
    assert r.exit_code == 0
    assert (tmp_path / "xlwings.conf").read_text() == '"UDF MODULES","xlmodel.udfs"\n'
    r = run("xlwings-conf", "-o", "xlwings.conf", cwd=tmp_path)
    assert r.exit_code == 2


def test_verify_rejects_a_foreign_file(run, tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    r = run("verify", "x.xlsx", cwd=tmp_path)
    assert r.exit_code == 2 and r.output.startswith("Error: x.xlsx: not a workbook")


@pytest.mark.libreoffice
def test_verify_end_to_end(run, tmp_path):
    from .test_workbooks import need_libreoffice

    need_libreoffice()
    assert run("new", "model", "-a", ASSISTANT, "-o", "m.xlsx", cwd=tmp_path).exit_code == 0
    r = run("verify", "m.xlsx", "--scenario", "downside", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "OK: every number agrees with the engine"
    r = run("verify", "m.xlsx", "--scenario", "nope", cwd=tmp_path)
    assert r.exit_code == 2 and "no scenario named 'nope'" in r.output


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "xlmodel", "calc", ASSISTANT, "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["outputs"]["paid_cac"] == 30.0


# ----------------------------------------------------------- help and README


def _commands():
    return sorted(main.commands)


def test_every_command_has_help_with_an_example_and_is_in_the_docs(run):
    guide = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")  # every command at work (issue 28)
    assert "Examples:" in run("--help").output
    for name in _commands():
        r = run(name, "--help")
        assert r.exit_code == 0
        assert main.commands[name].help, name
        assert "Example" in r.output, name
        assert f"\nxlmodel {name} " in guide, name


# ------------------------------------------------------------ model version 2


def test_price_fx_and_mix(run):
    import xlmodel as xm

    r = run("price", "gpt-4o-mini", "--kind", "output", "--fx", "7.2")
    assert r.exit_code == 0 and float(r.output.split()[0]) == pytest.approx(
        xm.price("gpt-4o-mini", "output") * 7.2, rel=1e-6
    )
    r = run("price", "--mix", "gpt-4o-mini=0.8,gpt-4o=0.2", "--fx", "7.2")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].startswith("mix: gpt-4o-mini 0.8, gpt-4o 0.2; fx 7.2 (standard prices; genai-prices ")
    got = {ln.split()[0]: float(ln.split()[1]) for ln in lines[1:]}
    for kind in ("input", "cached_input", "output"):
        want = 7.2 * (0.8 * xm.price("gpt-4o-mini", kind) + 0.2 * xm.price("gpt-4o", kind))
        assert got[kind] == pytest.approx(want, rel=1e-6), kind


@pytest.mark.parametrize(
    "args,message",
    [
        (("--mix", "gpt-4o-mini=0.8,gpt-4o=0.3"), "Error: shares must sum to 1 (within 1e-9), got 1.1\n"),
        (
            ("--mix", "gpt-4o-mini:0.8"),
            ("Error: --mix: each entry must be MODEL=SHARE (e.g. gpt-4o-mini=0.8), got 'gpt-4o-mini:0.8'\n"),
        ),
        (("gpt-4o", "--fx", "0"), "Error: fx must be above 0 (model currency per 1 USD), got 0.0\n"),
        ((), "Error: give a MODEL or --mix MODEL=SHARE,..., not both and not neither\n"),
    ],
)
def test_price_bad_input(run, args, message):
    r = run("price", *args)
    assert r.exit_code == 2 and r.output == message


def test_calc_mix_json_names_prices_and_their_date(run):
    import xlmodel as xm

    r = run("calc", "examples/saas-copilot.toml", "--json")
    doc = json.loads(r.output)
    mix = doc["mix"]
    assert mix["shares"] == {"gpt-4o": 0.8, "gpt-4o-mini": 0.2} and mix["fx"] == 1.0
    assert mix["price_data"].startswith("genai-prices ")
    assert mix["prices"]["output_price"] == xm.mix_price(["gpt-4o", "gpt-4o-mini"], [0.8, 0.2], "output")
    assert doc["outputs"]["runway_months_without_migration"] == "never"


# ------------------------------------------------------------------ simulate


def test_simulate_table(run):
    r = run("simulate", ASSISTANT, "--draws", "2000", "--seed", "7")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == (
        f"Consumer AI assistant, China 2024: scenario base, 2,000 draws, seed 7 ({ASSISTANT})"
    )
    assert "  churn                  pert 0.35..0.6 mode 0.45" in lines
    assert "  correlation cac,ad_growth = 0.5 (Spearman)" in lines
    head = next(line for line in lines if line.startswith("output"))
    assert head.split() == ["output", "mean", "p5", "p10", "p50", "p90", "p95", "never", "n/a", "unit"]
    assert any(line.startswith("runway below 6 months: ") for line in lines)
    assert "tornado of runway_months (each input at its low and high, the rest at base):" in lines


def test_simulate_json_is_reproducible_and_shaped(run):
    r1 = run("simulate", ASSISTANT, "--draws", "3000", "--seed", "7", "--json")
    r2 = run("simulate", ASSISTANT, "--draws", "3000", "--seed", "7", "--json")
    assert r1.exit_code == 0 and r1.output == r2.output
    doc = json.loads(r1.output)
    assert (doc["scenario"], doc["draws"], doc["seed"]) == ("base", 3000, 7)
    run_ = doc["outputs"]["runway_months"]
    assert set(run_) == {
        "mean",
        "p5",
        "p10",
        "p50",
        "p90",
        "p95",
        "min",
        "max",
        "share_never",
        "share_na",
        "base",
    }
    assert run_["p5"] <= run_["p50"] <= run_["p95"]
    assert doc["outputs"]["payback_months"]["p50"] == "never"
    assert "share_never" not in doc["outputs"]["ltv"]
    assert set(doc["runway_share_below"]) == {"6", "12", "18", "24"}
    assert set(doc["tornado"]) == {"runway_months", "ltv", "migration_npv"}
    row = doc["tornado"]["runway_months"][0]
    assert set(row) == {"input", "low", "high", "at_low", "at_high"}
    assert doc["units"]["migration_npv"] == "RMB"
    r3 = run("simulate", ASSISTANT, "--draws", "3000", "--seed", "8", "--json")
    assert json.loads(r3.output)["outputs"]["runway_months"] != run_


def test_simulate_defaults_come_from_the_file(run, tmp_path):
    text = (
        Path(ASSISTANT)
        .read_text(encoding="utf-8")
        .replace("draws = 10_000", "draws = 500")
        .replace("seed = 0 ", "seed = 3 ")
    )
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    doc = json.loads(run("simulate", "a.toml", "--json", cwd=tmp_path).output)
    assert (doc["draws"], doc["seed"]) == (500, 3)


def test_simulate_bad_input(run):
    r = run("simulate", ASSISTANT, "--draws", "0")
    assert r.exit_code == 2 and "--draws" in r.output
    r = run("simulate", ASSISTANT, "-s", "nope")
    assert r.exit_code == 2 and r.output.startswith("Error: ") and r.output.count("\n") == 1


def test_calc_uses_base_values_of_ranges(run):
    r = run("calc", ASSISTANT, "--json")
    out = json.loads(r.output)["outputs"]
    assert out["paid_cac"] == 30.0  # cac = { low = 25, mode = 30, high = 50 }: the mode


def test_new_risk_with_ranges_and_with_the_default_band(run, tmp_path):
    r = run("new", "risk", "-a", ASSISTANT, "-o", str(tmp_path / "risk.xlsx"))
    assert r.exit_code == 0 and (tmp_path / "risk.xlsx").read_bytes()[:2] == b"PK"
    # no ranges: the main drivers get the default band (its refusal, when nothing can be banded, is tested
    # in test_board_pack3)
    r = run("new", "risk", "-a", "examples/saas-copilot.toml", "-o", str(tmp_path / "band.xlsx"))
    assert r.exit_code == 0 and (tmp_path / "band.xlsx").read_bytes()[:2] == b"PK"


def test_new_from_data(run, tmp_path):
    r = run("new", "cohorts", "--cohorts", "examples/cohorts-2024.csv", "-o", str(tmp_path / "c.xlsx"))
    assert r.exit_code == 0 and (tmp_path / "c.xlsx").exists()
    r = run("new", "model", "--actuals", "examples/actuals-2024.csv", "-o", str(tmp_path / "p.xlsx"))
    assert r.exit_code == 0 and "5 scenario(s)" in r.output  # the file's four and "actuals"
    for args, message in [
        (["new", "cohorts", "-o", "x.xlsx"], "--cohorts FILE.csv goes with the cohorts template"),
        (
            ["new", "runway", "--actuals", "examples/actuals-2024.csv", "-o", "x.xlsx"],
            "--actuals goes with the model",
        ),
        (
            ["new", "model", "--actuals", "examples/actuals-2024.csv", "--window", "9", "-o", "x.xlsx"],
            "--window: window must be at most the 6 months of actuals, got 9",
        ),
        (
            ["new", "model", "--actuals", "examples/actuals-2024.csv", "--months", "4", "-o", "x.xlsx"],
            "shorter than the 6 months of actuals",
        ),
    ]:
        r = run(*[a if a != "x.xlsx" else str(tmp_path / "x.xlsx") for a in args])
        assert r.exit_code == 2 and message in r.output and r.output.count("\n") == 1, r.output
        assert not (tmp_path / "x.xlsx").exists()


# ------------------------------------------------------------------ hardening (issue 11)


def test_never_replaces_anything_but_an_ordinary_file(run, tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    r = run("new", "model", "-o", str(fifo), "--force")
    assert (
        r.exit_code == 2
        and r.output == f"Error: {fifo} is not a regular file; xlmodel only ever replaces ordinary files\n"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    conf = tmp_path / "pipe.conf"
    os.mkfifo(conf)
    r = run("xlwings-conf", "-o", str(conf), "--force")
    assert r.exit_code == 2 and stat.S_ISFIFO(os.lstat(conf).st_mode)
    link = tmp_path / "link.xlsx"
    link.symlink_to(fifo)
    r = run("new", "model", "-o", str(link), "--force")
    assert r.exit_code == 2 and link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # a symlink to an ordinary file: the target gets the workbook, the link stays
    target = tmp_path / "real.xlsx"
    target.write_bytes(b"old")
    good = tmp_path / "good.xlsx"
    good.symlink_to(target)
    r = run("new", "model", "-o", str(good), "--force")
    assert r.exit_code == 0 and good.is_symlink() and target.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "good.xlsx",
        "link.xlsx",
        "pipe.conf",
        "pipe.xlsx",
        "real.xlsx",
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        (["new", "model", "-o", "a" * 300 + ".xlsx"], "File name too long"),
        (["calc", "."], "is a directory. (see xlmodel calc --help)"),
        (["xlwings-conf", "-o", "missing-folder/x.conf"], "folder missing-folder does not exist"),
        (
            ["verify", "examples/../workbooks/model.xlsx", "--tolerance", "nan"],
            "--tolerance must be 0 or more and below 1",
        ),
        (
            ["verify", "workbooks/model.xlsx", "--tolerance", "-1"],
            "--tolerance must be 0 or more and below 1, got -1.0",
        ),
    ],
)
def test_failures_are_one_line_and_exit_2(run, tmp_path, args, message):
    r = run(*args, cwd=ROOT if args[0] == "verify" or args[0] == "calc" else tmp_path)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("Error: ") and message in r.output and r.output.count("\n") == 1, r.output
    if args[0] != "verify" and args[0] != "calc":
        assert list(tmp_path.iterdir()) == []


def test_assumptions_that_are_not_files_or_not_sane(run, tmp_path):
    import subprocess
    import sys

    fifo = tmp_path / "a.toml"
    os.mkfifo(fifo)
    # in a child process with a timeout: a regression would block on the FIFO forever
    r = subprocess.run(
        [sys.executable, "-m", "xlmodel", "calc", str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stderr == f"Error: {fifo}: is not a regular file\n"
    (tmp_path / "big.toml").write_text("[scenarios.b]\ncash = " + "9" * 400 + "\n")
    r = run("calc", "big.toml", cwd=tmp_path)
    assert r.exit_code == 2 and r.output == (
        "Error: big.toml: scenario 'b': cash: must be a finite number of "
        "sensible size, got an integer of 400 digits\n"
    )
    (tmp_path / "long.toml").write_text('[scenarios.b]\ncash = "' + "x" * 100_000 + '"\n')
    r = run("calc", "long.toml", cwd=tmp_path)
    assert r.exit_code == 2 and len(r.output) < 300 and "(100,002 characters)" in r.output


def test_verify_refuses_macro_workbooks(run, tmp_path):
    (tmp_path / "m.xlsm").write_bytes((ROOT / "workbooks" / "model.xlsx").read_bytes())
    r = run("verify", "m.xlsm", cwd=tmp_path)
    assert r.exit_code == 2 and "verify reads .xlsx workbooks only (a macro-enabled .xlsm" in r.output


def test_calc_and_new_refuse_the_same_overflowing_file(run, tmp_path):
    (tmp_path / "x.toml").write_text(
        "[scenarios.x]\ncash = 1e308\nmau = 1e308\nad_spend = 1e308\ncac = 1e-308\n"
        "churn = 0.1\nconversion = 0.5\narppu = 1e308\ncost_per_mau = 1e308\n"
    )
    a = run("calc", "x.toml", cwd=tmp_path)
    b = run("new", "model", "-a", "x.toml", "-o", "x.xlsx", cwd=tmp_path)
    assert a.exit_code == b.exit_code == 2 and a.output == b.output and a.output.count("\n") == 1
    assert "overflows floating point" in a.output and not (tmp_path / "x.xlsx").exists()


def test_verify_refuses_an_inflating_workbook_from_its_zip_directory(run, tmp_path):
    """A sheet that inflates to ~300 MB is refused before anything loads it (no memory blow-up, one line)."""
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            row = b'<row r="1"><c r="A1"><v>1</v></c></row>' * 10_000
            for _ in range(750):
                f.write(row)
    r = run("verify", str(path))
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert "unpacks to" in r.output and "verify reads up to 24 MiB" in r.output
