"""The reference pages, generated from the code that defines each thing, so they cannot drift.

- keys: every assumptions key from the rules table (``xlmodel.params``) and the ``[model]`` table
  (``xlmodel.assumptions``): rule, default, unit and the model version that brought it;
- commands: every command and flag of ``xlmodel`` from click (``xlmodel.cli.main``);
- excel: every Excel function with the description and argument help the function wizard shows
  (``xlmodel.udfs``, the same ``arg_doc`` its xlwings decorators read);
- outputs: every output with its unit and definition (``xlmodel.outputs``).

``pages()`` returns ``{path under docs/: markdown}``. The site build writes them with mkdocs-gen-files
(docs/gen_pages.py); tests/test_docs.py checks them against the code both ways. Nothing here imports
mkdocs, so the tests run without it.
"""

from __future__ import annotations

import inspect
import re

import click

GENERATED = "<!-- generated from the code by docs/reference_pages.py: edit the code, not this page -->\n\n"


def _cell(text: object) -> str:
    """Text fit for one cell of a markdown table."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _number(v: float) -> str:
    return f"{v:g}"


# ------------------------------------------------------------------ assumptions keys


def keys_page() -> str:
    from xlmodel.assumptions import MODEL_KEYS, REQUIRED, SCENARIO_KEYS
    from xlmodel.params import CHANGE_DRIVERS, ENTRIES, MODEL_KEY_DOCS, PARAMS, RULES, SINCE

    out = [
        "# Assumptions keys\n",
        GENERATED,
        (
            "Every key an assumptions file takes, from the rules table the engine validates with "
            "(`xlmodel/params.py`). *Version* is the model version that brought the key; a file without the "
            "later keys gives the earlier version's numbers. How the numbers use each key: "
            "[the model](../model.md); how to write a file: [assumptions files](../assumptions.md).\n"
        ),
        "## The `[model]` table\n",
        "| key | unit | default | version | description |",
        "|---|---|---|---|---|",
    ]
    for key in MODEL_KEYS:
        unit, default, doc, version = MODEL_KEY_DOCS[key]
        out.append(f"| `{key}` | {_cell(unit)} | {_cell(default)} | {version} | {_cell(doc)} |")
    out += [
        "",
        "## Scenario inputs\n",
        (
            "One table per scenario, `[scenarios.NAME]`; every scenario after the first inherits the first one's "
            "values. Each numeric input may also be a range (`{ low = ..., mode = ..., high = ... }`) but for the "
            "whole numbers `months`, `migration_month` and `raise_month`.\n"
        ),
        "| key | rule | default | unit | version | description |",
        "|---|---|---|---|---|---|",
    ]
    for key in SCENARIO_KEYS:
        p = PARAMS[key]
        default = "required" if key in REQUIRED else "not given" if p.default is None else _number(p.default)
        rule = RULES[p.rule].text.removeprefix("must be ")
        out.append(
            f"| `{key}` | {_cell(rule)} | {default} | {_cell(p.unit)} | {SINCE.get(key, 1)} | {_cell(p.doc)} |"
        )
    out += [
        "",
        "## Scenario entries that are not numbers\n",
        "| key | version | what it holds |",
        "|---|---|---|",
    ]
    for key, (doc, version) in ENTRIES.items():
        out.append(f"| `{key}` | {version} | {_cell(doc)} |")
    out += [
        "",
        "## Drivers a change may set\n",
        (
            "A change (`[[scenarios.NAME.changes]]`) sets a driver's level from its month on; the driver then "
            "grows at its own rate.\n"
        ),
        "| driver | grows at |",
        "|---|---|",
    ]
    for driver, rate in CHANGE_DRIVERS.items():
        grows = {None: "flat (no growth)", "cost": "(1 + usage_growth) * (1 - cost_decline) - 1"}.get(
            rate, f"`{rate}`"
        )
        out.append(f"| `{driver}` | {grows} |")
    out += [
        "",
        "## Other tables\n",
        "| key | version | what it holds |",
        "|---|---|---|",
        (
            '| `correlations` | 2 | `[correlations]`: Spearman rank correlations between ranged inputs, `"cac,ad_growth"'
            " = 0.5`, each in [-1, 1] |"
        ),
        "",
    ]
    return "\n".join(out)


# ------------------------------------------------------------------ the command line


def _clean_help(text: str) -> str:
    """Click's help text as markdown: ``\\b`` paragraphs (kept as typed) become code blocks."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    out = []
    for para in paragraphs:
        if para.startswith("\b"):
            body = para[1:].strip("\n")
            out.append(f"```text\n{body}\n```")
        else:
            out.append(" ".join(line.strip() for line in para.splitlines()))
    return "\n\n".join(out)


def _flags(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return f"`{param.human_readable_name}`"
    names = [*param.opts, *param.secondary_opts]
    return ", ".join(f"`{n}`" for n in names)


def _param_type(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    t = param.type
    if isinstance(t, click.Choice):
        return " \\| ".join(f"`{c}`" for c in t.choices)
    return t.name.lower()


def _default(param: click.Parameter) -> str:
    if param.required:
        return "required"
    d = param.default
    if d is None or d == () or (isinstance(param, click.Option) and param.is_flag and d is False):
        return ""
    if callable(d) or type(d).__name__ == "Sentinel":  # click 8.2+: a default not given is a sentinel
        return ""
    return f"`{d}`"


def command_names() -> list[str]:
    from xlmodel.cli import main

    return list(main.commands)


def commands_page() -> str:
    from xlmodel.cli import main

    out = [
        "# Command line\n",
        GENERATED,
        (
            "Every command and flag of `xlmodel`, from the command line's own definitions (`xlmodel --help` and "
            "`xlmodel COMMAND --help` print the same text). Worked examples: [the command-line guide]"
            "(../commands.md).\n"
        ),
        _clean_help(main.help or ""),
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for name, cmd in main.commands.items():
        out.append(f"| [`xlmodel {name}`](#xlmodel-{name}) | {_cell(cmd.get_short_help_str(limit=200))} |")
    out.append("")
    for name, cmd in main.commands.items():
        ctx = click.Context(cmd, info_name=f"xlmodel {name}")
        usage = " ".join([f"xlmodel {name}", *cmd.collect_usage_pieces(ctx)])
        out += [f"## xlmodel {name}\n", f"```text\n{usage}\n```\n", _clean_help(cmd.help or ""), ""]
        params = [p for p in cmd.params if not getattr(p, "hidden", False)]
        if params:
            out += ["| argument or flag | type | default | help |", "|---|---|---|---|"]
            for p in params:
                text = getattr(p, "help", None) or ""
                out.append(f"| {_flags(p)} | {_param_type(p)} | {_default(p)} | {_cell(text)} |")
            out.append("")
        if cmd.epilog:
            out += [_clean_help(cmd.epilog), ""]
    return "\n".join(out)


# ------------------------------------------------------------------ Excel functions


def excel_signature(name: str) -> str:
    """``LLM_CAC(spend, new_users, [paid_share])``: optional arguments in brackets, as Excel's wizard shows."""
    from xlmodel.udfs import EXCEL_FUNCTIONS

    params = inspect.signature(EXCEL_FUNCTIONS[name]).parameters.values()
    args = [p.name if p.default is inspect.Parameter.empty else f"[{p.name}]" for p in params]
    return f"{name}({', '.join(args)})"


def excel_page() -> str:
    from xlmodel.udfs import EXCEL_FUNCTIONS
    from xlmodel.udfs.cells import CATEGORY, arg_doc

    out = [
        "# Excel functions\n",
        GENERATED,
        (
            f"The {len(EXCEL_FUNCTIONS)} `=LLM_*` worksheet functions, with the description and the argument help "
            "that Excel's function wizard (fx) shows: both come from the functions' own definitions "
            f"(`xlmodel/udfs/`). The classic add-in files them under the category *{CATEGORY}*. Optional "
            "arguments are in brackets; an empty cell takes the default. How to install them: "
            "[the Excel route](../howto/excel.md).\n"
        ),
        "| function | what it returns |",
        "|---|---|",
    ]
    for name, f in EXCEL_FUNCTIONS.items():
        out.append(f"| [`{name}`](#{name.lower()}) | {_cell(f.__doc__)} |")
    out.append("")
    for name, f in EXCEL_FUNCTIONS.items():
        out += [f"## {name}\n", f"```text\n={excel_signature(name)}\n```\n", _cell(f.__doc__), ""]
        out += ["| argument | required | help |", "|---|---|---|"]
        for p in inspect.signature(f).parameters.values():
            required = "yes" if p.default is inspect.Parameter.empty else "no"
            out.append(f"| `{p.name}` | {required} | {_cell(arg_doc(p.name, name))} |")
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------ outputs


def outputs_page() -> str:
    from xlmodel.outputs import OUTPUT_DEFINITIONS, OUTPUT_UNITS

    out = [
        "# Outputs\n",
        GENERATED,
        (
            "Every output `xlmodel calc` prints (and `--json`, the workbooks' named cells and `LLM_PLAN` give), "
            "with its unit and a one-line definition, from `xlmodel/outputs.py`. *currency* is the model's "
            "currency. A month is a plan month (month 1 is `[model] start`); `never` means it does not happen "
            "within the horizon; `n/a` means it is undefined for these inputs. The full definitions, edge cases "
            "included: [the model](../model.md).\n"
        ),
        "| output | unit | definition |",
        "|---|---|---|",
    ]
    for name, unit in OUTPUT_UNITS.items():
        out.append(f"| `{name}` | {_cell(unit)} | {_cell(OUTPUT_DEFINITIONS[name])} |")
    out.append("")
    return "\n".join(out)


def pages() -> dict[str, str]:
    """Every generated page: path under docs/ -> markdown."""
    return {
        "reference/keys.md": keys_page(),
        "reference/commands.md": commands_page(),
        "reference/excel.md": excel_page(),
        "reference/outputs.md": outputs_page(),
    }


#: a table row's first cell: the names it documents, in backticks
FIRST_CELL = re.compile(r"^\| ([^|]+?) \|")
