"""mkdocs-gen-files script (mkdocs.yml, plugins): writes the reference pages generated from the code."""

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).parent))
from reference_pages import pages

for path, text in pages().items():
    with mkdocs_gen_files.open(path, "w") as f:
        f.write(text)
