"""Build finished LLM-economics workbooks with live Excel formulas (openpyxl).

Layout (FAST Standard): Cover, Inputs (scenario columns and a selector),
calculation sheets on one month timeline, Checks. Every input and headline
output has a workbook-scoped defined name equal to its name in the model, and
the formulas use those names. Only functions that Excel 2016+, Microsoft 365,
LibreOffice and Google Sheets all have (no LET, LAMBDA, XLOOKUP, spills).

Each formula here is the twin of an engine function (``xlmodel.engine``),
written in the same order of operations so that a recalculated workbook agrees
with the engine to far better than 1e-9.
"""

from __future__ import annotations

import math
import re
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from ..assumptions import Assumptions
from ..engine import OUTPUT_UNITS
from ..errors import AssumptionsError
from ..params import ALL_PARAMS, RULES, Param
from . import styles as S

# ------------------------------------------------------------------ inputs

#: a workbook-only input: compute cost entered directly instead of from tokens
OTHER_COST = Param("other_cost_per_mau", "nonneg", "currency per MAU per month",
                   "compute cost per MAU entered directly, added to the token cost (use it instead of tokens)", 0.0)
WB_PARAMS = {**ALL_PARAMS, OTHER_COST.name: OTHER_COST}

TOKEN_INPUTS = ("input_tokens", "output_tokens", "input_price", "output_price", "cached_share", "cached_price")

SECTIONS = [
    ("Cash and fixed costs", ("cash", "fixed_costs")),
    ("Users and acquisition", ("mau", "ad_spend", "ad_growth", "cac", "cac_elasticity", "paid_share",
                               "organic_users", "organic_growth")),
    ("Retention and monetisation", ("churn", "conversion", "arppu")),
    ("Compute", ("fx",) + TOKEN_INPUTS + ("other_cost_per_mau", "paying_cost_per_mau", "cost_decline")),
    ("Discounting", ("annual_discount_rate",)),
    ("Small-model migration", ("monthly_tokens", "large_price", "small_price", "routed_share", "migration_cost",
                               "months", "migration_month", "token_growth", "price_decline", "monthly_revenue",
                               "revenue_loss")),
]

#: inputs that may be left empty ("not given"): the live cell then shows NOT_GIVEN
OPTIONAL_INPUTS = ("organic_users", "paying_cost_per_mau", "migration_month")
NOT_GIVEN = "none"

#: the Model mix sheet: scenario key -> (genai-prices kind, column of the USD price)
MIX_SHEET = "Model mix"
MIX_PRICES = {"input_price": ("input", "B"), "cached_price": ("cached_input", "C"), "output_price": ("output", "D")}
MIX_FIRST_ROW = 5

#: constants used by formulas, each a labelled, named cell (no number hides in a formula)
CONSTANTS = [
    ("tokens_per_million", 1_000_000, "tokens", "tokens in one priced unit (prices are per 1M tokens)"),
    ("months_per_year", 12, "months", "months in a year (annual to monthly rate)"),
    ("check_tolerance", 1e-9, "fraction", "relative tolerance of the checks"),
]

UE_INPUTS = ("cac", "paid_share", "ad_spend", "organic_users", "churn", "conversion", "arppu") + TOKEN_INPUTS + (
    "other_cost_per_mau", "paying_cost_per_mau", "annual_discount_rate")
RUNWAY_INPUTS = ("cash", "fixed_costs", "mau", "ad_spend", "ad_growth", "cac", "cac_elasticity", "paid_share",
                 "organic_users", "organic_growth", "churn", "conversion", "arppu") + TOKEN_INPUTS + (
    "other_cost_per_mau", "paying_cost_per_mau", "cost_decline")
#: the migration inputs the projection uses (migration_month), when the file has migration inputs
RUNWAY_MIGRATION_INPUTS = ("large_price", "small_price", "routed_share", "migration_cost", "migration_month")
MIGRATION_INPUTS = ("annual_discount_rate", "monthly_tokens", "large_price", "small_price", "routed_share",
                    "migration_cost", "months", "token_growth", "price_decline", "monthly_revenue", "revenue_loss")

PROJECTION_ROWS = ("ad_spend", "paid_new_users", "organic_new_users", "new_users", "mau", "paying_users", "revenue",
                   "compute", "fixed_costs", "migration_one_off", "net_burn", "cash")

#: headline outputs that the udf variant computes with =LLM_* functions too
UDF_OUTPUTS = ("cost_per_mau", "ltv", "payback_months", "runway_months", "migration_npv")

_ABSOLUTE = re.compile(r"([A-Z]+)(\d+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value) -> str:
    """User text as it goes into a cell: control characters removed."""
    return _CONTROL.sub("", str(value)).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def rule_expr(name: str, x: str, optional: bool = False) -> str:
    """Excel expression that is TRUE when ``x`` satisfies the input's rule.

    ``optional``: the live cell of an input that may be left empty, which
    then holds the text NOT_GIVEN.
    """
    if optional and name in OPTIONAL_INPUTS:
        return f'IF({x}="{NOT_GIVEN}",TRUE(),{rule_expr(name, x)})'
    r = RULES[WB_PARAMS[name].rule]
    parts = [f"ISNUMBER({x})"]
    if r.lo is not None:
        parts.append(f"{x}{'>=' if r.lo_incl else '>'}{r.lo:g}")
    if r.hi is not None:
        parts.append(f"{x}{'<=' if r.hi_incl else '<'}{r.hi:g}")
    if r.integer:
        parts.append(f"INT({x})={x}")
    return "AND(" + ",".join(parts) + ")"


def rule_sentence(name: str) -> str:
    p = WB_PARAMS[name]
    return f"{name} {RULES[p.rule].text}"


def _fmt_for(p: Param) -> str:
    return S.FORMATS.get(p.fmt, S.FORMATS["money"])


# ---------------------------------------------------------------- templates


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    summary: str
    sheets: tuple  # of "ue_cost", "ue", "projection", "migration"

    def inputs(self, a: Assumptions) -> list[str]:
        keys: list[str] = []
        if "ue" in self.sheets:
            keys += UE_INPUTS
        if "projection" in self.sheets:
            keys += RUNWAY_INPUTS
            if a.has_migration():
                keys += RUNWAY_MIGRATION_INPUTS
        if "migration" in self.sheets and a.has_migration():
            keys += MIGRATION_INPUTS
        if a.mixes and any(k in keys for k in TOKEN_INPUTS):
            keys.append("fx")
        return [k for _, sec in SECTIONS for k in sec if k in keys]

    def has(self, sheet: str, a: Assumptions) -> bool:
        if sheet == "migration":
            return "migration" in self.sheets and a.has_migration()
        return sheet in self.sheets


TEMPLATES = {
    t.key: t
    for t in [
        Template("unit-economics", "Unit economics",
                 "CAC (blended and paid), compute cost per MAU, revenue, contribution, gross margin, LTV, LTV/CAC, "
                 "payback, break-even conversion", ("ue",)),
        Template("runway", "Projection and runway",
                 "monthly projection of users, revenue, ad, compute and fixed costs, cash balance and runway, with charts",
                 ("ue_cost", "projection")),
        Template("migration", "Small-model migration",
                 "cash flows of moving traffic to a small model: NPV, payback month, cumulative NPV chart, "
                 "sensitivity of NPV to routed share and small-model price", ("migration",)),
        Template("model", "LLM app economics model",
                 "everything in one workbook: cover, inputs with scenarios and a selector, unit economics, "
                 "projection and runway, migration, checks", ("ue", "projection", "migration")),
    ]
}


# ------------------------------------------------------------------ builder


class _Names(dict):
    """format_map helper: ``{ltv}`` becomes the name the formula should use."""

    def __init__(self, builder):
        super().__init__()
        self.b = builder

    def __missing__(self, key):
        return self.b.ref(key)


class Builder:
    def __init__(self, a: Assumptions, template: Template, months: int | None = None, formulas: str = "native"):
        if formulas not in ("native", "udf"):
            raise ValueError(f"formulas must be native or udf, got {formulas!r}")
        if template.key == "migration" and not a.has_migration():
            raise AssumptionsError(a.source, "the migration template needs migration inputs in every scenario "
                                   "(monthly_tokens, large_price, small_price, migration_cost, months)")
        if not a.has_migration() and any("migration_month" in s for s in a.scenarios.values()):
            raise AssumptionsError(a.source, "a workbook with migration_month needs the migration inputs in every "
                                   "scenario (monthly_tokens, large_price, small_price, migration_cost, months)")
        self.a = a
        self.t = template
        self.n_months = int(months or a.horizon)
        self.udf = formulas == "udf"
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.scenarios = list(a.scenarios.items())
        self.inputs = template.inputs(a)
        self.checks: list[tuple[str, str]] = []  # (description, formula)
        self.headlines: list[str] = []
        self._styles: dict = {}
        self.input_rows: dict[str, int] = {}
        # the Model mix sheet: one row per model of any scenario's mix, then the blended prices
        self.mix_models = list(dict.fromkeys(m for mix in a.mixes.values() for m in mix))
        after = MIX_FIRST_ROW + len(self.mix_models)
        self.mix_rows = {"total": after, "fx": after + 1, "input_price": after + 2, "cached_price": after + 3,
                         "output_price": after + 4}

    # -- helpers -----------------------------------------------------------

    def ref(self, name: str) -> str:
        """The defined name a formula should use for ``name``."""
        if self.udf and name in UDF_OUTPUTS:
            return f"{name}_native"
        return name

    def f(self, template: str) -> str:
        if "{" not in template:
            return "=" + template
        return "=" + template.format_map(_Names(self))

    def define(self, name: str, ws, ref: str):
        """A workbook-scoped name for ``ref`` ("D8" or "E5:BL5") on ``ws``, as an absolute reference."""
        absolute = ":".join(_ABSOLUTE.sub(r"$\1$\2", part) for part in ref.split(":"))
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{absolute}")

    def unit(self, text: str) -> str:
        return text.replace("currency", self.a.currency)

    def styled(self, c, font=None, fill=None, fmt=None, quote=False, align=None):
        """Apply a style; each combination is resolved by openpyxl once, then copied."""
        key = (id(font), id(fill), fmt, quote, id(align))
        cached = self._styles.get(key)
        if cached is not None:
            c._style = copy(cached)  # each cell owns its style array
            return c
        if font is not None:
            c.font = font
        if fill is not None:
            c.fill = fill
        if fmt is not None:
            c.number_format = fmt
        if quote:
            c.quotePrefix = True
        if align is not None:
            c.alignment = align
        self._styles[key] = copy(c._style)
        return c

    def text(self, ws, ref: str, value, font=None, fill=None, align=None):
        """User or label text: always a string cell, never a formula or an error."""
        c = ws[ref]
        c.value = clean_text(value)
        c.data_type = "s"
        return self.styled(c, font, fill, None, c.value[:1] in ("=", "+", "-", "@", "#"), align)

    def formula(self, ws, ref: str, formula: str, fmt: str | None = None, font=S.FORMULA_FONT, align=None):
        c = ws[ref]
        c.value = formula
        return self.styled(c, font, None, fmt, align=align)

    def title(self, ws, title: str, subtitle: str):
        self.text(ws, "A1", title, S.TITLE_FONT)
        self.text(ws, "A2", subtitle, S.SUBTITLE_FONT)
        ws.row_dimensions[1].height = 24

    def header(self, ws, row: int, labels: list[str], start_col: int = 1):
        for i, label in enumerate(labels):
            self.text(ws, f"{get_column_letter(start_col + i)}{row}", label, S.HEADER_FONT, S.HEADER_FILL,
                      S.CENTER if i >= 3 else S.LEFT)

    def section(self, ws, row: int, label: str, width: int):
        for col in range(1, width + 1):
            self.styled(ws.cell(row=row, column=col), fill=S.SECTION_FILL)
        self.text(ws, f"A{row}", label, S.SECTION_FONT, S.SECTION_FILL)

    def print_setup(self, ws, wide_pages: int = 1, title_rows: str | None = None, title_cols: str | None = None):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = wide_pages
        ws.page_setup.fitToHeight = 0
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        if title_rows:
            ws.print_title_rows = title_rows
        if title_cols:
            ws.print_title_cols = title_cols
        ws.oddFooter.center.text = "&A - page &P of &N"
        ws.sheet_view.showGridLines = False

    def add_check(self, description: str, formula: str):
        self.checks.append((description, formula))

    # -- scenario values ---------------------------------------------------

    def scenario_value(self, s: dict, key: str):
        """The value of ``key`` in a scenario column; None leaves the cell empty (not given)."""
        if key in OPTIONAL_INPUTS:
            return s.get(key)
        tokens = "input_tokens" in s
        if key == "other_cost_per_mau":
            return 0.0 if tokens else s["cost_per_mau"]
        if key in TOKEN_INPUTS:
            if not tokens:
                return 0.0
            if key == "cached_price":
                return s.get("cached_price", s["input_price"])
            if key == "cached_share":
                return s.get("cached_share", 0.0)
        return s[key]

    # -- sheets --------------------------------------------------------------

    def build(self) -> Workbook:
        self.cover = self.wb.create_sheet("Cover")
        self.inputs_sheet()
        if self.mix_models and "fx" in self.inputs:
            self.mix_sheet()
        if self.t.has("ue", self.a) or self.t.has("ue_cost", self.a):
            self.unit_economics_sheet(full=self.t.has("ue", self.a))
        if self.t.has("projection", self.a):
            self.projection_sheet()
        if self.t.has("migration", self.a):
            self.migration_sheet()
        self.checks_sheet()
        self.cover_sheet()
        if self.udf:
            ws = self.wb.create_sheet("xlwings.conf")
            self.text(ws, "A1", "UDF Modules")
            self.text(ws, "B1", "xlmodel.udfs")
            ws.column_dimensions["A"].width = 16
            ws.column_dimensions["B"].width = 16
        self.wb.properties.creator = "xlmodel"
        self.wb.properties.title = clean_text(self.a.name)
        self.wb.calculation.fullCalcOnLoad = True
        return self.wb

    def inputs_sheet(self):
        ws = self.wb.create_sheet("Inputs")
        n = len(self.scenarios)
        first, last = 5, 5 + n - 1
        fl, ll = get_column_letter(first), get_column_letter(last)
        width = last
        self.title(ws, "Inputs", "Blue cells on a pale fill are inputs. Pick the live scenario in D4; every sheet "
                                 "follows it. Column B holds each input's defined name.")
        self.text(ws, "A4", "Live scenario", S.SECTION_FONT)
        first_name = self.scenarios[0][0]
        self.text(ws, "D4", first_name, S.INPUT_FONT, S.INPUT_FILL)
        self.define("scenario", ws, "D4")
        dv = DataValidation(type="list", formula1=f"${fl}$7:${ll}$7", allow_blank=False, showDropDown=False)
        dv.promptTitle = "Live scenario"
        dv.prompt = "Pick the scenario every sheet calculates."
        dv.showInputMessage = True
        dv.errorTitle = "Unknown scenario"
        dv.error = "Pick one of the scenario names in row 7."
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add("D4")
        self.text(ws, "A5", "Scenario number")
        self.formula(ws, "D5", f"=SUMPRODUCT(({fl}7:{ll}7=scenario)*COLUMN({fl}7:{ll}7))-COLUMN({fl}7)+1", "0")
        self.define("scenario_index", ws, "D5")
        self.text(ws, "E5", "(from the scenario's position in row 7)", S.UNIT_FONT)
        self.header(ws, 7, ["Input", "Name", "Unit", "Live"])
        for i, (name, _) in enumerate(self.scenarios):
            self.text(ws, f"{get_column_letter(first + i)}7", name, S.HEADER_FONT, S.HEADER_FILL, S.CENTER)
        self.define("scenario_names", ws, f"{fl}7:{ll}7")
        row = 8
        for label, keys in SECTIONS:
            keys = [k for k in keys if k in self.inputs]
            if not keys:
                continue
            self.section(ws, row, label, width)
            row += 1
            for key in keys:
                p = WB_PARAMS[key]
                fmt = _fmt_for(p)
                self.text(ws, f"A{row}", p.doc[:1].upper() + p.doc[1:], S.LABEL_FONT)
                self.text(ws, f"B{row}", key, S.NAME_FONT)
                self.text(ws, f"C{row}", self.unit(p.unit), S.UNIT_FONT)
                live = f"INDEX({fl}{row}:{ll}{row},scenario_index)"
                if key in OPTIONAL_INPUTS:  # an empty scenario cell means "not given"
                    live = f'IF({live}="","{NOT_GIVEN}",{live})'
                self.formula(ws, f"D{row}", f"={live}", fmt, align=S.RIGHT if key in OPTIONAL_INPUTS else None)
                self.define(key, ws, f"D{row}")
                self.input_rows[key] = row
                for i, (sname, s) in enumerate(self.scenarios):
                    c = ws.cell(row=row, column=first + i)
                    if key in MIX_PRICES and sname in self.a.mixes:  # a link to the scenario's blended mix price
                        c.value = f"={quote_sheetname(MIX_SHEET)}!{get_column_letter(first + i)}{self.mix_rows[key]}"
                        self.styled(c, S.LINK_FONT, None, fmt)
                        continue
                    value = self.scenario_value(s, key)
                    c.value = None if value is None else float(value)
                    self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
                dv = DataValidation(type="custom", formula1=rule_expr(key, f"{fl}{row}"),
                                    allow_blank=key in OPTIONAL_INPUTS)
                dv.promptTitle = key[:32]
                dv.prompt = f"{p.doc[:1].upper() + p.doc[1:]}. Unit: {self.unit(p.unit)}."[:255]
                dv.showInputMessage = True
                dv.errorTitle = "Out of range"
                dv.error = f"{rule_sentence(key)} ({self.unit(p.unit)})."[:225]
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{fl}{row}:{ll}{row}")
                self.add_check(f"Input {key}: {rule_sentence(key)}"
                               + (" (or empty: not given)" if key in OPTIONAL_INPUTS else ""),
                               rule_expr(key, key, optional=True))
                row += 1
        self.section(ws, row, "Constants", width)
        row += 1
        for name, value, unit, doc in CONSTANTS:
            self.text(ws, f"A{row}", doc[:1].upper() + doc[1:])
            self.text(ws, f"B{row}", name, S.NAME_FONT)
            self.text(ws, f"C{row}", unit, S.UNIT_FONT)
            c = ws.cell(row=row, column=4, value=value)
            c.font, c.fill = S.INPUT_FONT, S.INPUT_FILL
            c.number_format = "0E+00" if value < 1e-3 else "#,##0"
            self.define(name, ws, f"D{row}")
            row += 1
        self.add_check("The live scenario is one of the scenario columns",
                       "AND(scenario_index>=1,scenario_index<=COLUMNS(scenario_names))")
        if "organic_users" in self.inputs:
            self.add_check("organic_users counts users who come without ads: paid_share is 1 when it is given",
                           f'IF(organic_users="{NOT_GIVEN}",TRUE(),paid_share=1)')
        if "migration_month" in self.inputs:
            self.add_check("large_price is above 0 when migration_month is given (the saving divides by it)",
                           f'IF(migration_month="{NOT_GIVEN}",TRUE(),large_price>0)')
        ws.column_dimensions["A"].width = 58
        ws.column_dimensions["B"].width = 22
        ws.column_dimensions["C"].width = 30
        for col in range(4, last + 1):
            ws.column_dimensions[get_column_letter(col)].width = 18
        ws.freeze_panes = "E8"
        self.print_setup(ws, title_rows="7:7")

    def mix_sheet(self):
        """Model mix: USD prices per model (values from genai-prices), shares per scenario, blended prices."""
        from ..prices import price

        ws = self.wb.create_sheet(MIX_SHEET)
        n = len(self.scenarios)
        fl, ll = get_column_letter(5), get_column_letter(4 + n)
        first, last = MIX_FIRST_ROW, MIX_FIRST_ROW + len(self.mix_models) - 1
        self.title(ws, "Model mix", f"Traffic shares of each model per scenario (inputs) and the blended price per "
                                    f"1M tokens, fx x SUMPRODUCT(shares, USD prices). USD prices: {self.a.price_data} "
                                    "(values written when the workbook was generated).")
        self.header(ws, 4, ["Model", "Input USD/1M", "Cached USD/1M", "Output USD/1M"]
                    + [f"Share: {clean_text(name)}" for name, _ in self.scenarios])
        for i, model in enumerate(self.mix_models):
            r = first + i
            self.text(ws, f"A{r}", model, S.INPUT_FONT, S.INPUT_FILL)
            for kind, col in MIX_PRICES.values():
                c = ws[f"{col}{r}"]
                c.value = price(model, kind)
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["price"])
            for j, (sname, _) in enumerate(self.scenarios):
                share = self.a.mixes.get(sname, {}).get(model, 0.0)
                self.styled(ws.cell(row=r, column=5 + j, value=float(share)), S.INPUT_FONT, S.INPUT_FILL,
                            S.FORMATS["percent"])
        self.define("mix_models", ws, f"A{first}:A{last}")
        for key, (kind, col) in MIX_PRICES.items():
            self.define(f"mix_{kind}_usd", ws, f"{col}{first}:{col}{last}")
        self.define("mix_shares", ws, f"{fl}{first}:{ll}{last}")
        rows = self.mix_rows
        labels = {"total": ("Share total (1 for a scenario with a mix)", "fraction"),
                  "fx": ("fx: model currency per 1 USD (from Inputs)", "currency per USD"),
                  "input_price": ("Blended input price", "currency per 1M tokens"),
                  "cached_price": ("Blended cached-input price", "currency per 1M tokens"),
                  "output_price": ("Blended output price", "currency per 1M tokens")}
        fx_row = self.input_rows["fx"]
        for key, r in rows.items():
            label, unit = labels[key]
            self.text(ws, f"A{r}", f"{label} ({self.unit(unit)})", S.SECTION_FONT if key == "total" else None)
            for j in range(n):
                col = get_column_letter(5 + j)
                shares = f"{col}{first}:{col}{last}"
                if key == "total":
                    f, fmt, font = f"=SUM({shares})", S.FORMATS["percent"], S.FORMULA_FONT
                elif key == "fx":
                    f, fmt, font = f"=Inputs!{col}{fx_row}", S.FORMATS["price"], S.LINK_FONT
                else:
                    usd = f"${MIX_PRICES[key][1]}${first}:${MIX_PRICES[key][1]}${last}"
                    f = f'=IF({col}{rows["total"]}=0,"no mix",{col}{rows["fx"]}*SUMPRODUCT({shares},{usd}))'
                    fmt, font = S.FORMATS["price"], S.FORMULA_FONT
                self.formula(ws, f"{col}{r}", f, fmt, font=font, align=S.RIGHT)
            self.define(f"mix_{key}", ws, f"{fl}{r}:{ll}{r}")
        for j, (sname, _) in enumerate(self.scenarios):
            if sname in self.a.mixes:
                col = get_column_letter(5 + j)
                self.add_check(f"Model mix: the shares of scenario {clean_text(sname)} sum to 1",
                               f"ABS({quote_sheetname(MIX_SHEET)}!{col}{rows['total']}-1)<=check_tolerance")
        self.add_check("Model mix: no share is negative", 'COUNTIF(mix_shares,"<0")=0')
        ws.column_dimensions["A"].width = 44
        for col in "BCD":
            ws.column_dimensions[col].width = 16
        for j in range(n):
            ws.column_dimensions[get_column_letter(5 + j)].width = 16
        ws.freeze_panes = "B5"
        self.print_setup(ws, title_rows="4:4")

    # unit economics ---------------------------------------------------------

    def output_row(self, ws, row: int, name: str, label: str, unit: str, fmt: str, formula: str, udf: str | None = None):
        """One named output: label, name, unit, native formula, and in udf mode the =LLM_* twin."""
        self.text(ws, f"A{row}", label)
        self.text(ws, f"B{row}", name, S.NAME_FONT)
        self.text(ws, f"C{row}", self.unit(unit), S.UNIT_FONT)
        self.formula(ws, f"D{row}", self.f(formula), fmt, align=S.RIGHT)
        if self.udf and name in UDF_OUTPUTS and udf:
            self.define(f"{name}_native", ws, f"D{row}")
            self.formula(ws, f"E{row}", self.f(udf), fmt, align=S.RIGHT)
            self.define(name, ws, f"E{row}")
            self.add_check(f"{name}: the =LLM_* function agrees with the native formula",
                           "IF(AND(ISNUMBER({n}),ISNUMBER({n}_native)),ABS({n}-{n}_native)<=check_tolerance*MAX(1,ABS({n}_native)),"
                           "IF(ISERROR({n}),FALSE,{n}&\"\"={n}_native&\"\"))".format(n=name))
        else:
            self.define(name, ws, f"D{row}")

    def unit_economics_sheet(self, full: bool):
        ws = self.wb.create_sheet("Unit economics")
        self.title(ws, "Unit economics" if full else "Compute cost",
                   "Per MAU per month, for the live scenario. Definitions: docs/model.md.")
        cols = ["Metric", "Name", "Unit", "Value"] + (["Excel function"] if self.udf else [])
        self.header(ws, 4, cols)
        row = 5
        self.section(ws, row, "Compute", len(cols))
        row += 1
        self.output_row(ws, row, "cost_per_mau", "Compute cost per MAU", OUTPUT_UNITS["cost_per_mau"], S.FORMATS["money"],
                        "(input_tokens*(1-cached_share)*input_price+input_tokens*cached_share*cached_price"
                        "+output_tokens*output_price)/tokens_per_million+other_cost_per_mau",
                        "LLM_COST_PER_MAU(input_tokens,output_tokens,input_price,output_price,cached_share,cached_price)"
                        "+other_cost_per_mau")
        self.headlines.append("cost_per_mau")
        row += 1
        self.output_row(ws, row, "cost_per_paying_mau", "Compute cost per paying MAU (paying_cost_per_mau, "
                        "or the cost per MAU when not given)", OUTPUT_UNITS["cost_per_paying_mau"], S.FORMATS["money"],
                        "IF(ISNUMBER(paying_cost_per_mau),paying_cost_per_mau,{cost_per_mau})")
        row += 1
        self.output_row(ws, row, "blended_cost_per_mau", "Blended compute cost per MAU (free and paying users)",
                        OUTPUT_UNITS["blended_cost_per_mau"], S.FORMATS["money"],
                        "{cost_per_mau}+conversion*(cost_per_paying_mau-{cost_per_mau})")
        self.headlines += ["cost_per_paying_mau", "blended_cost_per_mau"]
        row += 1
        if full:
            self.ensure_monthly_rate(ws, row)
            row += 2
            self.section(ws, row, "Unit economics", len(cols))
            row += 1
            def payback(q):  # payback_months() on CAC q, the twin of the engine's masks
                return (f'IF(NOT(ISNUMBER(margin_per_user)),"n/a",IF(NOT(ISNUMBER({q})),"n/a",'
                        f'IF(margin_per_user<=0,"never",IF(churn=0,{q}/margin_per_user,'
                        f'IF({q}*churn/margin_per_user>=1,"never",IF(churn=1,0,'
                        f'LN(1-{q}*churn/margin_per_user)/LN(1-churn)))))))')

            payer_margin = "arppu-(cost_per_paying_mau-{cost_per_mau})"
            rows = [
                ("blended_cac", "Blended CAC (ad spend per new user of any source)", S.FORMATS["money"],
                 'IF(ISNUMBER(organic_users),IF(ad_spend/cac+organic_users>0,ad_spend/(ad_spend/cac+organic_users),'
                 '"n/a"),cac*paid_share)', None),
                ("paid_cac", "Paid CAC (ad spend per user bought with ads)", S.FORMATS["money"], "cac", None),
                ("revenue_per_mau", "Revenue per MAU", S.FORMATS["money"], "conversion*arppu", None),
                ("contribution_per_mau", "Contribution per MAU", S.FORMATS["money"],
                 "revenue_per_mau-blended_cost_per_mau", None),
                ("gross_margin", "Gross margin", S.FORMATS["percent"],
                 'IF(revenue_per_mau>0,contribution_per_mau/revenue_per_mau,"no revenue")', None),
                ("ltv", "LTV (discounted contribution over a user's life)", S.FORMATS["money"],
                 'IF(AND(ISNUMBER(gross_margin),churn+monthly_discount_rate>0),'
                 'revenue_per_mau*gross_margin/(churn+monthly_discount_rate),"n/a")',
                 "LLM_LTV(revenue_per_mau,gross_margin,churn,annual_discount_rate)"),
                ("ltv_to_cac", "LTV / blended CAC", S.FORMATS["ratio"],
                 'IF(AND(ISNUMBER({ltv}),ISNUMBER(blended_cac)),IF(blended_cac>0,{ltv}/blended_cac,"n/a"),"n/a")',
                 None),
                ("ltv_to_paid_cac", "LTV / paid CAC", S.FORMATS["ratio"],
                 'IF(ISNUMBER({ltv}),{ltv}/paid_cac,"n/a")', None),
                ("margin_per_user", "Contribution per user per month (for payback)", S.FORMATS["money"],
                 'IF(ISNUMBER(gross_margin),revenue_per_mau*gross_margin,"n/a")', None),
                ("payback_months", "Payback on blended CAC", S.FORMATS["months"], payback("blended_cac"),
                 "LLM_PAYBACK(blended_cac,revenue_per_mau,gross_margin,churn)"),
                ("payback_months_paid", "Payback on paid CAC", S.FORMATS["months"], payback("paid_cac"), None),
                ("breakeven_conversion", "Break-even conversion (MAU stops losing money)", S.FORMATS["percent"],
                 f'IF({payer_margin}>0,{{cost_per_mau}}/({payer_margin}),"n/a")', None),
            ]
            for name, label, fmt, formula, udf in rows:
                unit = OUTPUT_UNITS.get(name, "currency per user per month")
                self.output_row(ws, row, name, label, unit, fmt, formula, udf)
                if name != "margin_per_user":
                    self.headlines.append(name)
                row += 1
        ws.column_dimensions["A"].width = 50
        ws.column_dimensions["B"].width = 24
        ws.column_dimensions["C"].width = 30
        ws.column_dimensions["D"].width = 18
        ws.column_dimensions["E"].width = 18
        ws.freeze_panes = "A5"
        self.print_setup(ws, title_rows="4:4")

    def ensure_monthly_rate(self, ws, row: int) -> int:
        """The monthly discount rate, on the first sheet that needs it; returns the next free row."""
        if "monthly_discount_rate" in self.wb.defined_names:
            return row
        self.output_row(ws, row, "monthly_discount_rate", "Monthly discount rate", "monthly fraction", "0.000%",
                        "(1+annual_discount_rate)^(1/months_per_year)-1")
        return row + 1

    # timeline sheets --------------------------------------------------------

    def timeline(self, ws, n: int, rows: list, first_row: int, prefix: str = ""):
        """Rows across a month timeline: D = month 0, E.. = months 1..n.

        ``rows``: (key, label, unit, fmt, month0, formula) where month0 is a
        formula/value for column D or None, and formula is a function of
        ``c(key)`` (this month's cell of a row) and ``p(key)`` (last month's).
        """
        pos = {key: first_row + i for i, (key, *_) in enumerate(rows)}
        last = get_column_letter(4 + n)
        for key, label, unit, fmt, month0, formula in rows:
            r = pos[key]
            self.text(ws, f"A{r}", label)
            self.text(ws, f"B{r}", f"{prefix}{key}_by_month", S.NAME_FONT)
            self.text(ws, f"C{r}", self.unit(unit), S.UNIT_FONT)
            if month0 is not None:
                cell = ws.cell(row=r, column=4, value=month0 if not isinstance(month0, str) else self.f(month0))
                cell.font = S.INPUT_FONT if not isinstance(month0, str) else S.FORMULA_FONT
                cell.number_format = fmt
            for j in range(1, n + 1):
                col = get_column_letter(4 + j)
                prev = get_column_letter(3 + j)

                def c(k, col=col):
                    return f"{col}{pos[k]}"

                def p(k, prev=prev):
                    return f"{prev}{pos[k]}"

                cell = ws.cell(row=r, column=4 + j, value=self.f(formula(c, p)))
                self.styled(cell, S.FORMULA_FONT, None, fmt)
            self.define(f"{prefix}{key}_by_month", ws, f"E{r}:{last}{r}")
        return pos

    def projection_sheet(self):
        ws = self.wb.create_sheet("Projection")
        n = self.n_months
        self.title(ws, "Projection and runway", f"Month-end flows over {n} months for the live scenario. "
                                                "Column D is month 0 (the opening balances).")
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + [f"M{j}" for j in range(1, n + 1)])
        month_fmt = S.FORMATS["month"]
        money = S.FORMATS["total"]
        users = S.FORMATS["users"]
        mig = "migration_month" in self.inputs  # the migration inside the projection (model version 2)
        given = f'ISNUMBER(migration_month)'
        rows = [
            ("month", "Month", "month", month_fmt, 0, lambda c, p: f"{p('month')}+1"),
            ("ad_spend", "Ad spend", "currency", money, None,
             lambda c, p: f"ad_spend*(1+ad_growth)^({c('month')}-1)"),
            ("cac", "CAC this month (rises with spend by cac_elasticity)", "currency per user", S.FORMATS["money"],
             None, lambda c, p: f"IF({c('ad_spend')}=0,cac,cac*({c('ad_spend')}/ad_spend)^cac_elasticity)"),
            ("paid_new_users", "New users bought with ads", "users", users, None,
             lambda c, p: f"{c('ad_spend')}/{c('cac')}"),
            ("organic_new_users", "New users who come without ads", "users", users, None,
             lambda c, p: f"IF(ISNUMBER(organic_users),organic_users*(1+organic_growth)^({c('month')}-1),"
                          f"{c('paid_new_users')}/paid_share-{c('paid_new_users')})"),
            ("new_users", "New users", "users", users, None,
             lambda c, p: f"IF(ISNUMBER(organic_users),{c('paid_new_users')}+{c('organic_new_users')},"
                          f"{c('paid_new_users')}/paid_share)"),
            ("mau", "Monthly active users (MAU)", "users", users, "mau",
             lambda c, p: f"{p('mau')}*(1-churn)+{c('new_users')}"),
            ("paying_users", "Paying users", "users", users, None, lambda c, p: f"{c('mau')}*conversion"),
            ("revenue", "Revenue", "currency", money, None, lambda c, p: f"{c('paying_users')}*arppu"),
            ("compute_without_migration", "Compute with all traffic on the large model", "currency", money, None,
             lambda c, p: f"{c('mau')}*blended_cost_per_mau*(1-cost_decline)^({c('month')}-1)"),
            ("compute", "Compute (inference)", "currency", money, None,
             (lambda c, p: f"{c('compute_without_migration')}*IF(AND({given},{c('month')}>=migration_month),"
                           f"1-migration_saving,1)") if mig else (lambda c, p: c('compute_without_migration'))),
            ("fixed_costs", "Fixed costs", "currency", money, None, lambda c, p: "fixed_costs"),
            ("migration_one_off", "One-time cost of the migration", "currency", money, None,
             (lambda c, p: f"IF(AND({given},{c('month')}=migration_month),migration_cost,0)") if mig
             else (lambda c, p: "0")),
            ("net_burn", "Net burn (negative = profit)", "currency", money, None,
             lambda c, p: f"{c('ad_spend')}+{c('compute')}+{c('fixed_costs')}+{c('migration_one_off')}"
                          f"-{c('revenue')}"),
            ("cash", "Cash balance", "currency", money, "cash", lambda c, p: f"{p('cash')}-{c('net_burn')}"),
            ("cash_negative", "Cash has gone below 0", "flag", S.FORMATS["flag"], "FALSE()",
             lambda c, p: f"OR({p('cash_negative')},{c('cash')}<0)"),
            ("runway_step", "Runway if cash runs out this month", "months", S.FORMATS["months"], None,
             lambda c, p: f"IF(AND({c('cash_negative')},NOT({p('cash_negative')})),({c('month')}-1)+{p('cash')}/{c('net_burn')},0)"),
        ]
        if mig:
            rows += [
                ("net_burn_without_migration", "Net burn without the migration", "currency", money, None,
                 lambda c, p: f"{c('ad_spend')}+{c('compute_without_migration')}+{c('fixed_costs')}-{c('revenue')}"),
                ("cash_without_migration", "Cash balance without the migration", "currency", money, "cash",
                 lambda c, p: f"{p('cash_without_migration')}-{c('net_burn_without_migration')}"),
                ("cash_negative_without_migration", "Cash has gone below 0 without the migration", "flag",
                 S.FORMATS["flag"], "FALSE()",
                 lambda c, p: f"OR({p('cash_negative_without_migration')},{c('cash_without_migration')}<0)"),
                ("runway_step_without_migration", "Runway without the migration if cash runs out this month",
                 "months", S.FORMATS["months"], None,
                 lambda c, p: f"IF(AND({c('cash_negative_without_migration')},"
                              f"NOT({p('cash_negative_without_migration')})),({c('month')}-1)"
                              f"+{p('cash_without_migration')}/{c('net_burn_without_migration')},0)"),
            ]
        pos = self.timeline(ws, n, rows, 5)
        last = get_column_letter(4 + n)
        out = max(pos.values()) + 2
        self.section(ws, out, "Results", 4)
        optional = lambda k: f'IF(ISNUMBER({k}),{k},"")'  # noqa: E731 - "not given" is an empty argument
        udf_args = (f"LLM_RUNWAY(cash,mau,ad_spend,cac,churn,conversion,arppu,{{cost_per_mau}},fixed_costs,"
                    f"paid_share,ad_growth,cost_decline,horizon,{optional('organic_users')},organic_growth,"
                    f"cac_elasticity,{optional('paying_cost_per_mau')}")
        udf_args += (f",{optional('migration_month')},routed_share,large_price,small_price,migration_cost)" if mig
                     else ")")
        self.output_row(ws, out + 1, "runway_months", "Runway (months until cash runs out)", "months",
                        S.FORMATS["months"],
                        f'IF(cash<=0,0,IF({last}{pos["cash_negative"]},SUM(runway_step_by_month),"never"))',
                        udf_args)
        self.output_row(ws, out + 2, "horizon", "Months projected", "months", "0", "COUNT(month_by_month)")
        self.output_row(ws, out + 3, "ending_cash", f"Cash at month {n}", "currency", money, f"{last}{pos['cash']}")
        if mig:
            self.output_row(ws, out + 4, "runway_months_without_migration", "Runway without the migration",
                            "months", S.FORMATS["months"],
                            f'IF(cash<=0,0,IF({last}{pos["cash_negative_without_migration"]},'
                            f'SUM(runway_step_without_migration_by_month),"never"))')
            self.output_row(ws, out + 5, "migration_saving", "Share of compute saved from migration_month",
                            "fraction", S.FORMATS["percent"], "routed_share*(1-small_price/large_price)")
            out += 2
        self.headlines += ["runway_months"] + (["runway_months_without_migration"] if mig else []) + ["ending_cash"]
        self.add_check("Cash at the end equals opening cash less the sum of net burn",
                       "ABS(ending_cash-(cash-SUM(net_burn_by_month)))<=check_tolerance*MAX(1,ABS(cash)"
                       "+SUMPRODUCT(ABS(net_burn_by_month)))")
        self.add_check("Paying users never exceed MAU", "SUMPRODUCT(--(paying_users_by_month>mau_by_month))=0")
        self.add_check("The timeline has one column per month of the horizon", f"horizon={n}")
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 24
        ws.column_dimensions["C"].width = 12
        ws.column_dimensions["D"].width = 15
        for j in range(1, n + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 14
        ws.freeze_panes = "E5"
        # charts
        cats = Reference(ws, min_col=5, max_col=4 + n, min_row=pos["month"])
        anchor_row = out + 6

        def chart(title, y_title, keys, anchor):
            ch = LineChart()
            ch.title = title
            ch.y_axis.title = y_title
            ch.x_axis.title = "Month"
            ch.height, ch.width = 8, 18
            ch.x_axis.tickLblPos = "low"
            for key in keys:
                s = Series(Reference(ws, min_col=5, max_col=4 + n, min_row=pos[key]), title=dict(
                    (k, lbl) for k, lbl, *_ in rows)[key])
                s.smooth = False
                ch.series.append(s)
            ch.set_categories(cats)
            ch.x_axis.delete = False
            ch.y_axis.delete = False
            ch.y_axis.majorGridlines = None
            ws.add_chart(ch, anchor)

        chart("Cash balance" + (" with and without the migration" if mig else ""), self.a.currency,
              ["cash", "cash_without_migration"] if mig else ["cash"], f"A{anchor_row}")
        chart("MAU and paying users", "users", ["mau", "paying_users"], f"F{anchor_row}")
        chart("Revenue against ad, compute and fixed costs", self.a.currency,
              ["revenue", "ad_spend", "compute", "fixed_costs"], f"A{anchor_row + 16}")
        self.print_setup(ws, wide_pages=max(1, math.ceil(n / 12)), title_rows="4:4", title_cols="A:D")

    def migration_sheet(self):
        ws = self.wb.create_sheet("Migration")
        n = max(int(s["months"]) for s in self.a.scenarios.values())
        self.title(ws, "Small-model migration", f"Net cash flow of moving traffic to a small model, month by month "
                                                f"({n} month columns). Column D is month 0 (the one-time cost).")
        self.header(ws, 4, ["Line item", "Name", "Unit", "Month 0"] + [f"M{j}" for j in range(1, n + 1)])
        money = S.FORMATS["total"]
        rows = [
            ("month", "Month", "month", S.FORMATS["month"], 0, lambda c, p: f"{p('month')}+1"),
            ("savings", "Savings from the small model", "currency", money, None,
             lambda c, p: f"IF({c('month')}<=months,monthly_tokens*(1+token_growth)^({c('month')}-1)*routed_share"
                          f"*(large_price-small_price)*(1-price_decline)^({c('month')}-1)/tokens_per_million,0)"),
            ("quality_loss", "Revenue lost to lower quality", "currency", money, None,
             lambda c, p: f"IF({c('month')}<=months,monthly_revenue*revenue_loss,0)"),
            ("net", "Net cash flow", "currency", money, "-migration_cost",
             lambda c, p: f"{c('savings')}-{c('quality_loss')}"),
            ("present_value", "Present value of the month's flow", "currency", money, None,
             lambda c, p: f"{c('net')}/(1+monthly_discount_rate)^{c('month')}"),
            ("cumulative_npv", "Cumulative NPV", "currency", money, "-migration_cost",
             lambda c, p: f"{p('cumulative_npv')}+{c('present_value')}"),
            ("paid_back", "Migration has paid back", "flag", S.FORMATS["flag"], "FALSE()",
             lambda c, p: f"OR({p('paid_back')},AND({c('cumulative_npv')}>=0,{c('month')}<=months))"),
            ("payback_step", "Payback month if it pays back this month", "month", S.FORMATS["month"], None,
             lambda c, p: f"IF(AND({c('paid_back')},NOT({p('paid_back')})),{c('month')},0)"),
        ]
        pos = self.timeline(ws, n, rows, 5, prefix="migration_")
        last = get_column_letter(4 + n)
        out = pos["payback_step"] + 2
        self.section(ws, out, "Results", 4)
        r = self.ensure_monthly_rate(ws, out + 1)
        self.output_row(ws, r, "migration_npv", "Migration NPV", "currency", money,
                        "-migration_cost+NPV(monthly_discount_rate,migration_net_by_month)",
                        "LLM_MIGRATION_NPV(monthly_tokens,large_price,small_price,migration_cost,months,"
                        "annual_discount_rate,routed_share,token_growth,price_decline,monthly_revenue,revenue_loss)")
        self.output_row(ws, r + 1, "migration_payback_month", "Payback month (cumulative NPV >= 0)", "month", "0",
                        f'IF({last}{pos["paid_back"]},SUM(migration_payback_step_by_month),"never")')
        self.headlines += ["migration_npv", "migration_payback_month"]
        self.add_check("The migration timeline covers the months of savings", f"months<={n}")
        # sensitivity grid: NPV over routed share (rows) and small-model price (columns)
        g = r + 4
        self.section(ws, g, "Sensitivity: migration NPV by routed share (rows) and small-model price (columns)", 9)
        shares = [0.25, 0.5, 0.75, 0.9, 1.0]
        base = self.scenarios[0][1]
        sp = float(base["small_price"])
        lp = float(base["large_price"])
        prices = [sp * k for k in (0.25, 0.5, 1, 2, 4)] if sp > 0 else [lp * k for k in (0, 0.01, 0.05, 0.1, 0.25)]
        self.text(ws, f"A{g + 1}", "Blue axis values are inputs: edit them to explore.", S.UNIT_FONT)
        self.text(ws, f"C{g + 2}", "routed share \\ small price", S.UNIT_FONT)
        for j, price in enumerate(prices):
            c = ws.cell(row=g + 2, column=5 + j, value=price)
            c.font, c.fill, c.number_format = S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["price"]
        for i, share in enumerate(shares):
            c = ws.cell(row=g + 3 + i, column=4, value=share)
            c.font, c.fill, c.number_format = S.INPUT_FONT, S.INPUT_FILL, S.FORMATS["percent"]
            for j in range(len(prices)):
                rs = f"$D{g + 3 + i}"
                spc = f"{get_column_letter(5 + j)}${g + 2}"
                formula = ("=-migration_cost+SUMPRODUCT((migration_month_by_month<=months)*(monthly_tokens"
                           f"*(1+token_growth)^(migration_month_by_month-1)*{rs}*(large_price-{spc})"
                           "*(1-price_decline)^(migration_month_by_month-1)/tokens_per_million"
                           "-monthly_revenue*revenue_loss)/(1+monthly_discount_rate)^migration_month_by_month)")
                self.formula(ws, f"{get_column_letter(5 + j)}{g + 3 + i}", formula, money)
        last_grid = get_column_letter(4 + len(prices))
        self.define("grid_small_price", ws, f"E{g + 2}:{last_grid}{g + 2}")
        self.define("grid_routed_share", ws, f"D{g + 3}:D{g + 2 + len(shares)}")
        self.define("migration_npv_grid", ws, f"E{g + 3}:{last_grid}{g + 2 + len(shares)}")
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].width = 32
        ws.column_dimensions["C"].width = 22
        ws.column_dimensions["D"].width = 15
        for j in range(1, max(n, len(prices)) + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 14
        ws.freeze_panes = "E5"
        ch = LineChart()
        ch.title = "Cumulative NPV of the migration"
        ch.y_axis.title = self.a.currency
        ch.x_axis.title = "Month"
        ch.height, ch.width = 8, 18
        ch.x_axis.tickLblPos = "low"
        s = Series(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["cumulative_npv"]), title="Cumulative NPV")
        ch.series.append(s)
        ch.set_categories(Reference(ws, min_col=4, max_col=4 + n, min_row=pos["month"]))
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ws.add_chart(ch, f"A{g + 10}")
        self.print_setup(ws, wide_pages=max(1, math.ceil(n / 12)), title_rows="4:4", title_cols="A:D")

    # checks and cover -------------------------------------------------------

    def checks_sheet(self):
        ws = self.wb.create_sheet("Checks")
        self.title(ws, "Checks", "Each check is TRUE when it passes; the master check is TRUE when all pass.")
        self.header(ws, 4, ["Check", "", "", "Passes"])
        row = 5
        for desc, formula in self.checks:
            self.text(ws, f"A{row}", desc)
            self.formula(ws, f"D{row}", "=" + formula)
            row += 1
        self.text(ws, f"A{row + 1}", "Master check: every check passes", S.SECTION_FONT)
        self.formula(ws, f"D{row + 1}", f"=AND(D5:D{row - 1})", font=S.OK_FONT)
        self.define("checks_ok", ws, f"D{row + 1}")
        ws.column_dimensions["A"].width = 90
        ws.column_dimensions["D"].width = 12
        ws.freeze_panes = "A5"
        self.print_setup(ws, title_rows="4:4")

    def cover_sheet(self):
        ws = self.cover
        self.title(ws, self.a.name, f"{self.t.title}: generated by xlmodel {__version__} from {self.a.source}")
        lines = [
            ("What this is", f"{self.t.title} workbook: {self.t.summary}. Every number is a live Excel "
                             "formula of the definitions in docs/model.md."),
            ("How to use", "1. Edit the blue cells on the Inputs sheet (one column per scenario). "
                           "2. Pick the live scenario in Inputs!D4. "
                           "3. Read the results here and on the calculation sheets. "
                           "4. Keep the master check TRUE (see the Checks sheet)."),
            ("Colours", "Blue on a pale fill: input. Black: formula. Green: a link to another sheet. "
                        "\"never\" means the event does not happen within the horizon."),
            ("Currency", self.a.currency),
        ]
        row = 4
        for label, text in lines:
            self.text(ws, f"A{row}", label, S.SECTION_FONT).alignment = S.WRAP
            c = self.text(ws, f"B{row}", text)
            c.alignment = S.WRAP
            ws.merge_cells(f"B{row}:D{row}")
            ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 80))
            row += 1
        row += 1
        self.text(ws, f"A{row}", "Live scenario", S.SECTION_FONT)
        self.formula(ws, f"B{row}", "=scenario", font=S.HEADLINE_FONT)
        row += 1
        self.text(ws, f"A{row}", "Master check", S.SECTION_FONT)
        self.formula(ws, f"B{row}", '=IF(checks_ok,"OK","CHECK FAILED: see the Checks sheet")', font=S.OK_FONT)
        row += 2
        self.header(ws, row, ["Headline", "Value", "Unit", "Name"])
        row += 1
        labels = {
            "cost_per_mau": "Compute cost per MAU", "blended_cac": "Blended CAC", "revenue_per_mau": "Revenue per MAU",
            "contribution_per_mau": "Contribution per MAU", "gross_margin": "Gross margin", "ltv": "LTV",
            "ltv_to_cac": "LTV / CAC", "payback_months": "Payback", "breakeven_conversion": "Break-even conversion",
            "runway_months": "Runway", "ending_cash": "Cash at the end of the horizon",
            "cost_per_paying_mau": "Compute cost per paying MAU", "blended_cost_per_mau": "Blended compute cost per MAU",
            "paid_cac": "Paid CAC", "ltv_to_paid_cac": "LTV / paid CAC", "payback_months_paid": "Payback on paid CAC",
            "runway_months_without_migration": "Runway without the migration",
            "migration_npv": "Migration NPV", "migration_payback_month": "Migration payback month",
        }
        fmts = {"gross_margin": "percent", "breakeven_conversion": "percent", "ltv_to_cac": "ratio",
                "ltv_to_paid_cac": "ratio", "payback_months_paid": "months", "runway_months_without_migration": "months",
                "payback_months": "months", "runway_months": "months", "migration_payback_month": "month",
                "migration_npv": "total", "ending_cash": "total"}
        for name in self.headlines:
            self.text(ws, f"A{row}", labels[name])
            self.formula(ws, f"B{row}", f"={name}", S.FORMATS[fmts.get(name, "money")], font=S.LINK_FONT,
                         align=S.RIGHT)
            self.text(ws, f"C{row}", self.unit(OUTPUT_UNITS.get(name, "currency")), S.UNIT_FONT)
            self.text(ws, f"D{row}", name, S.NAME_FONT)
            row += 1
        ws.column_dimensions["A"].width = 32
        ws.column_dimensions["B"].width = 20
        ws.column_dimensions["C"].width = 30
        ws.column_dimensions["D"].width = 28
        self.print_setup(ws)


def build(template: str, a: Assumptions, months: int | None = None, formulas: str = "native") -> Workbook:
    """Build a template's workbook for the assumptions ``a``."""
    if template not in TEMPLATES:
        raise AssumptionsError(a.source, f"unknown template {template!r} (have {', '.join(TEMPLATES)})")
    return Builder(a, TEMPLATES[template], months, formulas).build()
