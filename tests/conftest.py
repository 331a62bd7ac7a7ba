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


def need_libreoffice():
    """Skip locally when LibreOffice is absent; fail in CI, where it must be installed."""
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice Calc (soffice) is required in CI: apt-get install -y libreoffice-calc-nogui")
    pytest.skip("LibreOffice Calc not installed (apt-get install libreoffice-calc-nogui)")


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
