"""The decisions of an assumptions file: its changes over time and funding rounds, read and inherited.

::

    [[scenarios.base.changes]]
    month = "2025-04"          # or a plan month number
    ad_spend = 100_000_000     # from that month on
    [[scenarios.base.funding]]
    month = 9
    amount = 1.5e9

Months become plan months (``"YYYY-MM"`` needs ``[model] start``); a level
or an amount may be a range (``{ low = ..., high = ... }``), named
``ad_spend@4`` or ``funding@9`` among the scenario's ranges. A derived
scenario inherits the first scenario's decisions: a change for the same
(month, driver) overrides the inherited one, and rounds listed for a month
replace the inherited rounds of that month (docs/model.md, "Inheritance"). Used
by :mod:`xlmodel.assumptions`; every problem is an
:class:`~xlmodel.errors.AssumptionsError` naming the file, the scenario, the
entry and the rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from .company import DEPARTMENTS
from .dates import MAX_MONTHS, month_label, month_number
from .errors import AssumptionsError, InputError
from .params import CHANGE_DRIVERS, PARAMS, check
from .ranges import Range, parse_range
from .relative import relative
from .text import CONTROL

__all__ = [
    "Decisions",
    "read_decisions",
    "range_key",
    "FUNDING",
    "ENTRY_KINDS",
    "put_decided",
    "parse_key",
    "range_name",
]

#: the name of a funding round among a scenario's ranges: funding@<month>; its credits: credits@<month>
FUNDING = "funding"
CREDITS = "credits"


def range_key(driver: str, month: int) -> str:
    """The name a ranged change level or round amount goes by: ``ad_spend@4``, ``funding@9``."""
    return f"{driver}@{month}"


#: an entry's value as read: a number, a range (drawn by a simulation), a month, or text
Item = Any


@dataclass(frozen=True)
class EntryKind:
    """One kind of dated entry of a scenario: its keys, how it is named in messages, which of its numbers may be
    ranges, and what identifies it for inheritance (an entry of a derived scenario replaces the inherited entry
    of the same identity)."""

    name: str
    keys: tuple[str, ...]  # the keys an entry may have (changes: "month" and any driver)
    required: tuple[str, ...]
    ranged: tuple[str, ...]  # numbers that may be ranges
    example: str
    since: int


#: every kind of dated entry, read by one reader (:func:`read_decisions`) and inherited by one rule
ENTRY_KINDS = {
    "changes": EntryKind("changes", ("month",), ("month",), tuple(CHANGE_DRIVERS), "month = 4, ad_spend = 1e8", 3),
    "funding": EntryKind(
        "funding", ("month", "amount", "credits", "expires"), ("month",), ("amount", "credits"),
        "month = 9, amount = 1.5e9", 3,
    ),
    "team": EntryKind(
        "team", ("role", "department", "count", "salary", "from", "to"), ("role", "department", "count", "salary"),
        ("count", "salary"), 'role = "ML engineers", department = "rd", count = 40, salary = 60_000', 4,
    ),
    "capex": EntryKind(
        "capex", ("month", "amount", "life", "name"), ("month", "amount", "life"), ("amount",),
        'month = 6, amount = 2e8, life = 36, name = "GPUs"', 4,
    ),
}  # fmt: skip


@dataclass
class Decisions:
    """One scenario's dated entries, each kind keyed by what identifies it for inheritance:
    ``changes[(month, driver)]`` (a number or a :class:`~xlmodel.ranges.Range`), ``funding[month]`` (that
    month's rounds), ``team[role]`` and ``capex[(month, name)]`` (entries as dicts, their numbers numbers or
    ranges)."""

    changes: dict[tuple[int, str], float | Range | str] = field(default_factory=dict)  # str: a relative level
    funding: dict[int, list[dict[str, Item]]] = field(default_factory=dict)
    team: dict[str, dict[str, Item]] = field(default_factory=dict)
    capex: dict[tuple[int, str], dict[str, Item]] = field(default_factory=dict)
    #: the kinds a scenario gives as an empty array (``team = []``): it inherits none of their entries
    cleared: frozenset[str] = frozenset()

    def inherit(self, own: Decisions) -> Decisions:
        """This (the first scenario's) decisions, overridden by a derived scenario's ``own``, kind by kind. A
        relative level that overrides an inherited entry of its month and driver is a factor of that entry's
        level (docs/model.md): a number, or the product of two factors."""
        mine = {k: {} if k in own.cleared else getattr(self, k) for k in ENTRY_KINDS}
        changes = {**mine["changes"], **own.changes}
        for key, value in own.changes.items():
            if isinstance(value, str) and key in mine["changes"]:
                changes[key] = _compose(key, value, mine["changes"][key])
        funding, team, capex = ({**mine[k], **getattr(own, k)} for k in ("funding", "team", "capex"))
        return Decisions(changes, funding, team, capex)

    def engine(self) -> dict[str, list[dict[str, Any]]]:
        """Every kind as the engine takes it, base values for ranges: ``changes`` and ``funding`` always (a
        month whose rounds are all exactly 0, cash and credits, has none: they remove inherited rounds), and
        ``team`` (without entries of count exactly 0: they remove an inherited role) and ``capex`` when the
        scenario has some."""
        by_month: dict[int, dict[str, Any]] = {}
        for (month, driver), value in sorted(self.changes.items()):
            by_month.setdefault(month, {"month": month})[driver] = _base(value)
        rounds = [
            {"month": m, **{k: _base(x) for k, x in r.items()}}
            for m, month_rounds in sorted(self.funding.items())
            for r in month_rounds
            if not all(_zero(x.get("amount", 0)) and _zero(x.get("credits", 0)) for x in month_rounds)
        ]
        out: dict[str, list[dict[str, Any]]] = {"changes": list(by_month.values()), "funding": rounds}
        team = [{k: _base(x) for k, x in e.items()} for e in self.team.values() if not _zero(e["count"])]
        capex = [{k: _base(x) for k, x in e.items()} for _, e in sorted(self.capex.items())]
        if team:
            out["team"] = team
        if capex:
            out["capex"] = capex
        return out

    def ranges(self) -> dict[str, Range]:
        """The ranged numbers, by :func:`range_key`."""
        out = {range_key(d, m): v for (m, d), v in self.changes.items() if isinstance(v, Range)}
        for m, rounds in self.funding.items():
            for what, key in (("amount", FUNDING), ("credits", CREDITS)):
                ranged = [r[what] for r in rounds if isinstance(r.get(what), Range)]
                if ranged:
                    if len(rounds) > 1:
                        raise InputError(
                            "funding", f"funding: month {m}: a ranged round must be the month's only round"
                        )
                    out[range_key(key, m)] = ranged[0]
        for role, e in self.team.items():
            out.update({f"{k}@team:{role}": e[k] for k in ("count", "salary") if isinstance(e[k], Range)})
        for (m, name), e in self.capex.items():
            if isinstance(e["amount"], Range):
                out[f"capex@{m}:{name}"] = e["amount"]
        return out

    def at(self, key: str, value: float) -> Decisions:
        """These decisions with the ranged number ``key`` (``ad_spend@4``, ``team.ML.count``) at ``value``."""
        kind, month, field_name, ident = parse_key(key)
        if kind == "team":
            return replace(self, team={**self.team, ident: {**self.team[ident], field_name: value}})
        if kind == "capex":
            e = self.capex[(month, ident)]
            return replace(self, capex={**self.capex, (month, ident): {**e, "amount": value}})
        if kind == "funding":
            rounds = [{**self.funding[month][0], field_name: value}]
            return replace(self, funding={**self.funding, month: rounds})
        return replace(self, changes={**self.changes, (month, field_name): value})

    def __bool__(self) -> bool:
        return bool(self.changes or self.funding or self.team or self.capex)


def parse_key(key: str) -> tuple[str, int, str, str]:
    """``(kind, month, field, identity)`` of a ranged number's name: ``ad_spend@4`` (a change), ``funding@9``
    (a round's cash), ``credits@9`` (its credits), ``count@team:ROLE`` and ``salary@team:ROLE`` (a team
    entry's), ``capex@6:NAME`` (a purchase's amount)."""
    head, tail = key.split("@", 1)
    if tail.startswith("team:"):
        return "team", 0, head, tail[len("team:") :]
    if head == "capex":
        month, name = tail.split(":", 1)
        return "capex", int(month), "amount", name
    if head in (FUNDING, CREDITS):
        return "funding", int(tail), "amount" if head == FUNDING else "credits", ""
    return "changes", int(tail), head, ""


def range_name(key: str) -> str:
    """The input whose rule a ranged number's bounds follow: ``amount`` for a round's cash or a purchase."""
    kind, _, what, _ = parse_key(key)
    return "amount" if kind == "capex" or (kind == "funding" and what == "amount") else what


def put_decided(s: dict[str, Any], key: str, value: Any) -> None:
    """Set the ranged number ``key`` to ``value`` (a draw, or an array of draws) in a scenario as the engine
    takes it (``s["changes"]``, ``s["funding"]``, ``s["team"]``, ``s["capex"]``: lists of entries, replaced, not
    changed in place)."""
    kind, month, what, ident = parse_key(key)
    if kind == "team":
        s["team"] = [dict(e, **{what: value}) if e["role"] == ident else e for e in s.get("team") or ()]
    elif kind == "capex":
        s["capex"] = [
            dict(e, amount=value) if e["month"] == month and e.get("name", "") == ident else e
            for e in s.get("capex") or ()
        ]
    elif kind == "funding":
        rounds: list[dict[str, Any]] = [dict(r) for r in s.get("funding") or ()]
        mine = [r for r in rounds if r["month"] == month]
        kept = dict(mine[0]) if mine else {"month": month, "amount": 0.0}
        kept[what] = value
        s["funding"] = [r for r in rounds if r["month"] != month] + [kept]
    else:
        changes: list[dict[str, Any]] = [dict(c) for c in s.get("changes") or ()]
        found = [c for c in changes if c["month"] == month]
        if found:
            found[0][what] = value
        else:
            changes.append({"month": month, what: value})
        s["changes"] = changes


def _compose(key: tuple[int, str], text: str, inherited: float | Range | str) -> float | str:
    """A relative level over the inherited level of its (month, driver)."""
    rel = relative(text)
    assert rel is not None  # read by _change_level
    if isinstance(inherited, Range):
        raise InputError(
            "changes",
            f"changes: month {key[0]}: {key[1]} {text} overrides an inherited ranged level: give a number",
        )
    if isinstance(inherited, str):
        first = relative(inherited)
        assert first is not None
        return f"x{first.factor * rel.factor!r}"
    return rel.factor * inherited


def _zero(value: Item) -> bool:
    """Exactly 0 (a range never is: it removes nothing)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def _base(value: float | Range | str) -> float | str:
    return value.base if isinstance(value, Range) else value


#: numbers of an entry that are whole months, and their least value
WHOLE = {"expires": 1, "life": 1}


def _level(path: str, scen: str, where: str, name: str, value: object) -> float | Range:
    """A change level or an entry's number: a number within its rule, or a range whose bounds are."""
    try:
        if isinstance(value, dict):
            return parse_range(name, value)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, int) and abs(value) > 1e300)
        ):
            raise InputError(name, f"{name} must be a number, got {value!r:.40}")
        check(name, value)
        return float(value)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None


def _change_level(path: str, scen: str, where: str, driver: str, value: object) -> float | Range | str:
    """A change's level: a number or a range (:func:`_level`), or a relative level kept as its text
    (``"-40%"``, ``"x0.6"``: resolved by the engine against the path it replaces)."""
    try:
        if isinstance(value, dict) and any(isinstance(x, str) for x in value.values()):
            raise InputError(driver, f"{driver}: a relative level may not be a range, got {value!r:.60}")
        rel = relative(value, driver)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None
    return _level(path, scen, where, driver, value) if rel is None else rel.text


def _entries(path: str, scen: str, table: str, value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        example = f"[[scenarios.NAME.{table}]] {ENTRY_KINDS[table].example}"
        raise AssumptionsError(path, f"must be an array of tables, e.g. {example}", scen, table)
    return value


def _any_month(
    path: str, scen: str, where: str, key: str, value: object, start: str | None, horizon: int
) -> int:
    """A team entry's ``from`` or ``to``: any form of a month (:func:`~xlmodel.dates.month_number`), before month 1
    or after the horizon allowed (``from`` before month 1 means month 1)."""
    try:
        return month_number(value, start, horizon, key, beyond=True)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None


def read_decisions(
    path: str,
    scen: str,
    raw: dict[str, Any],
    start: str | None,
    horizon: int,
    inherited: Decisions | None = None,
) -> Decisions:
    """A scenario's own dated entries (``changes``, ``funding``, ``team``, ``capex``), checked, with plan
    months: one reader for every kind of :data:`ENTRY_KINDS`.

    ``inherited``: the first scenario's decisions, when ``raw`` is a derived scenario's: a team entry of an
    inherited role, or a capex entry of an inherited month and name, replaces the inherited entry whole; a
    removal (``count = 0``, ``amount = 0``) needs no other key. A kind given as an empty array (``team = []``)
    inherits no entry."""
    out = Decisions(cleared=frozenset(k for k in ENTRY_KINDS if raw.get(k) == []))
    for kind in ENTRY_KINDS.values():
        for i, entry in enumerate(_entries(path, scen, kind.name, raw.get(kind.name, [])), start=1):
            _read_entry(path, scen, kind, i, entry, start, horizon, out, inherited)
    return out


def _role(path: str, scen: str, here: str, role: object) -> str:
    """A team entry's role: one line of text, surrounding spaces dropped."""
    if not isinstance(role, str):
        raise AssumptionsError(path, f"role must be text, got {role!r:.40}", scen, here)
    if not role.strip():
        raise AssumptionsError(path, "role must not be empty", scen, here)
    if _control(role):
        raise AssumptionsError(
            path, f"role must be one line of text without control characters, got {role!r:.60}", scen, here
        )
    return role.strip()


def _control(text: str) -> bool:
    """Whether a text holds a control character (:data:`xlmodel.text.CONTROL`, bidi controls included), a tab or a
    line break (it would break a table or a terminal line)."""
    return CONTROL.search(text) is not None or any(c in "\t\n\r\u2028\u2029" for c in text)


def _base_entry(
    kind: EntryKind, entry: dict[str, Any], inherited: Decisions | None, start: str | None, horizon: int
) -> dict[str, Item]:
    """The inherited entry that a removal (``count = 0`` for a role, ``amount = 0`` for a capex entry) takes its
    other keys from, so a removal needs nothing but what identifies it; an empty one for any other entry, which
    replaces the inherited entry whole (docs/model.md, "Inheritance")."""
    removal = _zero(entry.get("count")) if kind.name == "team" else _zero(entry.get("amount"))
    if inherited is None or not removal:
        return {}
    if kind.name == "team" and isinstance(entry.get("role"), str):
        return inherited.team.get(entry["role"].strip(), {})
    if kind.name == "capex" and "month" in entry:
        try:
            month = month_number(entry["month"], start, horizon, "month")
        except InputError:
            return {}  # (refused with its message below)
        return inherited.capex.get((month, entry.get("name", "")), {})
    return {}


def _read_entry(
    path: str,
    scen: str,
    kind: EntryKind,
    i: int,
    entry: dict[str, Any],
    start: str | None,
    horizon: int,
    out: Decisions,
    inherited: Decisions | None = None,
) -> None:
    """Check one entry against its kind's table and file it under its identity in ``out`` (the keys it leaves
    out taken from the entry it overrides in ``inherited``)."""
    here = f"{kind.name}[{i}]"
    base = _base_entry(kind, entry, inherited, start, horizon)
    if kind.name != "changes":
        unknown = [k for k in entry if k not in kind.keys]
        if unknown:
            have = ", ".join(kind.keys)
            raise AssumptionsError(
                path, f"unknown key {unknown[0]!r} (a {kind.name} entry has {have})", scen, here
            )
    for k in kind.required:
        if k not in entry and k not in base:
            hint = " (a month number, or YYYY-MM with [model] start)" if k == "month" else ""
            raise AssumptionsError(path, f"needs {'an' if k[0] in 'aeiou' else 'a'} {k}{hint}", scen, here)
    if kind.name == "funding" and "amount" not in entry and "credits" not in entry:
        raise AssumptionsError(path, "needs an amount (cash) or credits", scen, here)
    month = _month(path, scen, here, entry["month"], start, horizon) if "month" in entry else 0
    if kind.name == "team":
        role = _role(path, scen, here, entry["role"])
        where = f"team, role {role!r}"
        if role in out.team:
            raise AssumptionsError(
                path, "the role is given twice (a second wave is another role name)", scen, where
            )
        department = entry.get("department", base.get("department"))
        if department not in DEPARTMENTS:
            raise AssumptionsError(
                path,
                f"department must be one of {', '.join(DEPARTMENTS)}, got {department!r:.40}",
                scen,
                where,
            )
        e: dict[str, Item] = {**base, "role": role, "department": department}
        e.update({k: _level(path, scen, where, k, entry[k]) for k in ("count", "salary") if k in entry})
        for k in ("from", "to"):
            if k in entry:
                e[k] = _any_month(path, scen, where, k, entry[k], start, horizon)
        if e.get("from", 1) > e.get("to", horizon):
            raise AssumptionsError(path, f"from ({e.get('from', 1)}) must not be after to ({e.get('to', horizon)})",
                                   scen, where)  # fmt: skip
        out.team[role] = e
        return
    where = f"{kind.name}, month {_shown(month, start)}"
    if kind.name == "changes":
        drivers = [k for k in entry if k != "month"]
        if not drivers:
            raise AssumptionsError(
                path, "names no driver: give a driver and its level, e.g. ad_spend = 1e8", scen, where
            )
        for driver in drivers:
            if driver not in CHANGE_DRIVERS:
                hint = " (only these change over time: " + ", ".join(CHANGE_DRIVERS) + ")"
                if driver in PARAMS:
                    hint = f": {driver} does not change over time" + hint
                raise AssumptionsError(path, f"unknown driver {driver!r}{hint}", scen, where)
            if (month, driver) in out.changes:
                raise AssumptionsError(
                    path,
                    f"{driver} is changed twice in one month (one change per driver per month)",
                    scen,
                    where,
                )
            out.changes[(month, driver)] = _change_level(path, scen, where, driver, entry[driver])
        return
    e = {k: _level(path, scen, where, k, entry[k]) for k in kind.ranged if k in entry}
    for k, least in WHOLE.items():
        if k in entry:
            x = entry[k]
            bad = isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)
            if bad or x != int(x) or x < least:
                raise AssumptionsError(
                    path, f"{k} must be a whole number of months, {least} or more, got {x!r:.40}", scen, where
                )
            if k == "expires" and month + x > MAX_MONTHS:  # one rule with credits_expire
                raise AssumptionsError(
                    path,
                    f"expires must be a whole number of months from 1 to {MAX_MONTHS - month} for a round in "
                    f"month {month} (credits lapse by month {MAX_MONTHS} at the latest, as credits_expire), "
                    f"got {x:.10g}",
                    scen,
                    where,
                )
            e[k] = int(x)
    if kind.name == "funding":
        if "expires" in e and "credits" not in e:
            raise AssumptionsError(path, "expires needs credits in the round", scen, where)
        e.setdefault("amount", 0.0)
        out.funding.setdefault(month, []).append(e)
        return
    name = entry.get("name", "")
    if not isinstance(name, str):
        raise AssumptionsError(path, f"name must be text, got {name!r:.40}", scen, where)
    if _control(name):
        raise AssumptionsError(
            path, f"name must be one line of text without control characters, got {name!r:.60}", scen, where
        )
    if (month, name) in out.capex:
        text = (
            f"two capex entries with the same month and name ({name!r}) in one scenario"
            if name
            else f"two capex entries in month {month} without a name: give each a name"
        )
        raise AssumptionsError(path, text, scen, where)
    out.capex[(month, name)] = {**base, "month": month, "name": name, **e}


def _shown(month: int, start: str | None) -> str:
    """A plan month as a message names it: ``4``, or ``2025-03 (month 4)`` on a calendar."""
    return str(month) if start is None else f"{month_label(month, start)} (month {month})"


def _month(path: str, scen: str, where: str, value: object, start: str | None, horizon: int) -> int:
    try:
        return month_number(value, start, horizon, "month")
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, where) from None


def plan_month(
    path: str, scen: str, key: str, value: object, start: str | None, horizon: int, beyond: bool = False
) -> int:
    """A scenario input that is a month (``raise_month``; ``migration_month`` and ``credits_expire`` with
    ``beyond``): any form of a month (:func:`~xlmodel.dates.month_number`)."""
    try:
        return month_number(value, start, horizon, key, beyond)
    except InputError as e:
        raise AssumptionsError(path, str(e), scen, key) from None
