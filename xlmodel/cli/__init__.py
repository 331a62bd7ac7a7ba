"""The ``xlmodel`` command line: a thin adapter over the engine and the workbooks.

Every library error becomes a one-line message on stderr and exit status 2
(:mod:`xlmodel.cli.common`). The commands live by family:

- :mod:`xlmodel.cli.model`: ``calc``, ``simulate``, ``price``;
- :mod:`xlmodel.cli.decisions`: ``solve``, ``sensitivity`` (and the ``--plot`` option of ``calc`` and ``simulate``);
- :mod:`xlmodel.cli.data`: ``fit``, ``cohorts``;
- :mod:`xlmodel.cli.workbooks`: ``templates``, ``new``, ``verify``, ``regenerate``;
- :mod:`xlmodel.cli.excel`: ``lite``, ``xlwings-conf``.
"""

from __future__ import annotations

import click

from .common import Refused, XlmodelGroup, format_unit, format_value, json_value  # noqa: F401 - re-exported for the commands' callers and tests
from .data import cohorts, fit
from .decisions import sensitivity, solve
from .excel import lite, xlwings_conf
from .model import calc, price, simulate
from .workbooks import export, new, regenerate, templates, verify

__all__ = ["main"]

EPILOG_MAIN = """\b
Examples:
  xlmodel calc examples/llm-assistant-2024.toml
  xlmodel new model -a examples/llm-assistant-2024.toml -o model.xlsx
  xlmodel verify model.xlsx
  xlmodel solve examples/llm-assistant-2024.toml --vary ad_spend --target runway_months=18
  xlmodel price gpt-4o-mini --kind output
"""


@click.group(cls=XlmodelGroup, epilog=EPILOG_MAIN, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlmodel")
def main():
    """LLM unit economics for finance teams: CAC, LTV, payback, compute cost,
    runway and small-model migration NPV, as numbers and as Excel workbooks.

    Definitions: docs/model.md. Assumptions files: see examples/.
    """


for _command in (
    calc,
    simulate,
    solve,
    sensitivity,
    fit,
    cohorts,
    price,
    templates,
    new,
    verify,
    export,
    regenerate,
    lite,
    xlwings_conf,
):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
