"""``xlmodel`` and ``python -m xlmodel``: the command line, or how to install it.

The command line lives in the ``cli`` extra (click, openpyxl, genai-prices);
the core package is only the engine and the Excel functions. Without the
extra, ``xlmodel`` says which line to run instead of printing a traceback.
"""

import sys

#: third-party modules of the extras -> the extra that installs them
EXTRAS = {"click": "cli", "openpyxl": "cli", "genai_prices": "cli"}


def main() -> None:
    try:
        from .cli import main as cli_main

        cli_main(prog_name="xlmodel")
    except ModuleNotFoundError as e:
        extra = EXTRAS.get((e.name or "").split(".")[0])
        if extra is None:
            raise
        print(
            f"Error: xlmodel's command line needs the {e.name} package, which the '{extra}' extra installs:\n"
            f'  pip install ".[{extra}]"   from the xlmodel folder (once on PyPI: pip install "xlmodel[{extra}]")',
            file=sys.stderr,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
