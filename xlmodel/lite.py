"""``xlmodel lite``: the Excel functions as two files to paste into xlwings Lite.

xlwings Lite (free; Excel 365 and 2021+ on Windows and Mac, and Excel on the
web) runs the Python in its ``main.py`` editor tab and installs what its
``requirements.txt`` tab lists from PyPI. :func:`lite_files` writes both:

- ``main.py`` carries the xlmodel modules the ``LLM_*`` functions need, each
  the package's own source verbatim (one string per module, imported from the
  strings by a small import hook), so nothing has to be installed or hosted;
  then it defines each ``LLM_*`` function with xlwings' ``func``/``arg``
  decorators (Lite's, in Lite), written out from :mod:`xlmodel.udfs` (its
  signature, docstring, category and argument help), calling udfs' function.
- ``requirements.txt`` lists what Lite must install: ``numpy-financial`` (a
  pure-Python wheel; numpy comes with Lite, so it is never pinned here).

The module list is the closure of the package-relative imports of
``xlmodel/__init__.py`` and ``xlmodel/udfs/`` (found in their source, so a new
module is bundled the day a function imports it). genai-prices cannot run in
Lite (it imports httpx), so the prices it gives today are frozen into the
bundle as ``xlmodel/_price_snapshot.py`` (:mod:`xlmodel.frozen_prices`), with
their date in the header.
"""

from __future__ import annotations

import ast
import functools
import inspect
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .errors import XlmodelError

__all__ = ["lite_files", "bundle_modules", "freeze_prices", "REQUIREMENTS"]

PACKAGE = Path(__file__).resolve().parent

#: what Lite installs from PyPI for the bundle (numpy ships with Lite: never pinned, never listed)
REQUIREMENTS = ["numpy-financial"]

#: the modules the bundle starts from: the package (it exports the engine) and the Excel functions
ROOTS = ("__init__.py", "udfs/__init__.py")

#: the name the frozen prices take inside the bundle (xlmodel.prices looks for it)
SNAPSHOT_MODULE = "_price_snapshot.py"

#: how the bundle's price source says its prices are frozen
FROZEN = " (frozen into the Lite bundle)"


def _module_file(dotted: str) -> str:
    """``"udfs.cells"`` -> ``"udfs/cells.py"``; a subpackage -> its ``__init__.py`` (paths inside the package)."""
    path = dotted.replace(".", "/")
    return f"{path}/__init__.py" if (PACKAGE / path).is_dir() else f"{path}.py"


def _relative_imports(source: str, file: str = "__init__.py") -> set[str]:
    """Files (inside the package) of the package modules that the module ``file`` imports relatively, anywhere.

    ``from . import x``, ``from .x import y`` and, in a subpackage, ``from .. import x`` and
    ``from ..x import y``, resolved against ``file``'s own package.
    """
    package = file.split("/")[:-1]  # the folders of the module's own package, inside xlmodel/
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ImportFrom) and node.level >= 1):
            continue
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        if node.module:
            found.add(_module_file(".".join(base + node.module.split(".")[:1])))
        else:
            found.update(_module_file(".".join(base + [alias.name])) for alias in node.names)
    return found


def bundle_modules(extra: dict[str, str] | None = None) -> dict[str, str]:
    """``{file: source}`` of every package module the Excel functions import, roots first.

    Files are paths inside the package (``"udfs/cells.py"``). ``extra`` adds generated
    modules (the frozen prices) whose own imports are followed too. Modules that do not
    exist in the package (``_price_snapshot`` outside a bundle) are skipped.
    """
    extra = dict(extra or {})
    sources: dict[str, str] = {}
    todo = list(ROOTS) + list(extra)
    while todo:
        name = todo.pop(0)
        if name in sources:
            continue
        path = PACKAGE / name
        if name in extra:
            sources[name] = extra[name]
        elif path.is_file():
            sources[name] = path.read_text(encoding="utf-8")
        else:
            continue
        todo.extend(sorted(_relative_imports(sources[name], name) - set(sources)))
    return sources


# ------------------------------------------------------------------ prices


def freeze_prices(when: datetime | None = None) -> tuple[str, str, str]:
    """``(source, models, names)``: genai-prices' answers for every exact model name, as text.

    The format is :mod:`xlmodel.frozen_prices`'. Every exact name (each
    model's id and the names genai-prices matches exactly, over all providers)
    is looked up with no provider, with each provider that lists it, with the
    provider the first lookup found, and with the providers that fall back to
    those, through genai-prices' own ``find_provider_model``; what it answers
    is what is frozen, so the bundle gives the same price for those lookups on
    the day it was generated.
    """
    try:
        from genai_prices import data_snapshot
    except ImportError:
        raise XlmodelError(
            "the Lite bundle freezes model prices from genai-prices, which is not installed: "
            'pip install ".[cli]" from the xlmodel folder (once on PyPI: pip install "xlmodel[cli]")'
        ) from None
    from .prices import price_data_date, standard_prices

    when = when or datetime.now(tz=UTC)
    snap = data_snapshot.get_snapshot()
    owner = {id(m): p.id for p in snap.providers for m in p.models}
    fallbacks: dict[str, list[str]] = {}
    for p in snap.providers:
        for q in p.fallback_model_providers or []:
            fallbacks.setdefault(q, []).append(p.id)

    lines: list[str] = []
    index: dict[int, int] = {}

    def model_line(info) -> int:
        if id(info) not in index:
            prices = standard_prices(info, when)  # never the off-peak price of the hour it is frozen
            values = [
                _price_text(getattr(prices, f, None))
                for f in ("input_mtok", "output_mtok", "cache_read_mtok")
            ]
            index[id(info)] = len(lines)
            lines.append(" ".join([owner[id(info)], info.id, *values]))
        return index[id(info)]

    found: dict[tuple[str, int], list[str]] = {}

    def look(name: str, provider_id: str | None):
        try:
            _, info = snap.find_provider_model(name, None, provider_id, None)
        except LookupError:
            return None
        found.setdefault((provider_id or "*", model_line(info)), []).append(name)
        return owner[id(info)]

    for p in (
        snap.providers
    ):  # every model is listed (close-name suggestions search them all), in genai-prices' order
        for m in p.models:
            model_line(m)
    listed: dict[str, set[str]] = {}  # exact name -> the providers whose models list it
    for p in snap.providers:
        for m in p.models:
            for name in _exact_names(m):
                listed.setdefault(name, set()).add(p.id)
    for name in sorted(listed):
        providers = set(listed[name])
        resolved = look(name, None)
        if resolved:
            providers.add(resolved)
        for provider_id in sorted(providers | {f for q in providers for f in fallbacks.get(q, [])}):
            look(name, provider_id)
    names = [f"{key} {k} {' '.join(sorted(set(ns)))}" for (key, k), ns in found.items()]
    return price_data_date(when), "\n".join(lines), "\n".join(names)


@functools.lru_cache(maxsize=1)
def _prices_today(day: str) -> tuple[str, str, str]:
    """Today's frozen prices, computed once a day per process (a udf workbook and the bundle share them)."""
    return freeze_prices()


def _exact_names(model) -> set[str]:
    names = {model.id.lower()}

    def walk(clause):
        if hasattr(clause, "equals"):
            names.add(clause.equals.lower())
        for part in (getattr(clause, "or_", None) or []) + (getattr(clause, "and_", None) or []):
            walk(part)

    walk(model.match)
    return {n for n in names if n and not any(c.isspace() for c in n)}


def _price_text(value) -> str:
    if value is None:
        return "-"
    try:
        return repr(float(value))
    except TypeError:
        return "tiered"


def snapshot_module(source: str, models: str, names: str) -> str:
    """The source of ``xlmodel/_price_snapshot.py`` in a bundle."""
    for text in (source, models, names):
        if '"""' in text or "\\" in text:
            raise XlmodelError("frozen prices cannot hold a triple quote or a backslash")
    return (
        f'"""Model prices frozen into this xlwings Lite bundle by `xlmodel lite` ({source}).\n\n'
        "genai-prices cannot run in xlwings Lite; see xlmodel/frozen_prices.py for the format.\n"
        '"""\n\n'
        "from .frozen_prices import FrozenPrices\n\n"
        f'SOURCE = "{source}{FROZEN}"\n\n'
        f'MODELS = """\n{models}\n"""\n\n'
        f'NAMES = """\n{names}\n"""\n\n\n'
        "def snapshot():\n"
        "    return FrozenPrices(SOURCE, MODELS, NAMES)\n"
    )


# ------------------------------------------------------------------ the bundle

HEADER = """\
# xlmodel {version}: the LLM_* Excel functions, for xlwings Lite.
#
# GENERATED by `xlmodel lite` from xlmodel {version}'s own source. Do not edit it: regenerate it.
#
# 1. In Excel, open xlwings Lite (Home tab > xlwings Lite; install it from Add-ins once).
# 2. Select everything in its main.py tab and replace it with this whole file.
# 3. In its requirements.txt tab, add these lines (keep the lines already there):
{requirements}
# 4. Restart (the xlwings Lite menu > Restart) and type =LLM_RUNWAY( in any cell.
#
# Functions: {functions}.
# Prices for LLM_PRICE and LLM_MIX_PRICE: {prices}, frozen here
# (genai-prices cannot run in Lite); regenerate the bundle for newer prices.
#
# What follows is xlmodel's own code, one module per string, imported from the strings
# below by a small import hook; nothing is rewritten and nothing is downloaded.

import importlib.abc
import importlib.util
import linecache
import sys

_ORIGIN = "<xlmodel {version} lite bundle>/"
_SOURCES = {{}}
"""

FOOTER = '''

class _XlmodelBundle(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the xlmodel package from _SOURCES above, so that nothing needs installing."""

    def find_spec(self, name, path=None, target=None):
        file = _file(name)
        if file is None:
            return None
        return importlib.util.spec_from_loader(name, self, origin=_ORIGIN + file,
                                               is_package=file.endswith("__init__.py"))

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        file = _file(module.__name__)
        source, filename = _SOURCES[file], _ORIGIN + file
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # readable tracebacks
        module.__file__ = filename
        exec(compile(source, filename, "exec"), module.__dict__)


def _file(name):
    if not (name == "xlmodel" or name.startswith("xlmodel.")):
        return None
    path = name.replace(".", "/")
    for file in (path + ".py", path + "/__init__.py"):
        if file in _SOURCES:
            return file
    return None


# A restart or a re-run of this file starts clean: forget any xlmodel imported before.
for _name in [n for n in sys.modules if n == "xlmodel" or n.startswith("xlmodel.")]:
    del sys.modules[_name]
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_XlmodelBundle"]
sys.meta_path.insert(0, _XlmodelBundle())

# ------------------------------------------------------------------ the Excel functions
# Each is xlmodel.udfs' function of the same name, defined here with xlwings' decorators
# (Lite's, in Lite): the category, every argument as a 2-D range, and each argument's help.

import xlmodel.udfs as _udfs  # noqa: E402 - after the bundle's importer is installed
from xlmodel.udfs import arg, func  # noqa: E402  (xlwings' decorators; no-ops where xlwings is absent)
{functions}
'''


def lite_files(prices: tuple[str, str, str] | None = None) -> dict[str, str]:
    """``{"main.py": text, "requirements.txt": text}`` for xlwings Lite.

    ``prices`` is :func:`freeze_prices`' ``(source, models, names)``; by default
    genai-prices' prices today. The same source and prices give the same bytes.
    """
    from .udfs import EXCEL_FUNCTIONS

    source, models, names = prices or _prices_today(datetime.now(tz=UTC).date().isoformat())
    modules = bundle_modules({SNAPSHOT_MODULE: snapshot_module(source, models, names)})
    functions = sorted(EXCEL_FUNCTIONS)
    parts = [
        HEADER.format(
            version=__version__,
            prices=source,
            functions=", ".join(functions),
            requirements="\n".join(f"#      {r}" for r in REQUIREMENTS),
        )
    ]
    for file, text in modules.items():
        if "'''" in text or text.endswith("\\"):
            raise XlmodelError(
                f"xlmodel/{file} cannot be carried as a raw string (it holds ''' or ends in a backslash)"
            )
        parts.append(f"\n_SOURCES[\"xlmodel/{file}\"] = r'''{text}'''\n")
    parts.append(FOOTER.format(functions="\n".join(_definition(f) for f in functions)))
    return {"main.py": "".join(parts), "requirements.txt": "\n".join(REQUIREMENTS) + "\n"}


def _definition(name: str) -> str:
    """Source of one Excel function for main.py: udfs' decorators written out, its signature, its docstring."""
    from .udfs import CATEGORY, EXCEL_FUNCTIONS, HELP_URL, _arg_doc
    from .udfs.cells import ARG_OPTIONS

    f = EXCEL_FUNCTIONS[name]
    sig = inspect.signature(f)
    doc = f.__doc__ or ""
    if '"""' in doc or "\\" in doc:
        raise XlmodelError(f"{name}'s docstring cannot be carried as a plain docstring")
    lines = ["", "", f"@func(category={CATEGORY!r}, help_url={HELP_URL!r})"]
    options = "".join(f", {k}={v!r}" for k, v in ARG_OPTIONS.items())  # udfs' own: ndim=2, err_to_str=True
    lines += [f"@arg({p!r}{options}, doc={_arg_doc(p, name)!r})" for p in sig.parameters]
    lines += [
        f"def {name}{sig}:",
        f'    """{doc}"""',
        f"    return _udfs.{name}({', '.join(sig.parameters)})",
    ]
    return "\n".join(lines)


def read_frozen_prices(main_py: str) -> tuple[str, str, str]:
    """The ``(source, models, names)`` frozen into a bundle's ``main.py``: regenerate it with the same prices."""
    tree = ast.parse(main_py)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and getattr(node.targets[0].slice, "value", None) == f"xlmodel/{SNAPSHOT_MODULE}"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            values: dict[str, str] = {}
            for item in ast.parse(node.value.value).body:
                if (
                    isinstance(item, ast.Assign)
                    and isinstance(item.targets[0], ast.Name)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)
                ):  # the snapshot module: NAME = "text" lines
                    values[item.targets[0].id] = item.value.value
            source = values["SOURCE"].removesuffix(FROZEN)
            return source, values["MODELS"].strip("\n"), values["NAMES"].strip("\n")
    raise XlmodelError("this main.py holds no frozen prices: is it an xlmodel lite bundle?")
