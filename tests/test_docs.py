"""The documentation: the tutorial runs, the generated references match the code both ways, and no file of the
repository names a path outside it (issue 28)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT, need_libreoffice

DOCS = ROOT / "docs"


def _reference_pages():
    spec = importlib.util.spec_from_file_location("reference_pages", DOCS / "reference_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REF = _reference_pages()


# ------------------------------------------------------------------ the tutorial runs

FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)


def _blocks(text: str):
    """(language, info, body) of each fenced block, in order."""
    return [(m.group(1), m.group(2), m.group(3)) for m in FENCE.finditer(text)]


def _norm(line: str) -> str:
    return " ".join(line.split())


def test_tutorial_blocks_are_what_the_test_runs():
    blocks = _blocks((DOCS / "tutorial.md").read_text(encoding="utf-8"))
    bash = [b for lang, _, b in blocks if lang == "bash"]
    assert len(bash) >= 4  # calc, calc a scenario, new, verify
    assert any('title="' in info for lang, info, _ in blocks if lang == "toml")
    for body in bash:
        for line in body.splitlines():
            assert line.startswith("xlmodel "), line  # the test runs xlmodel commands, nothing else


def test_tutorial_runs(tmp_path):
    """Write the tutorial's titled TOML blocks, run its bash blocks in an empty folder, and find each line of the
    text block after a command in what it printed."""
    blocks = _blocks((DOCS / "tutorial.md").read_text(encoding="utf-8"))
    printed = None
    ran = 0
    for lang, info, body in blocks:
        title = re.search(r'title="([^"]+)"', info)
        if lang == "toml" and title:
            (tmp_path / title.group(1)).write_text(body, encoding="utf-8")
        elif lang == "bash":
            printed = []
            for line in body.splitlines():
                args = shlex.split(line, comments=True)[1:]
                if args[0] == "verify":
                    need_libreoffice()
                r = subprocess.run(
                    [sys.executable, "-m", "xlmodel", *args],
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                assert r.returncode == 0, (line, r.stdout, r.stderr)
                printed += [_norm(x) for x in (r.stdout + r.stderr).splitlines()]
                ran += 1
        elif lang == "text" and printed is not None:
            for want in body.splitlines():
                if want.strip() and want.strip() != "...":
                    assert any(_norm(want) in got for got in printed), (want, printed)
            printed = None
    assert ran >= 4
    assert (tmp_path / "board-pack.xlsx").is_file()


# ------------------------------------------------------------------ transcripts on the other pages print what they show

TRANSCRIPT_PAGES = sorted(
    str(p.relative_to(DOCS))
    for p in DOCS.rglob("*.md")
    if p.name != "tutorial.md" and re.search(r"^\$ xlmodel ", p.read_text(encoding="utf-8"), re.M)
)


def _transcripts(text: str):
    """(command line, the lines shown after it) for each ``$ xlmodel ...`` line of the page's plain fenced blocks."""
    out = []
    for m in re.finditer(r"^```\n(.*?)^```", text, re.M | re.S):
        for line in m.group(1).splitlines():
            if line.startswith("$ xlmodel "):
                out.append((line[2:], []))
            elif out and line.strip() and line.strip() != "...":
                out[-1][1].append(line)
    return out


def test_transcript_pages_are_found():
    assert "howto/monte-carlo.md" in TRANSCRIPT_PAGES


@pytest.mark.parametrize("page", TRANSCRIPT_PAGES)
def test_transcripts_print_what_the_page_shows(page, tmp_path):
    """Each ``$ xlmodel ...`` of the page is run from the checkout (its example files), and every line the page
    shows after it is found in what it printed (``...`` marks lines left out), so a page cannot rot."""
    for command, shown in _transcripts((DOCS / page).read_text(encoding="utf-8")):
        args = shlex.split(command)[1:]
        assert not ({"-o", "--output", "--plot"} & set(args)), (
            f"{page}: a transcript writes no file: {command}"
        )
        r = subprocess.run(
            [sys.executable, "-m", "xlmodel", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert r.returncode == 0, (command, r.stdout, r.stderr)
        printed = [_norm(x) for x in (r.stdout + r.stderr).splitlines()]
        for want in shown:
            assert any(_norm(want) in got for got in printed), (page, command, want)


# ------------------------------------------------------------------ the references match the code, both ways


def _documented(page: str, heading: str | None = None) -> set[str]:
    """The names in backticks in the first cell of the tables of ``page`` (under ``heading`` when given)."""
    if heading is not None:
        page = page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in page.splitlines():
        m = REF.FIRST_CELL.match(line)
        if m and not set(m.group(1)) <= {"-"}:
            names |= set(re.findall(r"`([^`]+)`", m.group(1)))
    return names


def test_keys_reference_is_every_assumptions_key():
    from xlmodel.assumptions import MODEL_KEYS
    from xlmodel.curve_inputs import CURVE_KEYS
    from xlmodel.params import CHANGE_DRIVERS, ENTRIES, MODEL_KEY_DOCS, PARAMS, PLAN_KEYS, SINCE

    page = REF.keys_page()
    assert _documented(page, "The `[model]` table") == set(MODEL_KEYS) == set(MODEL_KEY_DOCS)
    assert _documented(page, "Scenario inputs") == set(PARAMS) - {"horizon"}
    assert _documented(page, "Scenario entries that are not numbers") == {"mix", *PLAN_KEYS, *CURVE_KEYS}
    assert set(ENTRIES) == {"mix", *PLAN_KEYS, *CURVE_KEYS}
    assert _documented(page, "Drivers a change may set") == set(CHANGE_DRIVERS)
    assert set(SINCE) <= set(PARAMS)
    for key, p in PARAMS.items():
        if key != "horizon":
            row = next(x for x in page.splitlines() if x.startswith(f"| `{key}` |"))
            assert p.unit in row and str(SINCE.get(key, 1)) in row, row


def test_keys_reference_takes_every_key_the_reader_accepts():
    """The reverse: every documented scenario input is one the assumptions reader accepts."""
    from xlmodel import assumptions
    from xlmodel.params import PARAMS

    page = REF.keys_page()
    for key in _documented(page, "Scenario inputs"):
        with pytest.raises(Exception) as e:
            assumptions.from_dict({"scenarios": {"base": {key: "text"}}})
        assert "unknown key" not in str(e.value) and "not an input" not in str(e.value), key
        assert key in PARAMS


def test_commands_reference_is_every_command_and_flag():
    from xlmodel.cli import main

    page = REF.commands_page()
    sections = dict(re.findall(r"^## xlmodel (\S+)\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    assert set(sections) == set(main.commands)
    for name, cmd in main.commands.items():
        want = set()
        for p in cmd.params:
            if getattr(p, "hidden", False):  # an old spelling kept for one release: not documented
                continue
            want |= {*p.opts, *p.secondary_opts} if p.param_type_name == "option" else {p.human_readable_name}
        assert _documented(sections[name]) == want, name
        for p in cmd.params:
            if getattr(p, "help", None):
                assert REF._cell(p.help) in sections[name], (name, p.name)


def test_excel_reference_is_every_function_and_argument():
    import inspect

    from xlmodel.udfs import EXCEL_FUNCTIONS
    from xlmodel.udfs.cells import arg_doc

    page = REF.excel_page()
    sections = dict(re.findall(r"^## (LLM_\w+)\n(.*?)(?=^## |\Z)", page, re.M | re.S))
    assert set(sections) == set(EXCEL_FUNCTIONS)
    assert f"The {len(EXCEL_FUNCTIONS)} `=LLM_*`" in page
    for name, f in EXCEL_FUNCTIONS.items():
        args = list(inspect.signature(f).parameters)
        assert _documented(sections[name]) == set(args), name
        assert REF._cell(f.__doc__) in sections[name]
        for a in args:
            assert REF._cell(arg_doc(a, name)) in sections[name], (name, a)


def test_outputs_reference_is_every_output():
    from xlmodel.outputs import OUTPUT_DEFINITIONS, OUTPUT_UNITS
    from xlmodel.plan import plan_answers
    from xlmodel.unit_economics import unit_economics  # noqa: F401 - the outputs calc prints come from here

    page = REF.outputs_page()
    assert _documented(page) == set(OUTPUT_UNITS) == set(OUTPUT_DEFINITIONS)
    for name, unit in OUTPUT_UNITS.items():
        assert f"| `{name}` | {REF._cell(unit)} | {REF._cell(OUTPUT_DEFINITIONS[name])} |" in page
    # every answer a plan gives that a user sees has a unit and a definition
    answers = plan_answers(
        dict(
            cash=1000,
            mau=0,
            ad_spend=0,
            cac=1,
            churn=0,
            conversion=0,
            arppu=0,
            cost_per_mau=0,
            fixed_costs=100,
        )
    )
    hidden = {"shortfall_before_raise", "ending_cash_without_migration"}
    assert set(answers) - hidden <= set(OUTPUT_UNITS), set(answers) - hidden - set(OUTPUT_UNITS)


def test_generated_pages_are_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for path in REF.pages():
        assert path in nav, path
    for page in DOCS.rglob("*.md"):
        assert str(page.relative_to(DOCS)) in nav, page


# ------------------------------------------------------------------ no path outside the repository

# built from pieces, so that this file does not match its own patterns
OUTSIDE = ("..", "/shared")
FORBIDDEN = ("".join(OUTSIDE), "MODEL" + ".md", "/" + "work" + "/")


def _tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, names):
        path = ROOT / name
        try:
            yield name, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # a binary file (a workbook, an image), or one deleted in the working tree


def test_no_file_names_a_path_outside_the_repository():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    hits = []
    for name, text in _tracked_text_files():
        for n, line in enumerate(text.splitlines(), 1):
            hits += [f"{name}:{n}: {line.strip()[:120]}" for bad in FORBIDDEN if bad in line]
    assert not hits, "\n".join(hits)


def test_new_docs_files_name_no_path_outside_the_repository():
    """The same rule for the pages not yet tracked by git."""
    for path in [*DOCS.rglob("*.md"), *DOCS.rglob("*.py"), ROOT / "README.md", ROOT / "mkdocs.yml"]:
        text = path.read_text(encoding="utf-8")
        assert not [bad for bad in FORBIDDEN if bad in text], path


# ------------------------------------------------------------------ the README's ten minutes are the tutorial's


def test_readme_ten_minutes_are_the_tutorial():
    """The README's minimal TOML and commands are the tutorial's, which a test runs."""
    readme = _blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    tutorial = _blocks((DOCS / "tutorial.md").read_text(encoding="utf-8"))
    toml = next(b for lang, info, b in tutorial if lang == "toml" and "title=" in info)
    assert toml in [b for lang, _, b in readme if lang == "toml"]
    commands = {
        _norm(shlex.join(shlex.split(x, comments=True)))
        for lang, _, b in tutorial
        if lang == "bash"
        for x in b.splitlines()
    }
    shown = [b for lang, _, b in readme if lang == "bash"][1]  # the first is the two commands at the top
    assert {_norm(shlex.join(shlex.split(x, comments=True))) for x in shown.splitlines()} == commands


def test_compute_credits_page_shows_the_example_round():
    """The credits page's round is the bundled example's, key for key (its transcript is run by the
    transcript test)."""
    import tomllib

    block = next(
        b
        for lang, _, b in _blocks((DOCS / "howto" / "compute-credits.md").read_text(encoding="utf-8"))
        if lang == "toml"
    )
    shown = tomllib.loads(block)["scenarios"]["base"]["funding"][0]
    example = tomllib.loads((ROOT / "examples" / "company-2024.toml").read_text(encoding="utf-8"))
    assert shown in example["scenarios"]["base"]["funding"]
