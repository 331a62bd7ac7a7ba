"""The same flag means the same thing in every command (issue 26): ``-a/--assumptions`` the plan read,
``-o/--output`` the file written; sensitivity's output is ``--of``, its old spellings (``--output OUTPUT``,
``--out FILE``) kept as hidden aliases for one release."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlmodel.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "plan-2024.toml")
GRID = ["--rows", "churn=0.3,0.6", "--cols", "conversion=0.01,0.02"]

#: each command that reads a plan, with the arguments it needs besides the plan
READERS = {
    "calc": ["--json"],
    "simulate": ["--draws", "200", "--json"],
    "solve": ["--vary", "cash", "--target", "runway_months=30", "--json"],
    "sensitivity": [*GRID, "--json"],
}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    return r


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("flag", ["-a", "--assumptions"])
def test_every_reader_takes_the_plan_with_a_or_as_an_argument(command, flag):
    """``xlmodel calc -a FILE`` was "No such option": -a/--assumptions is the plan, the positional stays."""
    by_argument = json.loads(ok(command, EXAMPLE, *READERS[command]).stdout)
    by_flag = json.loads(ok(command, flag, EXAMPLE, *READERS[command]).stdout)
    assert by_flag == by_argument
    assert by_flag["source"].endswith("plan-2024.toml")
    default = json.loads(ok(command, *READERS[command]).stdout)
    assert default["source"] != by_flag["source"]  # the flag is read, not ignored


@pytest.mark.parametrize("command", READERS)
def test_the_plan_given_twice_or_empty_is_refused(command):
    r = run(command, EXAMPLE, "-a", EXAMPLE, *READERS[command])
    assert r.exit_code == 2 and r.output.startswith("Error: give the assumptions file once"), r.output
    assert r.output.count("\n") == 1
    r = run(command, "-a", "", *READERS[command])
    assert r.exit_code == 2 and "an empty file name" in r.output, r.output


def test_every_command_spells_the_plan_and_the_file_the_same_way():
    """Introspected from click: -a is always --assumptions (the plan), -o always --output (a file written),
    and every command that takes an assumptions file takes it with -a."""
    for name, cmd in main.commands.items():
        options = [p for p in cmd.params if isinstance(p, click.Option)]
        for p in options:
            if "-a" in p.opts or "--assumptions" in p.opts:
                assert set(p.opts) == {"-a", "--assumptions"}, (name, p.opts)
            if "-o" in p.opts or "--output" in p.opts:
                assert set(p.opts) == {"-o", "--output"}, (name, p.opts)
                assert isinstance(p.type, click.Path), (name, p.opts)
        reads_plan = any("assumptions" in (p.name or "") for p in cmd.params)
        if reads_plan:
            assert any("-a" in p.opts for p in options), name


# ------------------------------------------------------------------ sensitivity: --of, -o/--output, old spellings


def test_sensitivity_of_names_the_output():
    doc = json.loads(ok("sensitivity", EXAMPLE, *GRID, "--of", "funding_need", "--json").stdout)
    assert doc["output"] == "funding_need"
    assert json.loads(ok("sensitivity", EXAMPLE, *GRID, "--json").stdout)["output"] == "runway_months"


@pytest.mark.parametrize("flag", ["-o", "--output"])
def test_sensitivity_writes_the_grid_with_o_or_output(tmp_path, flag):
    out = tmp_path / "grid.xlsx"
    r = ok("sensitivity", EXAMPLE, *GRID, "--of", "ltv", flag, out)
    assert out.is_file() and f"wrote {out}" in r.stdout and "Note:" not in r.stderr
    load_workbook(out, read_only=True).close()


def test_the_old_output_spelling_still_names_the_output():
    """``--output funding_need`` (before issue 26) still means the output, with a note on stderr."""
    new = ok("sensitivity", EXAMPLE, *GRID, "--of", "funding_need", "--json")
    old = ok("sensitivity", EXAMPLE, *GRID, "--output", "funding_need", "--json")
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert "--output OUTPUT is now --of OUTPUT" in old.stderr and "Note" not in new.stderr


def test_the_old_out_spelling_still_writes_the_file(tmp_path):
    out = tmp_path / "grid.xlsx"
    r = ok("sensitivity", EXAMPLE, *GRID, "--out", out)
    assert out.is_file() and f"wrote {out}" in r.stdout
    assert "--out FILE is now -o FILE" in r.stderr


def test_the_old_spellings_together(tmp_path):
    """The old command line ``--output OUTPUT -o FILE`` works whole: the output named and the file written."""
    out = tmp_path / "grid.xlsx"
    r = ok("sensitivity", EXAMPLE, *GRID, "--output", "funding_need", "-o", out, "--json")
    assert json.loads(r.stdout)["output"] == "funding_need" and out.is_file()
    r = ok("sensitivity", EXAMPLE, *GRID, "--out", tmp_path / "b.xlsx", "--output", "ltv", "--json")
    assert json.loads(r.stdout)["output"] == "ltv" and (tmp_path / "b.xlsx").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["--of", "ltv", "--output", "funding_need"],
        ["-o", "a.xlsx", "--out", "b.xlsx"],
        ["-o", "a.xlsx", "--output", "b.xlsx"],
    ],
)
def test_sensitivity_given_twice_is_refused(tmp_path, args):
    r = run("sensitivity", EXAMPLE, *GRID, *[str(tmp_path / a) if a.endswith(".xlsx") else a for a in args])
    assert r.exit_code == 2, r.output
    assert "Error: give the output once (--of OUTPUT) and the workbook once (-o FILE.xlsx)" in r.output
    assert not list(tmp_path.iterdir())


def test_sensitivity_help_shows_the_new_spellings_only():
    text = ok("sensitivity", "--help").output
    assert "--of OUTPUT" in text and "-o, --output" in text and "-a, --assumptions" in text
    assert "--out " not in text and "--out\n" not in text
