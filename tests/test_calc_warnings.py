"""``xlmodel calc`` warns once on stderr when an NPV is computed without annual_discount_rate (issue 26)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlmodel.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "llm-assistant-2024.toml"
WARNING = "undiscounted: give annual_discount_rate"


def _without_rate(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    line = "annual_discount_rate = 0.12 # assumption: 12% a year\n"
    assert text.count(line) == 1
    out = tmp_path / "undiscounted.toml"
    out.write_text(text.replace(line, ""), encoding="utf-8")
    return out


def _calc(*args):
    r = CliRunner().invoke(main, ["calc", *map(str, args)])
    assert r.exit_code == 0, r.output
    return r


@pytest.mark.parametrize("as_json", [False, True])
def test_calc_warns_once_naming_both_npvs(tmp_path, as_json):
    r = _calc(_without_rate(tmp_path), *(["--json"] if as_json else []))
    assert r.stderr.count(WARNING) == 1, r.stderr
    line = next(x for x in r.stderr.splitlines() if WARNING in x)
    assert line == f"Warning: migration_npv and plan_migration_npv {WARNING}", line
    assert WARNING not in r.stdout
    if as_json:  # stdout stays JSON for scripts
        assert json.loads(r.stdout)["outputs"]["migration_npv"] is not None


def test_calc_names_the_one_npv_it_computes(tmp_path):
    """A plan without migration_month has no plan_migration_npv: the warning names migration_npv alone."""
    src = _without_rate(tmp_path).read_text(encoding="utf-8")
    line = next(x for x in src.splitlines() if x.startswith("migration_month = 6"))
    no_plan_migration = tmp_path / "standalone.toml"
    no_plan_migration.write_text(src.replace(line + "\n", ""), encoding="utf-8")
    r = _calc(no_plan_migration)
    assert "plan_migration_npv" not in r.stdout
    assert [x for x in r.stderr.splitlines() if WARNING in x] == [f"Warning: migration_npv {WARNING}"]


def test_no_warning_with_a_rate_or_without_an_npv(tmp_path):
    assert WARNING not in _calc(EXAMPLE).stderr  # annual_discount_rate = 0.12
    plain = tmp_path / "plain.toml"
    plain.write_text(
        "[scenarios.base]\ncash = 1e6\nmau = 1000\nad_spend = 100\ncac = 4\nchurn = 0.1\nconversion = 0.05\n"
        "arppu = 10\ncost_per_mau = 0.1\nfixed_costs = 1000\n",
        encoding="utf-8",
    )
    r = _calc(plain)
    assert "npv" not in r.stdout and WARNING not in r.stderr


def test_the_warning_is_on_the_real_stderr(tmp_path):
    """Through a real process: the warning on stderr, stdout the JSON alone."""
    r = subprocess.run(
        [sys.executable, "-m", "xlmodel", "calc", str(_without_rate(tmp_path)), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.count(WARNING) == 1, r.stderr
    json.loads(r.stdout)
