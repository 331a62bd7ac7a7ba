"""Build finished LLM-economics workbooks with live Excel formulas (openpyxl).

Layout (FAST Standard): Cover, Inputs (scenario columns and a selector),
calculation sheets on one month timeline, Checks. Every input and headline
output has a workbook-scoped defined name equal to its name in the model, and
the formulas use those names. Only functions that Excel 2016+, Microsoft 365,
LibreOffice and Google Sheets all have (no LET, LAMBDA, XLOOKUP, spills).

Each formula here is the twin of an engine function (``xlmodel.engine``),
written in the same order of operations so that a recalculated workbook agrees
with the engine to far better than 1e-9.

Portability rule: no formula relies on implicit array evaluation outside an
array formula, which some spreadsheets do not perform: no function of a range
where it expects one value (``ABS``, ``COLUMN``, ``INT``, ``SIGN``, ... of a
range, even inside ``SUMPRODUCT``), and no ``AND``/``OR`` over a range of
formulas. Use ``SUMIF``, ``COUNTIF``, ``MATCH`` or cell-by-cell formulas
instead (a test scans every template for these patterns).
"""

from __future__ import annotations

import datetime
import math
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from ..actuals import next_month
from ..assumptions import Assumptions
from ..company import COMPANY_SCALARS, first_company_input
from ..dates import FIRST_START, check_calendar
from ..errors import AssumptionsError, InputError
from ..lite import lite_files
from ..payers import TWO_STOCKS as STOCKS_WHAT
from ..payers import uses_stocks
from . import styles as S
from .actuals_sheet import SCENARIO as ACTUALS_SCENARIO
from .actuals_sheet import ActualsSheet, choose_plan, with_actuals_scenario
from .annual_sheet import AnnualSheet
from .cached import cell_values, engine_values
from .changes_sheet import ChangesSheet
from .checks_sheet import ChecksSheet
from .cohorts_sheet import CohortsSheet
from .cover_sheet import CoverSheet
from .credits_sheet import CreditsSheet
from .excel_sheet import ExcelSheets
from .inputs_sheet import InputsSheets
from .layout import (  # noqa: F401 - re-exported: verify and the tests import them from here
    _ABSOLUTE,
    _CONTROL,
    CONSTANTS,
    CURVE_TEMPLATES,
    MIGRATION_INPUTS,
    MIX_FIRST_ROW,
    MIX_PRICES,
    MIX_SHEET,
    NOT_GIVEN,
    OPTIONAL_INPUTS,
    OTHER_COST,
    PROJECTION_ROWS,
    RUNWAY_INPUTS,
    RUNWAY_MIGRATION_INPUTS,
    SECTIONS,
    STOCK_ZERO,
    TEMPLATES,
    TOKEN_INPUTS,
    UDF_OUTPUTS,
    UE_INPUTS,
    WATERFALL_MAX_MONTHS,
    WB_PARAMS,
    Template,
    clean_text,
    rule_expr,
    rule_sentence,
)
from .migration_sheet import MigrationSheet
from .plan_migration_sheet import PlanMigrationSheet
from .projection_sheet import ProjectionSheet
from .risk_sheet import RiskSheet
from .scenarios_sheet import ScenariosSheet
from .sensitivity_sheet import SensitivitySheet
from .statements_sheet import StatementsSheet
from .team_sheet import TeamSheet, company_refusal
from .unit_economics_sheet import UnitEconomicsSheet
from .waterfall_sheet import WaterfallSheet

# ------------------------------------------------------------------ builder

#: row 3 of a sheet that shows the live scenario: this text and the scenario's name
LIVE_CAPTION = "Live scenario: "
#: the scale every wide sheet prints at (a timeline, Inputs, Scenarios): never a page shrunk below 70%
PRINT_SCALE = 75


def default_font(wb):
    """The workbook's Normal font (what column widths are measured in, and empty cells show): the house font."""
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=S.FONT_NAME, size=S.SIZE, family=2)
    wb._named_styles["Normal"].font = font
    fonts = list(wb._fonts)
    fonts[0] = font
    wb._fonts = IndexedList(fonts)


class _Names(dict):
    """format_map helper: ``{ltv}`` becomes the name the formula should use."""

    def __init__(self, builder):
        super().__init__()
        self.b = builder

    def __missing__(self, key):
        return self.b.ref(key)


class Builder(
    WaterfallSheet,
    InputsSheets,
    ChangesSheet,
    UnitEconomicsSheet,
    ProjectionSheet,
    AnnualSheet,
    MigrationSheet,
    PlanMigrationSheet,
    RiskSheet,
    CohortsSheet,
    ActualsSheet,
    ChecksSheet,
    CoverSheet,
    ScenariosSheet,
    SensitivitySheet,
    TeamSheet,
    CreditsSheet,
    StatementsSheet,
    ExcelSheets,
):
    """One workbook: the shared helpers here, one mixin per sheet kind (each in its own module).

    WaterfallSheet comes first: its ``output_row`` makes the Unit economics' LTV follow a live retention curve.
    """

    def __init__(
        self,
        a: Assumptions,
        template: Template,
        months: int | None = None,
        formulas: str = "native",
        cohorts=None,
        cohort_source: str = "",
        actuals=None,
        fit=None,
        lite=None,
        generated=None,
        plan=None,
    ):
        if formulas not in ("native", "udf"):
            raise ValueError(f"formulas must be native or udf, got {formulas!r}")
        if template.key == "migration" and not a.has_migration():
            raise AssumptionsError(
                a.source,
                "the migration template needs the standalone migration inputs in every "
                "scenario (monthly_tokens, large_price, small_price, migration_cost, months)",
            )
        if template.key == "cohorts" and not cohorts:
            raise AssumptionsError(
                a.source, "the cohorts template needs a retention triangle (--cohorts FILE.csv)"
            )
        curved = [n for n, s in a.scenarios.items() if s.get("retention") is not None]
        if curved and template.key not in CURVE_TEMPLATES:  # refuse rather than ignore the curve
            raise AssumptionsError(
                a.source,
                f"the {template.key} template does not carry retention curves: the "
                "model template does (xlmodel new model: the curve on Inputs, a Waterfall sheet "
                "of its cohorts); or use xlmodel calc or simulate, or give churn instead",
                curved[0],
                "retention",
            )
        self.cohort_rows = cohorts
        self.cohort_source = cohort_source
        self.actuals, self.fit = actuals, fit
        if actuals is not None:
            if template.key != "model":
                raise AssumptionsError(a.source, "actuals go with the model template")
            self.actuals_source = Path(actuals.source).name
            if actuals.months and actuals.months[0] < FIRST_START:  # the Actuals sheet dates each month
                raise AssumptionsError(
                    actuals.source,
                    f"an Actuals sheet dates each month: months must be {FIRST_START} or later (spreadsheets "
                    f"show no earlier dates alike), got {actuals.months[0]}",
                    key="month",
                )
            self.plan = choose_plan(a, plan)  # the scenario plan vs actual compares with (it comes first)
            a = with_actuals_scenario(a, fit, self.plan)
        self.a = a
        self.t = template
        self.grid: tuple[str, str] | None = (
            None  # the Sensitivity sheet's two inputs, when named (build's grid)
        )
        self.n_months = int(months or a.horizon)
        try:  # a --months override: every month column within what spreadsheets can show
            check_calendar(a.start, a.fiscal_year_start, self.n_months)
        except InputError as e:
            where = f"model.{e.argument}" if not months else f"model.{e.argument} with --months {months}"
            raise AssumptionsError(a.source, str(e), key=where) from None
        #: the longest retention curve of any scenario (its rows on Inputs); 0: no curve, no Waterfall sheet
        self.curve_months_max = max((len(a.scenarios[n]["retention"]) for n in curved), default=0)
        if curved:
            k = self.curve_months_max
            if self.n_months > WATERFALL_MAX_MONTHS:
                raise AssumptionsError(
                    a.source,
                    f"a workbook with a retention curve covers up to "
                    f"{WATERFALL_MAX_MONTHS} months (its Waterfall sheet is months x months "
                    f"formulas), got {self.n_months}: give --months {WATERFALL_MAX_MONTHS} or "
                    "fewer",
                    curved[0],
                    "retention",
                )
            if self.n_months < k:
                longest = next(n for n in curved if len(a.scenarios[n]["retention"]) == k)
                raise AssumptionsError(
                    a.source,
                    f"a retention curve of {k} months needs a workbook of at least {k} "
                    f"months (its LTV and payback read the curve along the month columns): "
                    f"give --months {k} or more",
                    longest,
                    "retention",
                )
        self.udf = formulas == "udf"
        self.lite = lite  # the Lite bundle's files for a udf workbook (default: generated now)
        self.generated = generated or datetime.date.today()  # the Cover's generation date
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        default_font(self.wb)
        self.scenarios = list(a.scenarios.items())
        self.inputs = template.inputs(a)
        #: the whole company (version 4): the Team, Capex and credits, and Statements sheets
        self.company = "on_cost" in self.inputs
        #: payers as their own stock (version 4): the two stocks and annual billings on the Projection
        self.stocks = "paying_churn" in self.inputs
        # (description, formula, per_scenario): one formula, or one per scenario column
        self.checks: list[tuple[str, str | None, list[str] | None]] = []
        #: sheet -> cell ranges that must hold no error value (named outputs, live inputs, timeline rows)
        self.sweep: dict[str, list[str]] = {}
        #: a udf workbook's "the =LLM_* function agrees" checks: (description, formula, output name)
        self.udf_checks: list[tuple[str, str, str]] = []
        self.headlines: list[str] = []
        self.live_sheets: set[str] = set()  # sheets whose row 3 names the live scenario
        self._styles: dict = {}
        self.input_rows: dict[str, int] = {}
        # the Model mix sheet: one row per model of any scenario's mix, then the blended prices
        self.mix_models = list(dict.fromkeys(m for mix in a.mixes.values() for m in mix))
        after = MIX_FIRST_ROW + len(self.mix_models)
        self.mix_rows = {
            "total": after,
            "fx": after + 1,
            "input_price": after + 2,
            "cached_price": after + 3,
            "output_price": after + 4,
        }

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

    def title(self, ws, title: str, subtitle: str, live: bool = False):
        """Rows 1-2: the sheet's title and what it shows; with ``live``, row 3 names the live scenario (and
        repeats on every printed page, with the print titles)."""
        self.text(ws, "A1", title, S.TITLE_FONT)
        self.text(ws, "A2", subtitle, S.SUBTITLE_FONT)
        ws.row_dimensions[1].height = 24
        if live:
            self.formula(ws, "A3", f'="{LIVE_CAPTION}"&scenario', font=S.SECTION_FONT)
            self.live_sheets.add(ws.title)

    def header(self, ws, row: int, labels: list[str], start_col: int = 1):
        for i, label in enumerate(labels):
            self.text(
                ws,
                f"{get_column_letter(start_col + i)}{row}",
                label,
                S.HEADER_FONT,
                S.HEADER_FILL,
                S.RIGHT if i >= 3 else S.LEFT,
            )  # right-aligned over the numbers

    def section(self, ws, row: int, label: str, width: int):
        for col in range(1, width + 1):
            self.styled(ws.cell(row=row, column=col), fill=S.SECTION_FILL)
        self.text(ws, f"A{row}", label, S.SECTION_FONT, S.SECTION_FILL)

    def print_setup(
        self,
        ws,
        wide_pages: int = 1,
        title_rows: str | None = None,
        title_cols: str | None = None,
        tall_pages: int = 0,
    ):
        """Landscape A4, ``wide_pages`` across, ``tall_pages`` down (0: as many as it takes)."""
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = wide_pages
        ws.page_setup.fitToHeight = tall_pages
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        if title_rows and ws.title in self.live_sheets and title_rows.startswith("4:"):
            title_rows = "3" + title_rows[1:]  # the live scenario's name on every page
        if title_rows:
            ws.print_title_rows = title_rows
        if title_cols:
            ws.print_title_cols = title_cols
        ws.oddFooter.center.text = "&A - page &P of &N"
        ws.sheet_view.showGridLines = False

    def print_wide(self, ws, title_rows: str | None, title_cols: str = "A:A"):
        """A wide block on paper at the pack's 75%: as many pages across as its columns take, the labels
        (``title_cols``) and headers (``title_rows``) on every page, instead of one page shrunk below 70%."""
        self.print_setup(ws, title_rows=title_rows, title_cols=title_cols)
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = PRINT_SCALE
        ws.page_margins.left = ws.page_margins.right = (
            0.25  # a long label wraps, never cut: S.wrap_cut_labels
        )

    def print_timeline(self, ws, n: int, title_rows: str = "3:4"):
        """A month timeline on paper: 12 months a page at 75% (a column break after each year), the labels
        (column A) on every page, the names (column B) grouped and hidden, as many pages down as it takes.

        The widths fit: A 36, C 12 and D 11 characters, and twelve months of 11, on landscape A4 at 75%.
        """
        from openpyxl.worksheet.pagebreak import Break

        self.print_setup(ws, title_rows=title_rows, title_cols="A:A")
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = PRINT_SCALE
        ws.page_margins.left = ws.page_margins.right = 0.25
        for col, width in (("A", 36), ("C", 12), ("D", 11)):
            ws.column_dimensions[col].width = width
        ws.column_dimensions["B"].outlineLevel = 1  # the names: the + above the sheet shows them
        ws.column_dimensions["B"].hidden = True
        ws.sheet_properties.outlinePr.summaryRight = False
        for j in range(1, n + 1):
            ws.column_dimensions[get_column_letter(4 + j)].width = 11
        for year_end in range(12, n, 12):  # a break after each twelfth month (column P, AB, ...)
            ws.col_breaks.append(Break(id=4 + year_end))
        for row in ws.iter_rows(min_col=1, max_col=3, min_row=5):  # long labels and units wrap, never cut
            lines = 1
            for c, width in ((row[0], 36), (row[2], 12)):
                if isinstance(c.value, str) and not c.value.startswith("=") and len(c.value) > width:
                    c.alignment = S.WRAP
                    lines = max(lines, math.ceil(len(c.value) * 1.1 / width))
            if lines > 1:  # a height of its own: not every program sizes a wrapped row
                ws.row_dimensions[row[0].row].height = 13 * lines

    def big_money(self) -> bool:
        """Money totals in millions when the scenarios' cash or a year of spend reaches ten million."""
        s = self.scenarios[0][1]
        scale = max(
            abs(float(s.get("cash", 0.0))),
            12 * float(s.get("ad_spend", 0.0)),
            12 * float(s.get("fixed_costs", 0.0)),
        )
        return scale >= 1e7

    def in_millions(self, ws):
        """Money totals (a unit of the currency, or the currency per month) shown in millions, when the plan's
        money is that large: a month column then reads -8,446.9M, not -8,446,858,260."""
        if not self.big_money():
            return
        units = (self.a.currency, f"{self.a.currency} per month")
        for row in ws.iter_rows(min_row=5):
            unit = row[2].value if len(row) > 2 else None
            if unit not in units:
                continue
            for c in row[3:]:
                if c.number_format in (S.FORMATS["total"], S.FORMATS["money"]):
                    c.number_format = S.FORMATS["millions"]

    def swept(self, ws, ref: str):
        """``ref`` on ``ws`` must hold no error value: the Checks sheet's sweep covers it."""
        self.sweep.setdefault(ws.title, []).append(ref)

    def add_check(self, description: str, formula: str | None, per_scenario: list[str] | None = None):
        """A line on the Checks sheet: one formula, or one per scenario column (all must pass)."""
        self.checks.append((description, formula, per_scenario))

    # -- scenario values ---------------------------------------------------

    def scenario_start(self, i: int) -> str | None:
        """The calendar month of scenario ``i``'s month 1: the plan's ``start``; for the re-forecast of
        ``--actuals``, the month after the last actual (as ``xlmodel fit`` starts it)."""
        if self.fit is not None and self.a.start and self.scenarios[i][0] == ACTUALS_SCENARIO:
            return next_month(self.fit.months[-1])
        return self.a.start

    def scenario_value(self, s: dict, key: str):
        """The value of ``key`` in a scenario column; None leaves the cell empty (not given)."""
        if key.startswith("retention["):  # month a of the scenario's curve; empty past it, or without a curve
            a, curve = int(key[len("retention[") : -1]), s.get("retention") or ()
            return float(curve[a - 1]) if a <= len(curve) else None
        if key in OPTIONAL_INPUTS:
            return s.get(key)
        if (
            key in COMPANY_SCALARS or key in STOCK_ZERO
        ):  # the whole company's inputs, annual plans': left out, 0
            return s.get(key, 0.0)
        if (
            key not in s
            and key in WB_PARAMS
            and WB_PARAMS[key].default is not None
            and key != "other_cost_per_mau"
        ):
            return WB_PARAMS[key].default
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

    def _decisions_fit_the_timeline(self):
        """Every change and round of every scenario falls on the workbook's month columns."""
        n = self.n_months
        for sname, s in self.scenarios:
            late = [d["month"] for d in (s.get("changes") or []) + (s.get("funding") or []) if d["month"] > n]
            if late:
                raise AssumptionsError(
                    self.a.source,
                    f"a change or round in month {max(late)} lies beyond the "
                    f"workbook's {n} months: give --months {max(late)} or more",
                    sname,
                )

    # -- sheets --------------------------------------------------------------

    def build(self) -> Workbook:
        if self.t.has("risk", self.a):
            self.risk_setup()
        if self.actuals is not None:
            self.actuals_layout()
        if self.t.has("projection", self.a):
            self._decisions_fit_the_timeline()
        self.cover = self.wb.create_sheet("Cover")
        self.inputs_sheet()
        if self.mix_models and "fx" in self.inputs:
            self.mix_sheet()
        if self.t.has("projection", self.a):
            self.changes_sheet()
        if self.t.has("ue", self.a) or self.t.has("ue_cost", self.a):
            self.unit_economics_sheet(full=self.t.has("ue", self.a))
        if self.t.has("projection", self.a):
            if self.curve_months_max:
                self.waterfall_layout()
            if self.company:
                self.team_sheet()
                self.credits_sheet()
            self.projection_sheet()
            self.annual_sheet()
            if self.company:
                self.statements_sheet()
            if self.curve_months_max:
                self.waterfall_sheet()
        if self.actuals is not None:
            self.actuals_sheet()
        if self.t.has("migration", self.a):
            self.migration_sheet()
        if self.t.has("plan_migration", self.a):
            self.plan_migration_sheet()
        if self.t.has("risk", self.a):
            self.risk_sheet()
        if self.t.has("cohorts", self.a):
            self.cohorts_sheet()
        if self.t.has("projection", self.a) and self.t.has("ue", self.a):
            self.sensitivity_sheet()
        if self.t.has("risk", self.a):
            self.fan_sheet()
        self.scenarios_sheet()
        self.checks_sheet()
        self.cover_sheet()
        if self.udf:
            self.excel_sheets(self.lite or lite_files())
        S.board_formats(
            self.wb
        )  # negatives red with a minus, small rates to 2 decimals: one rule, every sheet
        self.wb.properties.creator = "xlmodel"
        self.wb.properties.title = clean_text(self.a.name)
        self.wb.calculation.fullCalcOnLoad = True
        # the engine's numbers as the formulas' cached results, written when the workbook is saved
        self.wb._xlmodel_cached = cell_values(self.wb, engine_values(self))
        self.wb._xlmodel_cached.update(getattr(self, "extra_cached", {}))  # cells a sheet computed itself
        return self.wb


def refusal(template: str, a: Assumptions, actuals=None) -> AssumptionsError | None:
    """Why ``template`` cannot carry the plan ``a`` (with ``actuals``), as the error :func:`build` raises, or None
    when it can: no workbook may disagree with the engine, so a template refuses what it cannot show."""
    for name, s in a.scenarios.items():
        first = first_company_input(s)
        if first is not None:
            why = company_refusal(template, a, actuals)
            if why:
                return AssumptionsError(a.source, why, name, first)
        if uses_stocks(
            s
        ):  # payers as their own stock carry the statements (deferred revenue): as the company
            why = company_refusal(template, a, actuals, STOCKS_WHAT)
            if why:
                return AssumptionsError(a.source, why, name, "paying_churn")
    return None


def build(
    template: str,
    a: Assumptions,
    months: int | None = None,
    formulas: str = "native",
    cohorts=None,
    cohort_source: str = "",
    actuals=None,
    fit=None,
    lite=None,
    generated=None,
    plan=None,
    grid: tuple[str, str] | None = None,
) -> Workbook:
    """Build a template's workbook for the assumptions ``a``.

    ``cohorts``: the retention triangle of the cohorts template; ``actuals``
    and ``fit``: monthly actuals and their fit, for the model template's
    Actuals sheet and ``actuals`` scenario (``plan``: the scenario the actuals
    are compared with, default the first); ``lite``: the files of
    :func:`xlmodel.lite.lite_files` for a udf workbook's Excel functions sheet
    (default: generated with today's prices); ``generated``: the date the Cover
    gives (default: today); ``grid``: the Sensitivity sheet's two inputs (default: those that move the runway
    most, :func:`xlmodel.workbook.sensitivity_axes.choose_axes`).
    """
    if template not in TEMPLATES:
        raise AssumptionsError(a.source, f"unknown template {template!r} (have {', '.join(TEMPLATES)})")
    why = refusal(template, a, actuals)
    if why is not None:
        raise why
    b = Builder(
        a, TEMPLATES[template], months, formulas, cohorts, cohort_source, actuals, fit, lite, generated, plan
    )
    b.grid = grid
    return b.build()
