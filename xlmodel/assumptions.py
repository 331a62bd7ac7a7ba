"""Assumptions files: TOML in, validated scenarios out.

Format::

    [model]                 # optional
    name = "My assistant"
    currency = "USD"
    horizon = 60            # months projected

    [scenarios.base]        # one table per scenario; the first is the default
    cash = 1_000_000
    ...

    [scenarios.downside]    # later scenarios inherit every key of the first
    churn = 0.25            # and override what they name

    [scenarios.cohorts]     # a retention curve drives the users (docs/model.md)
    retention_from = "cohorts.csv"   # or retention = [1.0, 0.56, 0.42, ...]

Keys are exactly the argument names of the model (see ``xlmodel.params``),
plus ``retention`` (a list of shares) or ``retention_from`` (a cohorts CSV,
relative to the assumptions file: its weighted chained average curve).
Every problem is an :class:`AssumptionsError` naming the file, the scenario,
the key and the rule.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .closed_form import cost_per_mau
from .company import uses_company
from .curve_inputs import CURVE_KEYS, curve_key, scenario_curve
from .dates import check_calendar
from .decisions import Decisions, plan_month, read_decisions
from .errors import AssumptionsError, InputError, UnknownModelError
from .params import MIX_PRICES, PARAMS, PLAN_KEYS, TOKEN_KEYS, check
from .plan import plan_inputs
from .prices import check_mix, mix_price, price_data_date
from .projection import projection_inputs
from .ranges import MAX_DRAWS, check_correlations, parse_range
from .retention import active_curve
from .source_notes import source_notes
from .text import clean_text

__all__ = [
    "Assumptions",
    "load",
    "from_dict",
    "DEFAULT_ASSUMPTIONS",
    "MIGRATION_KEYS",
    "TOKEN_KEYS",
    "MIX_PRICES",
]

MODEL_KEYS = {
    "name": str,
    "currency": str,
    "horizon": int,
    "draws": int,
    "seed": int,
    "start": str,
    "fiscal_year_start": int,
}
#: the standalone migration NPV's inputs (docs/model.md, "Small-model migration NPV")
MIGRATION_KEYS = ("monthly_tokens", "large_price", "small_price", "migration_cost", "months")
#: inputs only the standalone NPV uses: giving one asks for MIGRATION_KEYS
STANDALONE_ONLY = ("monthly_tokens", "months", "token_growth", "price_decline", "monthly_revenue")
#: what the plan's migration (migration_month) needs
PLAN_MIGRATION_KEYS = ("large_price", "small_price")
MIGRATION_OPTIONAL = (
    "routed_share",
    "token_growth",
    "price_decline",
    "monthly_revenue",
    "revenue_loss",
    "migration_month",
)
PRICE_KEYS = ("input_price", "cached_price", "output_price")
#: the largest assumptions file read (a FIFO or /dev/zero never gets this far)
MAX_BYTES = 10 * 2**20
#: scenarios a file may have: Excel's 16,384 columns less the Inputs sheet's label, name, unit and live columns
MAX_SCENARIOS = 16_384 - 4 - 6
#: the scenario inputs that are months, and whether each may lie beyond the horizon (docs/model.md, "Calendar")
MONTH_KEYS = {"raise_month": False, "migration_month": True, "credits_expire": True}
REQUIRED = ("cash", "mau", "ad_spend", "cac", "churn", "conversion", "arppu")
#: a scenario's retention curve: its shares, or the cohorts file whose average curve it is (one of the two)
SCENARIO_KEYS = tuple(k for k in PARAMS if k != "horizon")


@dataclass
class Assumptions:
    """A validated assumptions file: model settings and complete scenarios.

    Each scenario is a dict of every model input (defaults filled in,
    ``cost_per_mau`` derived from tokens when the file gives tokens).
    """

    name: str = "LLM app model"
    currency: str = "USD"
    horizon: int = 60
    scenarios: dict[str, dict] = field(default_factory=dict)
    source: str = "<defaults>"
    #: scenario -> {model: share}, for scenarios whose prices come from a routing mix
    mixes: dict[str, dict] = field(default_factory=dict)
    #: where mix prices came from (genai-prices version and date), when any scenario has a mix
    price_data: str | None = None
    #: scenario -> {input: Range}, for inputs given as ranges (the scenario holds their base values)
    ranges: dict[str, dict] = field(default_factory=dict)
    #: (input, input) -> Spearman rank correlation, from the [correlations] table
    correlations: dict[tuple, float] = field(default_factory=dict)
    #: simulation defaults from [model]
    draws: int = 10_000
    seed: int = 0
    #: the calendar month of month 1 ("YYYY-MM"), and the calendar month a fiscal year starts in
    start: str | None = None
    fiscal_year_start: int = 1
    #: the file's SHA-256 (hex), when read from a file
    digest: str | None = None
    #: (scenario, input) -> the comment after its value in the file: where the figure comes from
    notes: dict = field(default_factory=dict)
    #: scenario -> where its retention curve comes from, for a curve read with retention_from:
    #: {"file": path, "cohorts": how many, "weighted": by the file's size column (else each cohort weighs 1)}
    retention_sources: dict[str, dict] = field(default_factory=dict)

    @property
    def scenario_names(self) -> list[str]:
        return list(self.scenarios)

    def scenario(self, name: str | None = None) -> dict:
        if name is None:
            return self.scenarios[self.scenario_names[0]]
        if name not in self.scenarios:
            close = difflib.get_close_matches(name, self.scenario_names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AssumptionsError(
                self.source, f"no scenario named {name!r} (have {', '.join(self.scenario_names)}){hint}"
            )
        return self.scenarios[name]

    def has_ranges(self) -> bool:
        return any(self.ranges.values())

    def simulation_inputs(self, name: str | None = None) -> dict:
        """The scenario with its ranged inputs as :class:`~xlmodel.ranges.Range` (and its mix), for
        :func:`xlmodel.simulate.simulate`."""
        name = name or self.scenario_names[0]
        s = dict(self.scenario(name), **self.ranges.get(name, {}))
        if name in self.mixes:
            s["mix"] = self.mixes[name]
        return s

    def correlations_for(self, name: str | None = None, correlations: dict | None = None) -> dict:
        """The correlations that apply to a scenario: the pairs whose inputs it both ranges."""
        name = name or self.scenario_names[0]
        ranged = self.ranges.get(name, {})
        pairs = self.correlations if correlations is None else correlations
        keep = {}
        for key, rho in pairs.items():
            a, b = (p.strip() for p in key.split(",")) if isinstance(key, str) else key
            if a in ranged and b in ranged:
                keep[key] = rho
        return keep

    def has_migration(self) -> bool:
        """Every scenario has the standalone migration NPV's inputs."""
        return all("monthly_tokens" in s for s in self.scenarios.values())

    def has_plan_migration(self) -> bool:
        """Some scenario moves traffic to a small model in the plan (a migration_month)."""
        return any(s.get("migration_month") is not None for s in self.scenarios.values())


def _suggest(key: str, valid) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _number(path, scen, key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:50] + f"... ({len(shown):,} characters)"
        raise AssumptionsError(path, f"must be a number, got {type(value).__name__} {shown}", scen, key)
    if isinstance(value, int) and abs(value) > 1e300:
        raise AssumptionsError(
            path,
            f"must be a finite number of sensible size, got an integer of {len(str(abs(value))):,} digits",
            scen,
            key,
        )
    try:
        check(key, value)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, key) from None
    return float(value) if PARAMS[key].rule != "months" else int(value)


def _complete(
    path, name, raw: dict, horizon: int, decisions: Decisions | None = None, calendar: dict | None = None
) -> dict:
    """Fill defaults, derive cost_per_mau, add the decisions, check what is required and the rules between
    inputs (the engine's own checks)."""
    s = dict(raw)
    for key in REQUIRED:
        if key not in s and not (key == "churn" and "retention" in s):  # a curve's churn defaults to 1 - q
            raise AssumptionsError(path, "is required (no default)", name, key)
    mix = s.pop("mix", None)
    if mix is not None:
        _apply_mix(path, name, s, mix)
    token_given = [k for k in TOKEN_KEYS[:4] if k in s]
    if "cost_per_mau" in s and token_given:
        raise AssumptionsError(
            path,
            f"give cost_per_mau or the token inputs ({', '.join(TOKEN_KEYS[:4])}), not both",
            name,
            "cost_per_mau",
        )
    if "cost_per_mau" not in s:
        missing = [k for k in TOKEN_KEYS[:4] if k not in s]
        if missing:
            raise AssumptionsError(
                path,
                f"is required, or all of {', '.join(TOKEN_KEYS[:4])} (missing {missing[0]})",
                name,
                "cost_per_mau",
            )
        s["cost_per_mau"] = cost_per_mau(
            s["input_tokens"],
            s["output_tokens"],
            s["input_price"],
            s["output_price"],
            s.get("cached_share", 0.0),
            s.get("cached_price"),
        )
    standalone = [k for k in STANDALONE_ONLY if k in s]
    if standalone:  # the standalone migration NPV: its own inputs, all of them
        for key in MIGRATION_KEYS:
            if key not in s:
                raise AssumptionsError(
                    path,
                    f"is required for the standalone migration NPV (the scenario sets {standalone[0]})",
                    name,
                    key,
                )
    if (
        "migration_month" in s
    ):  # the plan's migration: the two prices (routed_share and migration_cost default)
        for key in PLAN_MIGRATION_KEYS:
            if key not in s:
                raise AssumptionsError(
                    path,
                    "is required with migration_month (the saving is routed_share x "
                    "(1 - small_price/large_price))",
                    name,
                    key,
                )
    mig = [k for k in MIGRATION_KEYS + MIGRATION_OPTIONAL if k in s]
    if mig and not standalone and "migration_month" not in s:
        raise AssumptionsError(
            path,
            "is a migration input: give migration_month (the plan's migration) or "
            "monthly_tokens and months (the standalone NPV)",
            name,
            mig[0],
        )
    for key, p in PARAMS.items():
        if key in TOKEN_KEYS or key in MIGRATION_KEYS or key == "cost_per_mau":
            continue
        if key not in s and p.default is not None:
            s[key] = p.default
    if mig:
        for key in MIGRATION_OPTIONAL:
            if PARAMS[key].default is not None:
                s.setdefault(key, PARAMS[key].default)
    if "organic_users" in s and s["paid_share"] < 1:
        raise AssumptionsError(
            path,
            "organic_users counts users who come without ads, so paid_share must be 1 "
            f"(or left out) when it is given, got paid_share {s['paid_share']:g}",
            name,
            "paid_share",
        )
    if "migration_month" in s and not s["large_price"] > 0:
        raise AssumptionsError(
            path,
            "must be above 0 when migration_month is given (the saving is 1 - small_price/large_price)",
            name,
            "large_price",
        )
    if "retention" in s and "churn" not in s:  # the users already there decay at the curve's late churn
        s["churn"] = float(1 - active_curve(s["retention"]).q)
    s["horizon"] = horizon
    s.update((decisions or Decisions()).engine())
    if uses_company(s):  # the whole company's fiscal years (raises, tax) follow the file's calendar
        s.update({k: v for k, v in (calendar or {}).items() if v is not None})
    _engine_rules(path, name, s)
    return s


def _engine_rules(path, name, s: dict) -> None:
    """The rules between inputs, changes and rounds, as the engine checks them (one set of rules)."""
    try:
        v, h, _ = projection_inputs(s)
        plan_inputs(s, h, v["cash"].shape)
    except InputError as e:
        key = e.argument if e.argument in s or e.argument in ("changes", "funding", "team", "capex") else None
        text = str(e)
        if key in ("changes", "funding", "team", "capex") and text.startswith(f"{key}: "):
            text = text[len(key) + 2 :]
        if key in ("funding", "team", "capex") and text.startswith((f"{key}, ", f"{key}[")) and ": " in text:
            key, text = text.split(
                ": ", 1
            )  # the entry the engine names: "team, role 'ML'", "funding, month 3"
        raise AssumptionsError(path, text, name, key) from None


def _apply_mix(path, name, s: dict, mix: dict):
    """Set the scenario's token prices from a routing mix of models (genai-prices, times fx)."""
    explicit = [k for k in PRICE_KEYS if k in s]
    if explicit:
        raise AssumptionsError(
            path,
            f"give a mix or explicit prices ({', '.join(PRICE_KEYS)}), not both "
            f"(the scenario sets {explicit[0]})",
            name,
            "mix",
        )
    if "cost_per_mau" in s:
        raise AssumptionsError(
            path,
            "a mix prices the token inputs: give input_tokens and output_tokens instead of cost_per_mau",
            name,
            "mix",
        )
    for k in ("input_tokens", "output_tokens"):
        if k not in s:
            raise AssumptionsError(
                path, f"is required with a mix (the mix prices tokens; missing {k})", name, k
            )
    try:
        models, shares = check_mix(mix.keys(), mix.values())
        for kind_key, kind in MIX_PRICES.items():
            s[kind_key] = mix_price(models, shares, kind, s.get("fx", 1.0))
    except UnknownModelError as e:
        raise AssumptionsError(path, str(e), name, f"mix.{e.model}") from None
    except InputError as e:
        raise AssumptionsError(path, str(e), name, "mix") from None


def _range(path, scen, key, value):
    if key not in SCENARIO_KEYS:
        where = (
            " (horizon belongs in [model])" if key == "horizon" else _suggest(key, SCENARIO_KEYS + PLAN_KEYS)
        )
        raise AssumptionsError(path, f"unknown key{where}", scen, key)
    try:
        return parse_range(key, value)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, key) from None


def _check_correlations(path, out: Assumptions, correlations: dict):
    """Each pair names inputs that some scenario ranges; each scenario's matrix of the pairs it ranges is valid.

    A scenario that fixes one input of a pair (``cac = 50`` in a downside
    that inherits a ranged cac) simulates without that pair.
    """
    first = out.scenario_names[0]
    ranged_somewhere = {k for r in out.ranges.values() for k in r}
    try:
        check_correlations(correlations, ranged_somewhere)
    except InputError as e:
        raise AssumptionsError(path, _after(e), first, e.argument) from None
    for name in out.scenario_names:
        try:
            check_correlations(out.correlations_for(name, correlations), out.ranges.get(name, {}))
        except InputError as e:
            raise AssumptionsError(path, _after(e), name, e.argument) from None


def _after(e: InputError) -> str:
    """An error's message without its argument's name in front (a role's own ": " left alone)."""
    text, head = str(e), f"{e.argument}: "
    return text[len(head) :] if text.startswith(head) else text


def from_dict(data: dict, path: str = "<dict>") -> Assumptions:
    """Validate a parsed assumptions document (the TOML as a dict)."""
    if not isinstance(data, dict):
        raise AssumptionsError(path, "must be a TOML table")
    tables = ("model", "scenarios", "correlations")
    for key in data:
        if key not in tables:
            raise AssumptionsError(
                path, f"unknown top-level table (valid: {', '.join(tables)}){_suggest(key, tables)}", key=key
            )
    correlations = data.get("correlations", {})
    if not isinstance(correlations, dict):
        raise AssumptionsError(path, 'must be a table of "input,input" = coefficient', key="correlations")
    model = data.get("model", {})
    if not isinstance(model, dict):
        raise AssumptionsError(path, "must be a table", key="model")
    out = Assumptions(source=str(path))
    for key, value in model.items():
        if key not in MODEL_KEYS:
            raise AssumptionsError(
                path,
                f"unknown key in [model] (valid: {', '.join(MODEL_KEYS)}){_suggest(key, MODEL_KEYS)}",
                key=f"model.{key}",
            )
        if key == "horizon":
            try:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InputError("horizon", f"horizon must be a whole number of months, got {value!r}")
                check("horizon", value)
            except InputError as e:
                raise AssumptionsError(path, str(e), key="model.horizon") from None
        elif key in ("draws", "seed"):
            lo, hi = (1, MAX_DRAWS) if key == "draws" else (0, 2**63 - 1)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise AssumptionsError(
                    path, f"must be a whole number from {lo:,} to {hi:,}, got {value!r}", key=f"model.{key}"
                )
        elif key == "fiscal_year_start":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
                raise AssumptionsError(
                    path,
                    "must be a calendar month number from 1 to 12 (4: fiscal years from "
                    f"April), got {value!r:.40}",
                    key="model.fiscal_year_start",
                )
        elif not isinstance(value, str):
            raise AssumptionsError(path, f"must be text, got {value!r}", key=f"model.{key}")
        else:
            value = clean_text(value)  # control characters never reach a cell, a chart title or a terminal
        setattr(out, key, value)
    try:
        check_calendar(out.start, out.fiscal_year_start, out.horizon)
    except InputError as e:
        raise AssumptionsError(path, str(e), key=f"model.{e.argument}") from None
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, dict) or not scenarios:
        raise AssumptionsError(path, "needs at least one [scenarios.<name>] table", key="scenarios")
    if len(scenarios) > MAX_SCENARIOS:
        raise AssumptionsError(
            path,
            f"has {len(scenarios):,} scenarios; a workbook holds at most {MAX_SCENARIOS:,} "
            "(one column each, within Excel's 16,384 columns)",
            key="scenarios",
        )
    seen: dict[str, str] = {}
    for name in scenarios:
        # Names as a workbook shows them (control characters removed), compared as spreadsheets do (any case).
        shown = clean_text(name).strip().casefold()
        if any(c in name for c in "\n\r\u2028\u2029"):  # it would print as a fake line on a terminal
            raise AssumptionsError(path, "a scenario name must be one line (no line breaks)", name)
        if not shown:
            raise AssumptionsError(
                path, "scenario names must not be empty (once control characters are removed)", name
            )
        if shown in seen:
            raise AssumptionsError(
                path,
                f"scenario names must differ in more than upper/lower case or control "
                f"characters ({seen[shown]!r} and {name!r} would show as the same name)",
                name,
            )
        seen[shown] = name
    first: dict | None = None
    first_ranges: dict = {}
    first_decisions: Decisions | None = None
    curves: dict = {}  # cohorts files read once, whichever scenarios name them
    for name, raw in scenarios.items():
        if not isinstance(raw, dict):
            raise AssumptionsError(path, "must be a table of inputs", name)
        if not name.strip():
            raise AssumptionsError(path, "scenario names must not be empty", name)
        given = {}
        ranges = {}
        own = read_decisions(path, name, raw, out.start, out.horizon, first_decisions)
        for key, value in raw.items():
            if key in CURVE_KEYS:
                given[key] = curve_key(path, name, key, value)
                continue
            if key in PLAN_KEYS:
                continue  # read above
            if key in MONTH_KEYS and value is not None and not isinstance(value, dict):  # any form of a month
                value = plan_month(path, name, key, value, out.start, out.horizon, MONTH_KEYS[key])
            if isinstance(value, dict) and key != "mix":
                ranges[key] = _range(path, name, key, value)
                given[key] = ranges[key].base
                continue
            if key == "mix":
                if not isinstance(value, dict) or not value:
                    raise AssumptionsError(
                        path,
                        'must be a table of model = share, e.g. mix = { "gpt-4o-mini" = 0.8, '
                        '"gpt-4o" = 0.2 }',
                        name,
                        key,
                    )
                for model, share in value.items():
                    if isinstance(share, bool) or not isinstance(share, (int, float)):
                        raise AssumptionsError(
                            path, f"share must be a number, got {share!r}", name, f"mix.{model}"
                        )
                given[key] = dict(value)
                continue
            if key not in SCENARIO_KEYS:
                where = (
                    " (horizon belongs in [model])"
                    if key == "horizon"
                    else _suggest(key, SCENARIO_KEYS + PLAN_KEYS)
                )
                raise AssumptionsError(path, f"unknown key{where}", name, key)
            given[key] = _number(path, name, key, value)
        merged = dict(first, **given) if first is not None else given
        if first is not None and "cost_per_mau" in given:
            for k in TOKEN_KEYS[:4]:
                merged.pop(k, None)
        if first is not None and any(k in given for k in TOKEN_KEYS[:4]):
            merged.pop("cost_per_mau", None)
        if first is not None and ("cost_per_mau" in given or any(k in given for k in PRICE_KEYS)):
            if "mix" not in given:
                merged.pop("mix", None)  # explicit prices replace an inherited mix
        if first is not None and "mix" in given:
            for k in PRICE_KEYS:
                if k not in given:
                    merged.pop(k, None)  # a mix replaces inherited explicit prices
        if "mix" in merged:
            out.mixes[name] = merged["mix"]
        scenario_curve(path, name, given, first, merged, out, curves)
        if first is None or first_decisions is None:  # the first scenario (both are set together)
            first, first_ranges, first_decisions = given, ranges, own
            decisions = own
        else:  # inherit the first scenario's ranges for the inputs this one does not name
            ranges = {**{k: r for k, r in first_ranges.items() if k not in given}, **ranges}
            try:
                decisions = first_decisions.inherit(own)
            except InputError as e:  # a relative level over an inherited range
                raise AssumptionsError(path, str(e).split(": ", 1)[-1], name, "changes") from None
        ranges = {k: r for k, r in ranges.items() if k in merged}
        calendar = {"start": out.start, "fiscal_year_start": out.fiscal_year_start if out.start else None}
        out.scenarios[name] = _complete(path, name, merged, out.horizon, decisions, calendar)
        try:
            ranged_decisions = decisions.ranges()
        except InputError as e:
            raise AssumptionsError(path, str(e).split(": ", 1)[-1], name, "funding") from None
        for key, r in list(ranges.items()) + list(ranged_decisions.items()):
            # rules between inputs hold across the whole range, not just the base
            for bound, value in (("low", r.low), ("high", r.high)):
                try:
                    if key in ranged_decisions:
                        _complete(path, name, merged, out.horizon, decisions.at(key, value), calendar)
                    else:
                        _complete(path, name, dict(merged, **{key: value}), out.horizon, decisions, calendar)
                except AssumptionsError as e:
                    raise AssumptionsError(
                        path, f"at the range's {bound} {value:.10g}: {e.message}", name, key
                    ) from None
        ranges.update(ranged_decisions)
        if ranges:
            out.ranges[name] = ranges
    if correlations:
        _check_correlations(path, out, correlations)
        out.correlations = {tuple(p.strip() for p in k.split(",")): float(v) for k, v in correlations.items()}
    if out.mixes:
        out.price_data = price_data_date()
    return out


def load(path) -> Assumptions:
    """Read and validate an assumptions file (TOML)."""
    p = Path(path)
    try:
        if p.exists() and not p.is_file():  # a FIFO would block, /dev/zero would never end
            raise AssumptionsError(str(path), "is not a regular file")
        if p.exists() and p.stat().st_size > MAX_BYTES:
            raise AssumptionsError(
                str(path), f"is larger than {MAX_BYTES // 2**20} MiB; an assumptions file is a few kilobytes"
            )
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise AssumptionsError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise AssumptionsError(str(path), "is not UTF-8 text") from None
    except OSError as e:
        raise AssumptionsError(str(path), f"cannot be read ({e.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AssumptionsError(str(path), f"is not valid TOML: {e}") from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise AssumptionsError(str(path), f"is not valid TOML: {e}") from None
    out = from_dict(data, str(path))
    out.digest = hashlib.sha256(raw).hexdigest()
    out.notes = source_notes(text)
    return out


#: The defaults used when no file is given: the 2024 consumer assistant example.
DEFAULT_ASSUMPTIONS = Path(__file__).with_name("default_assumptions.toml")


def default() -> Assumptions:
    """The bundled defaults: the 2024 consumer assistant example."""
    a = load(DEFAULT_ASSUMPTIONS)
    a.source = "the bundled defaults (examples/llm-assistant-2024.toml)"
    return a
