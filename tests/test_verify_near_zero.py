"""A number that is a difference of large flows and comes out 0 is compared on the scale of those flows.

Found while writing the tutorial: a scenario whose contribution per MAU is exactly 0 (0.02 x 40 = 0.8 of
revenue per MAU against 0.8 of compute) has a gross profit of 0 in every year on the Annual sheet, where
rounding leaves -3.7e-9 in the engine and 0 in the spreadsheet; verify compared them relative to themselves
and said FAILED.
"""

from .conftest import need_libreoffice

BREAK_EVEN_MARGIN = """
[model]
name = "Contribution exactly 0"
currency = "RMB"
start = "2025-01"
horizon = 24

[scenarios.base]
cash = 600_000_000
mau = 2_000_000
ad_spend = 20_000_000
cac = 25
paid_share = 0.7
churn = 0.35
conversion = 0.02
arppu = 40
cost_per_mau = 0.8
fixed_costs = 15_000_000
"""


def test_a_gross_profit_of_zero_verifies(run, tmp_path):
    need_libreoffice()
    (tmp_path / "zero.toml").write_text(BREAK_EVEN_MARGIN, encoding="utf-8")
    assert run("new", "model", "-a", "zero.toml", "-o", "zero.xlsx", cwd=tmp_path).exit_code == 0
    r = run("verify", "zero.xlsx", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "OK: every number agrees with the engine"
