"""``python -m xlmodel``: the same command line as ``xlmodel``."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="xlmodel")
