import os
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
