"""The risk workbook's parts: range columns on Inputs and the Risk sheet (Monte Carlo results).

The simulated numbers are values computed by the engine (``xlmodel.simulate``),
not formulas: a spreadsheet cannot redraw ten thousand random scenarios on its
own without a macro or an add-in. The sheet says so, shows the command that
regenerates it, keeps a table of exactly which inputs were simulated, and a
check on the Checks sheet turns FALSE as soon as any of those inputs is
changed on the Inputs sheet (the numbers are then stale). ``xlmodel verify``
re-runs the simulation from that table with the stored seed and compares every
named number. :func:`risk_values` is the one definition of those numbers,
used to write them and to verify them.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break

from ..engine import OUTPUT_UNITS
from ..errors import AssumptionsError
from ..outputs import HORIZON_NEVER
from ..simulate import DISTS, NEVER_OUTPUTS, PERCENTILES, SHARE_BELOW, simulate
from . import styles as S
from .changes_sheet import CHANGES_SHEET
from .layout import OPTIONAL_INPUTS, rule_expr, rule_sentence
from .risk_charts import (
    HISTOGRAMS,
    WB_ROW,
    RiskCharts,
    output_format,
    output_label,
    simulated_cell,
    tornado_output,
)
from .sensitivity_axes import BAND, MAIN_DRIVERS, default_band

RISK_SHEET = "Risk"
STATS = ("mean",) + tuple(f"p{p}" for p in PERCENTILES) + ("min", "max", "share_never", "share_na")
#: the histogram bins of a distribution chart (plus one bar for "never")
BINS = 20
#: the simulated-inputs table's comparisons with the live workbook, one column each (I is their AND)
STILL = (
    ("value", "J", "Value same"),
    ("low", "K", "Low same"),
    ("mode", "L", "Mode same"),
    ("high", "M", "High same"),
    ("dist", "N", "Dist same"),
)
YES_NO = f'"{S.YES}";"{S.YES}";"{S.NO}"'  # a yes/no output's base (1 or 0) as YES or NO
#: the Risk sheet prints two pages across at 75%: a column break after I (P90; Still on Inputs)
PRINT_BREAK_AFTER = 9


def simulation_inputs(values: dict) -> tuple[dict, dict, int, int, int]:
    """Rebuild (scenario with ranges, correlations, draws, seed, horizon) from a risk workbook's named cells."""
    values = {
        k: (v if isinstance(v, list) else [v])
        if k.startswith("simulated_input") or k.startswith("simulated_correlation")
        else v
        for k, v in values.items()
    }  # one cell reads as a value
    names = values["simulated_input_names"]
    scen: dict[str, Any] = {}
    decisions: dict[
        str, float
    ] = {}  # each change level and round at its base value (a ranged one is also drawn, as name@month)
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name:
            continue
        value = values["simulated_input_values"][i]
        dist = values["simulated_input_dist"][i]
        given = value is not None and value != ""
        if isinstance(dist, str) and dist in DISTS:
            lo, mode, hi = (values[f"simulated_input_{k}"][i] for k in ("low", "mode", "high"))
            scen[name] = {
                "low": float(lo),
                "high": float(hi),
                "dist": dist,
                **({} if mode is None or mode == "" else {"mode": float(mode)}),
            }
            if "@" in name and given:
                decisions[name] = float(value)
        elif given:
            scen[name] = float(value)
    for key in [k for k in scen if "@" in k and not isinstance(scen[k], dict)]:  # a fixed decision
        decisions[key] = scen.pop(key)
    for key, value in decisions.items():
        driver, month = key.rsplit("@", 1)
        if driver == "funding":
            scen.setdefault("funding", []).append({"month": int(month), "amount": value})
        else:
            scen.setdefault("changes", []).append({"month": int(month), driver: value})
    corr = {}
    if "simulated_correlation_pairs" in values:
        for pair, rho in zip(values["simulated_correlation_pairs"], values["simulated_correlation_values"]):
            if isinstance(pair, str) and pair:
                corr[pair] = float(rho)
    return (
        scen,
        corr,
        int(values["simulation_draws"]),
        int(values["simulation_seed"]),
        int(values["simulation_horizon"]),
    )


def decision_values(base: dict) -> dict:
    """A scenario's changes and rounds as simulated-input rows: ``{"ad_spend@4": level, "funding@9": amount}``."""
    out = {}
    for change in base.get("changes") or ():
        for k, v in change.items():
            if k != "month" and not isinstance(v, str):  # a relative level (text) is never ranged
                out[f"{k}@{change['month']}"] = v
    for r in base.get("funding") or ():
        key = f"funding@{r['month']}"
        out[key] = out.get(key, 0.0) + r["amount"]
    return out


def _histogram(x: np.ndarray, draws: int, never: bool):
    """BINS equal bins between the smallest and largest finite draw (numpy's histogram), shares of all draws;
    then, for an output that can be never, the share of draws that never happen."""
    finite = x[np.isfinite(x)]
    if finite.size:
        counts, edges = np.histogram(finite, bins=BINS)
    else:
        counts, edges = np.zeros(BINS, dtype=int), np.zeros(BINS + 1)
    shares = (counts / draws).tolist()
    if never:
        shares.append(float(np.count_nonzero(np.isposinf(x))) / draws)
    return edges[:-1].tolist(), edges[1:].tolist(), shares


def risk_values(sim) -> dict:
    """Every named number of the Risk sheet, from a simulation: name -> value (inf never, nan n/a) or list."""
    out = {}
    for name in sim.outputs:
        st = sim.stats(name)
        for k in STATS:
            if k in st:
                out[f"{name}_{k}"] = st[k]
        out[f"{name}_base"] = sim.base_values[name]  # the simulated scenario's own model, at its base inputs
    for m in SHARE_BELOW:
        out[f"runway_share_below_{m}"] = sim.share_below(m)
    output = tornado_output(sim)  # the runway, unless no input moves it
    out["tornado_output"] = output
    rows = sim.tornado(output)
    out["runway_tornado_inputs"] = [r["input"] for r in rows]
    out["runway_tornado_low"] = [r["low"] for r in rows]
    out["runway_tornado_high"] = [r["high"] for r in rows]
    out["runway_tornado_at_low"] = [r["at_low"] for r in rows]
    out["runway_tornado_at_high"] = [r["at_high"] for r in rows]
    # what the tornado chart plots: the change from the base, a never counted as the horizon
    cap = lambda x: sim.horizon if math.isinf(x) else x
    base = cap(sim.base_values[output])
    out["runway_tornado_change_low"] = [cap(r["at_low"]) - base for r in rows]
    out["runway_tornado_change_high"] = [cap(r["at_high"]) - base for r in rows]
    for name in HISTOGRAMS:
        if name in sim.outputs:
            lo, hi, shares = _histogram(sim.outputs[name], sim.draws, name in NEVER_OUTPUTS)
            out[f"{name}_histogram_from"] = lo
            out[f"{name}_histogram_to"] = hi
            out[f"{name}_histogram_share"] = shares
            out[f"{name}_histogram_bins"] = _bin_labels(name, lo, hi, len(shares), sim.horizon)
    return out


def _bin_labels(name: str, lo: list, hi: list, n: int, horizon: int) -> list[str]:
    """The histogram's category labels (the chart's axis): each bin's middle, money in millions; then the bar
    of never ("> 36" for a month not within the horizon)."""
    money = not OUTPUT_UNITS[name].startswith("month")
    mids = [(a + b) / 2 for a, b in zip(lo, hi)]
    labels = [f"{m / 1e6:,.1f}M" if money and abs(m) >= 1e6 else f"{m:,.1f}" for m in mids]
    return labels + [f"> {horizon}" if name in HORIZON_NEVER else "never"] * (n - len(labels))


class RiskSheet(RiskCharts):
    """Range columns on Inputs and the Risk sheet (a part of :class:`xlmodel.workbook.builder.Builder`)."""

    def risk_setup(self):
        """Run the simulation the risk template shows: the first scenario, the file's draws and seed."""
        a = self.a
        name = self.scenarios[0][0]
        ranges = a.ranges.get(name, {})
        self.default_band = []
        if not ranges:  # no ranges: a default band on the main drivers, written on the sheet
            ranges = default_band(a.scenario(name))
            if not ranges:
                raise AssumptionsError(
                    a.source,
                    "the risk template needs inputs given as ranges in the first scenario, and none of "
                    f"{', '.join(MAIN_DRIVERS)} has a value other than 0 to put a default "
                    f"+/-{BAND:.0%} band on: add ranges to [scenarios.{name}], e.g. churn = "
                    "{ low = 0.3, mode = 0.4, high = 0.5 }",
                    name,
                )
            a = copy.copy(a)
            a.ranges = {**a.ranges, name: ranges}
            self.a, self.default_band = a, list(ranges)
        if "fx" in ranges and name in a.mixes:
            raise AssumptionsError(
                a.source,
                "the risk workbook cannot show a ranged fx with a model mix (the mix "
                "prices move with each draw); use xlmodel simulate, or give fx a single value",
                name,
                "fx",
            )
        inputs = dict(a.simulation_inputs(name), horizon=self.n_months)
        self.sim_name = name
        self.sim = simulate(
            inputs, draws=a.draws, seed=a.seed, correlations=a.correlations_for(name), scenario=name
        )
        keys = [k for k in inputs if k not in ("mix", "horizon", "changes", "funding") and "@" not in k]
        keys += list(decision_values(self.sim.base))  # each change level and round, ranged or not
        if all(k in inputs for k in ("input_tokens", "output_tokens", "input_price", "output_price")):
            keys = [k for k in keys if k != "cost_per_mau"]  # derived from the tokens, per draw
        # optional inputs left out: listed empty, so that typing one in on Inputs shows the numbers are stale
        keys += [k for k in OPTIONAL_INPUTS if k not in keys and k in self.inputs]
        self.sim_keys = keys
        self.range_cols = {}

    def range_columns(self, ws, last_col: int):
        """Low / Mode / High / Dist beside the scenario columns, for the simulated scenario's ranges."""
        first = last_col + 2
        cols = {k: get_column_letter(first + i) for i, k in enumerate(("low", "mode", "high", "dist"))}
        self.range_cols = cols
        self.text(
            ws,
            f"{cols['low']}6",
            f"Ranges of scenario {self.sim_name} (simulated on the Risk sheet)"
            + (f"; a default +/-{BAND:.0%} band: the file gives none" if self.default_band else ""),
            S.SECTION_FONT,
        )
        for k, col in cols.items():
            self.text(ws, f"{col}7", k.capitalize(), S.HEADER_FONT, S.HEADER_FILL, S.CENTER)
            ws.column_dimensions[col].width = 12
        for key, r in self.sim.ranges.items():
            row = self.input_rows.get(WB_ROW.get(key, key))
            if row is None:
                continue
            fmt = ws.cell(row=row, column=5).number_format
            for k in ("low", "mode", "high"):
                value = getattr(r, k)
                c = ws[f"{cols[k]}{row}"]
                c.value = value
                self.styled(c, S.INPUT_FONT, S.INPUT_FILL, fmt)
            self.text(ws, f"{cols['dist']}{row}", r.dist, S.INPUT_FONT, S.INPUT_FILL, S.CENTER)
            key_row = WB_ROW.get(key, key)
            dv = DataValidation(
                type="custom", formula1=rule_expr(key_row, f"{cols['low']}{row}"), allow_blank=True
            )
            dv.errorTitle = "Out of range"
            dv.error = f"{rule_sentence(key_row)}: both bounds of a range must be valid values."[:225]
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{cols['low']}{row}:{cols['high']}{row}")

    def _numbers_header(self, ws, row: int, labels: list[str]):
        """A header row whose columns from D hold numbers: their headers sit right, over the numbers."""
        self.header(ws, row, labels)
        for col in range(4, len(labels) + 1):
            ws.cell(row=row, column=col).alignment = (
                S.CENTER if labels[col - 1] == "Dist" else S.WRAP_RIGHT_BOTTOM
            )
        ws.row_dimensions[row].height = 30

    def risk_sheet(self):
        ws = self.wb.create_sheet(RISK_SHEET)
        sim = self.sim
        values = risk_values(sim)
        self.title(
            ws,
            "Risk: ranges and Monte Carlo",
            f"{sim.draws:,} draws of scenario {self.sim_name}: the distribution of every output, the share "
            "of draws that run out of cash, and what moves the runway most.",
        )
        note = (
            f"The simulated numbers on this sheet are values computed by xlmodel's engine, not formulas. After "
            f"changing an input or a range, regenerate them: xlmodel new risk -a {self.a.source} -o "
            f"<this file> --force. The Checks sheet turns FALSE when an input no longer matches the "
            f"table at the bottom. xlmodel verify re-runs the simulation with the stored seed and compares "
            f"every named number. The Base column is the model of the simulated scenario {self.sim_name} at its "
            f"base inputs (engine values too), whichever scenario is live on Inputs."
        )
        if self.default_band:
            note += (
                f" The file gives no ranges: a default +/-{BAND:.0%} band (PERT, its mode at the value) on "
                f"{', '.join(self.default_band)}, on Inputs' range columns."
            )
        c = self.text(ws, "A3", note)
        c.alignment = S.WRAP
        ws.merge_cells(f"A3:{get_column_letter(PRINT_BREAK_AFTER)}3")  # on the first page across
        ws.row_dimensions[3].height = 13 * math.ceil(len(note) / 150) + 4  # ~150 characters a line in A:I
        row = 5
        for label, name, value, fmt in (
            ("Scenario simulated", "simulation_scenario", self.sim_name, None),
            ("Draws", "simulation_draws", sim.draws, "#,##0"),
            ("Seed", "simulation_seed", sim.seed, "0"),
            ("Months projected", "simulation_horizon", sim.horizon, "0"),
        ):
            self.text(ws, f"A{row}", label, S.LABEL_FONT)
            self.text(ws, f"B{row}", name, S.NAME_FONT)
            if isinstance(value, str):
                self.text(ws, f"D{row}", value, S.FORMULA_FONT, align=S.RIGHT)
            else:
                self.styled(ws.cell(row=row, column=4, value=value), S.FORMULA_FONT, None, fmt)
            self.define(name, ws, f"D{row}")
            row += 1
        row = max(row, self._correlations(ws, 5)) + 1
        heads = [
            "Output",
            "Name",
            "Unit",
            f"Base ({self.sim_name})",
            "Mean",
            "P5",
            "P10",
            "P50",
            "P90",
            "P95",
            "Min",
            "Max",
            "Share never or beyond horizon",
            "Share n/a",
        ]
        self.section(ws, row, "Distribution of each output over the draws", len(heads))
        row += 1
        self._numbers_header(ws, row, heads)
        row += 1
        for name in sim.outputs:
            self.text(ws, f"A{row}", output_label(name))
            self.text(ws, f"B{row}", f"{name}_...", S.NAME_FONT)
            self.text(ws, f"C{row}", self.unit(OUTPUT_UNITS.get(name, "currency")), S.UNIT_FONT)
            finite = [
                abs(v)
                for k, v in values.items()
                if k.startswith(f"{name}_")
                and isinstance(v, float)
                and math.isfinite(v)
                and not k.endswith(("share_never", "share_na"))
            ]
            fmt = output_format(name, big=bool(finite) and max(finite) >= 1e7)
            v = simulated_cell(values[f"{name}_base"], name, sim.horizon)  # the simulated scenario's own
            if isinstance(v, str):
                self.text(ws, f"D{row}", v, S.FORMULA_FONT, align=S.RIGHT)
            else:
                self.styled(
                    ws.cell(row=row, column=4, value=v),
                    S.FORMULA_FONT,
                    None,
                    YES_NO if OUTPUT_UNITS.get(name) == "yes/no" else fmt,
                    align=S.RIGHT,
                )
            self.define(f"{name}_base", ws, f"D{row}")
            for j, k in enumerate(STATS):
                key = f"{name}_{k}"
                col = get_column_letter(5 + j)
                if key not in values:
                    continue
                v = simulated_cell(values[key], name, sim.horizon)
                cell = ws[f"{col}{row}"]
                if isinstance(v, str):
                    self.text(ws, f"{col}{row}", v, S.FORMULA_FONT, align=S.RIGHT)
                else:
                    cell.value = v
                    self.styled(
                        cell,
                        S.FORMULA_FONT,
                        None,
                        S.FORMATS["percent"] if k.startswith("share") else fmt,
                        align=S.RIGHT,
                    )
                self.define(key, ws, f"{col}{row}")
            row += 1
        row += 1
        self.section(ws, row, "How likely is the cash to run out?", len(heads))
        row += 1
        for m in SHARE_BELOW:
            self.text(ws, f"A{row}", f"Share of draws whose runway is below {m} months")
            self.text(ws, f"B{row}", f"runway_share_below_{m}", S.NAME_FONT)
            self.text(ws, f"C{row}", "fraction of draws", S.UNIT_FONT)
            cell = ws.cell(row=row, column=4, value=values[f"runway_share_below_{m}"])
            self.styled(cell, S.HEADLINE_FONT, None, S.FORMATS["percent"], align=S.RIGHT)
            self.define(f"runway_share_below_{m}", ws, f"D{row}")
            row += 1
        row += 1
        row = self._tornado(ws, row, values, len(heads))
        row = self._histograms(ws, row, values, len(heads))
        self._simulated_inputs(ws, row, len(heads))
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 26
        ws.column_dimensions["C"].width = 30
        for j in range(4, len(heads) + 1):
            ws.column_dimensions[get_column_letter(j)].width = 13
        ws.column_dimensions["D"].width = 18  # the inputs' values in full: cash 7,000,000,000.00
        # on paper at the pack's 75%, two pages across: the labels to P90 (A:I), then A again with the rest
        self.print_wide(ws, title_rows=None)
        ws.col_breaks.append(Break(id=PRINT_BREAK_AFTER))

    def _simulated_inputs(self, ws, row, width):
        """What was simulated, and a live check that the Inputs sheet still holds it."""
        ws.row_breaks.append(Break(id=row - 1))  # the table of what was simulated starts a page
        self.section(
            ws,
            row,
            f"Inputs simulated (scenario {self.sim_name}); 'Still on Inputs' turns NO when "
            "the Inputs sheet no longer holds them (each comparison in J:N)",
            width,
        )
        row += 1
        self._numbers_header(
            ws,
            row,
            ["Input", "", "", "Value", "Dist", "Low", "Mode", "High", "Still on Inputs"]
            + [head for _, _, head in STILL],
        )
        row += 1
        first = row
        inputs_ws = self.wb["Inputs"]
        scen_col = "E"  # the first scenario's column
        sheet = quote_sheetname("Inputs")

        def same(live: str, stored: str) -> str:  # a relative tolerance; a stored 0 must stay exactly 0
            return (
                f"=IF(ISBLANK({stored}),ISBLANK({live}),ABS({live}-{stored})<=check_tolerance*ABS({stored}))"
            )

        base = dict(self.sim.base, **decision_values(self.sim.base))
        for key in self.sim_keys:
            r = self.sim.ranges.get(key)
            self.text(ws, f"A{row}", key, S.NAME_FONT)
            value = base.get(key)
            fmt = "General"
            in_row = self.input_rows.get(WB_ROW.get(key, key))
            if in_row is not None:
                fmt = inputs_ws.cell(row=in_row, column=5).number_format
            if value is not None:
                self.styled(ws.cell(row=row, column=4, value=float(value)), S.FORMULA_FONT, None, fmt)
            if r is not None:
                self.text(ws, f"E{row}", r.dist, S.FORMULA_FONT, align=S.CENTER)
                for col, v in (("F", r.low), ("G", r.mode), ("H", r.high)):
                    if v is not None:
                        self.styled(ws[f"{col}{row}"], S.FORMULA_FONT, None, fmt).value = v
            checks = dict.fromkeys((k for k, _, _ in STILL), "=TRUE()")  # nothing to compare: YES
            if "@" in key:  # a change or a round: its cell in the first scenario's block on the Changes sheet
                driver, month = key.rsplit("@", 1)
                cell = (
                    f"{quote_sheetname(CHANGES_SHEET)}!{get_column_letter(4 + int(month))}"
                    f"{self.change_block_rows[(0, driver)]}"
                )
                checks["value"] = same(cell, f"D{row}")
            elif in_row is not None:
                checks["value"] = same(f"{sheet}!{scen_col}{in_row}", f"D{row}")
                if r is not None:
                    cols = self.range_cols
                    for k, col in (("low", "F"), ("mode", "G"), ("high", "H")):
                        checks[k] = same(f"{sheet}!{cols[k]}{in_row}", f"{col}{row}")
                    checks["dist"] = f"={sheet}!{cols['dist']}{in_row}=E{row}"
            else:
                self.text(ws, f"B{row}", "(not on the Inputs sheet of this workbook)", S.UNIT_FONT)
            for k, col, _ in STILL:
                self.formula(ws, f"{col}{row}", f"={S.yes_no(checks[k][1:])}", align=S.CENTER)
            self.formula(
                ws,
                f"I{row}",
                "=" + S.yes_no("AND(" + ",".join(f'{col}{row}="{S.YES}"' for _, col, _ in STILL) + ")"),
                align=S.CENTER,
            )
            ws.row_dimensions[row].height = 12.75  # a plain line: the whole table on one page at 75%
            row += 1
        last = row - 1
        self.define("simulated_input_names", ws, f"A{first}:A{last}")
        for col, name in (("D", "values"), ("E", "dist"), ("F", "low"), ("G", "mode"), ("H", "high")):
            self.define(f"simulated_input_{name}", ws, f"{col}{first}:{col}{last}")
        self.define("risk_still_on_inputs", ws, f"I{first}:I{last}")
        for k, col, _ in STILL:
            self.define(f"risk_same_{k}", ws, f"{col}{first}:{col}{last}")
        self.add_check(
            f"Risk: the simulated inputs are still those of scenario {self.sim_name} on Inputs "
            "(otherwise regenerate the Risk sheet)",
            f'COUNTIF({quote_sheetname(RISK_SHEET)}!I{first}:I{last},"{S.YES}")'
            f"=ROWS({quote_sheetname(RISK_SHEET)}!I{first}:I{last})",
        )

    def _correlations(self, ws, row: int) -> int:
        """The correlated inputs (Spearman) from ``row`` in F:H, beside the simulation's settings (below the
        table of simulated inputs they spilled onto a page of their own at 75%); the row after them."""
        if not self.sim.correlations:
            return row
        self.text(ws, f"F{row}", "Correlated inputs", S.HEADER_FONT, S.HEADER_FILL)
        self.text(ws, f"G{row}", "", S.HEADER_FONT, S.HEADER_FILL)
        self.text(ws, f"H{row}", "Spearman", S.HEADER_FONT, S.HEADER_FILL, S.RIGHT)
        row += 1
        first = row
        for (a, b), rho in self.sim.correlations.items():
            self.text(ws, f"F{row}", f"{a},{b}")
            self.styled(ws.cell(row=row, column=8, value=rho), S.FORMULA_FONT, None, "0.00")
            row += 1
        self.define("simulated_correlation_pairs", ws, f"F{first}:F{row - 1}")
        self.define("simulated_correlation_values", ws, f"H{first}:H{row - 1}")
        return row


__all__ = ["RiskSheet", "risk_values", "simulation_inputs", "RISK_SHEET"]
