import functools
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI: more examples, and derandomized so that a red build is reproducible.
settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


ROOT = Path(__file__).resolve().parents[1]


def need_tool(found: bool, what: str, package: str):
    """Skip locally when a tool pip cannot install is absent; fail in CI, where .ci/run installs it."""
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI: apt-get install -y {package}")
    pytest.skip(f"{what} not installed (apt-get install {package})")


def need_libreoffice():
    need_tool(
        bool(shutil.which("soffice") or shutil.which("libreoffice")),
        "LibreOffice Calc (soffice)",
        "libreoffice-calc-nogui",
    )


def need_gnumeric():
    need_tool(bool(shutil.which("ssconvert")), "Gnumeric (ssconvert)", "gnumeric")


def need_poppler():
    need_tool(
        bool(shutil.which("pdftotext") and shutil.which("pdftoppm")),
        "poppler (pdftotext, pdftoppm)",
        "poppler-utils",
    )


@pytest.fixture
def run():
    """The xlmodel command line through click's CliRunner, from a chosen folder (default: the checkout)."""
    from xlmodel.cli import main

    runner = CliRunner()

    def invoke(*args, cwd=ROOT):
        old = os.getcwd()
        os.chdir(cwd)
        try:
            return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)

    return invoke


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its worker hook appends them to node ids)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``-n``, ``--dist loadgroup``), keep every test that uses one shared fixture (a
    module- or session-scoped fixture of the tests, such as a batch of workbooks recalculated in LibreOffice)
    on one worker, so that each batch is recalculated once per run, not once per worker that needs it. The
    other tests are spread over the workers as they come."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = sorted(
            f"{Path(d.baseid or '.').name}::{name}"
            for name, defs in info.name2fixturedefs.items()
            for d in defs[-1:]
            if d.scope in ("module", "session") and "tests" in Path(str(d.func.__code__.co_filename)).parts
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared[0]))


def workbook_examples(template: str | None = None) -> list[Path]:
    """The example files a workbook template carries: those its builder does not refuse
    (:func:`xlmodel.workbook.builder.refusal`; model version 4's company inputs and payers as their own stock,
    examples/company-2024.toml and examples/payers-2024.toml, are carried by the model and runway templates
    only, the others refuse them in one line). Without ``template``: the examples every template carries (an
    Excel function's tables hold no team, capex or second stock)."""
    from xlmodel.workbook.builder import TEMPLATES

    return [
        path
        for path, refused in _refusals().items()
        if not (refused & ({template} if template else set(TEMPLATES)))
    ]


@functools.cache
def _refusals() -> dict[Path, frozenset[str]]:
    """Each example file and the templates whose builder refuses it."""
    from xlmodel import assumptions
    from xlmodel.workbook.builder import TEMPLATES, refusal

    out = {}
    for path in sorted((ROOT / "examples").glob("*.toml")):
        a = assumptions.load(path)
        out[path] = frozenset(t for t in TEMPLATES if refusal(t, a) is not None)
    return out


def select_scenario(wb, name: str) -> None:
    """Make ``name`` the openpyxl workbook's live scenario (the cell named ``scenario``), as text."""
    sheet, ref = next(iter(wb.defined_names["scenario"].destinations))
    cell = wb[sheet][ref.replace("$", "")]
    cell.value = name
    cell.data_type = "s"
