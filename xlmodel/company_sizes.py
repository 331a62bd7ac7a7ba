"""How large the whole company's numbers may be (docs/model.md, "The whole company", "Limits"): every sum the
month step and the statements make of them stays within floating point.

:func:`check_sizes` is called by :func:`xlmodel.company.company_inputs` once a scenario's version-4 inputs are
read: a team entry's monthly pay (``count x salary x (1 + on_cost)``), its raises, its pay over the months it is
paid, the team's payroll, the capex, the credits and the money the balance sheet's equity adds up (the cash, the
rounds' cash and every credit granted) must each stay below the largest number floating point holds (about
1.8e308). Otherwise the projection would print an infinity, or fail naming inputs that are not the cause; here
the message names the entry. Valid plans are not touched: only a sum that is already past floating point is
refused. Pure Python and numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["check_sizes", "BEYOND"]

#: what every message of this module says the sum reached
BEYOND = "past the largest number floating point holds (about 1.8e308)"


def _bad(x: Any) -> np.ndarray:
    """Where ``x`` (a number or an array of scenarios) is an infinity or a nan."""
    return np.asarray(~np.isfinite(np.asarray(x, dtype=float)))


def _at(x: Any, bad: np.ndarray) -> float:
    """``x`` in the first scenario where ``bad`` holds (``x`` itself when it is one number)."""
    a = np.asarray(x, dtype=float)
    if not a.ndim:
        return float(a)
    b = np.broadcast_to(bad, np.broadcast_shapes(a.shape, bad.shape))
    return float(np.broadcast_to(a, b.shape)[np.unravel_index(int(np.argmax(b)), b.shape)])


def _raises(starts: Sequence[int], first: int, last: int) -> int:
    """The fiscal years that start after month 1 and by month ``last`` (the raises an entry may see)."""
    return sum(1 for s in starts[1:] if 1 < s <= last) if last >= first else 0


def check_sizes(c: Any, h: int, cash: Any = None, funding: Any = None) -> None:
    """Refuse version-4 inputs whose sums reach past floating point, naming the entry.

    Parameters
    ----------
    c : xlmodel.company.CompanyInputs
        The scenario's checked version-4 inputs (team, capex, grants, on_cost, salary_growth, year_starts).
    h : int
        The horizon.
    cash : float or array, optional
        The opening cash (the balance sheet's equity starts from it).
    funding : list of mappings, optional
        The rounds (their ``month`` and cash ``amount``).

    Raises
    ------
    InputError
        Naming the team entry (``team, role 'ML': ...``), ``salary_growth``, ``capex``, ``credits`` or the round
        (``funding, month 3: ...``) whose numbers add up past about 1.8e308.
    """
    with np.errstate(all="ignore"):
        _team(c, h)
        _capex(c)
        _money(c, cash, funding)


def _team(c: Any, h: int) -> None:
    payroll: Any = 0.0
    g = np.asarray(c.salary_growth, dtype=float)
    for e in c.team:
        role = f"team, role {e.role!r}"
        pay = e.count * e.salary * (1 + c.on_cost)
        bad = _bad(pay)
        if bad.any():
            raise InputError(
                "team",
                f"{role}: count {_at(e.count, bad):.6g} x salary {_at(e.salary, bad):.6g} x (1 + on_cost "
                f"{_at(c.on_cost, bad):.6g}) is {BEYOND}: a monthly pay the model can compute is below that",
            )
        last = int(min(e.last, h))
        years = _raises(c.year_starts, e.first, last)
        rise = np.maximum(1.0, np.power(1 + g, years))  # the highest pay level of the entry's months
        top = pay * rise
        bad = _bad(top)
        if bad.any():
            raise InputError(
                "salary_growth",
                f"salary_growth {_at(g, bad):.6g} over {years} fiscal year{'s' if years != 1 else ''} raises the pay of role {e.role!r} "
                f"(from {_at(pay, bad):.6g} a month) {BEYOND}: a smaller rate, or a shorter horizon",
            )
        months = max(0, last - e.first + 1)
        total = top * months
        bad = _bad(total)
        if bad.any():
            raise InputError(
                "team",
                f"{role}: the pay of its {months} months (up to {_at(top, bad):.6g} a month) adds up {BEYOND}",
            )
        payroll = payroll + total
        bad = _bad(payroll)
        if bad.any():
            raise InputError(
                "team", f"team, role {e.role!r}: the team's payroll over the horizon adds up {BEYOND}"
            )


def _capex(c: Any) -> None:
    total: Any = 0.0
    for x in c.capex:
        total = total + x.amount
        bad = _bad(total)
        if bad.any():
            shown = ", ".join(
                f"month {y.month}{f' ({y.name!r})' if y.name else ''} {_at(y.amount, bad):.6g}"
                for y in c.capex
            )
            raise InputError("capex", f"capex: the purchases ({shown:.200}) add up {BEYOND}")


def _money(c: Any, cash: Any, funding: Any) -> None:
    """The credits granted, then the cash, the rounds' cash and the credits together (the equity)."""
    credits: Any = 0.0
    for g in c.grants:
        credits = credits + g.amount
        bad = _bad(credits)
        if bad.any():
            shown = ", ".join(
                ("opening" if x.month == 0 else f"month {x.month}") + f" {_at(x.amount, bad):.6g}"
                for x in c.grants
            )
            raise InputError("credits", f"the credits granted ({shown:.200}) add up {BEYOND}")
    total: Any = credits
    if cash is not None:
        total = total + np.abs(np.asarray(cash, dtype=float))
    for r in funding or ():
        if not isinstance(r, Mapping) or r.get("amount") is None or isinstance(r.get("amount"), (str, bool)):
            continue  # (the timeline checks a round's cash)
        total = total + np.abs(np.asarray(r["amount"], dtype=float))
        bad = _bad(total)
        if bad.any():
            raise InputError(
                "funding",
                f"funding, month {r.get('month')}: the round's cash {_at(r['amount'], bad):.6g}, the cash before "
                f"it and the credits granted ({_at(credits, bad):.6g}) add up {BEYOND}: the balance sheet's "
                "equity holds their sum",
            )
    bad = _bad(total)
    if bad.any():
        raise InputError(
            "credits",
            f"the credits granted ({_at(credits, bad):.6g}) and the cash ({_at(cash, bad):.6g}) add up {BEYOND}: "
            "the balance sheet's equity holds their sum",
        )
