"""The funding need when a round changes later months' tax (docs/model.md, "The three statements": a round earns
interest, and with a tax rate that interest is taxed, so cash is no longer linear in the round).

:func:`need_by_search` finds the smallest round that keeps cash at or above ``min_cash`` from the funding month
to the horizon, to 1e-9 relative, for every scenario of an array at once; :mod:`xlmodel.plan` gives it the
walk of the plan with a trial round. Pure numpy, nothing at import time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["need_by_search", "RTOL"]

#: the relative precision of the round found
RTOL = 1e-9
#: doublings of the bracket before giving up (a round of 2**200 times the closed form is no answer)
_MAX_DOUBLINGS = 200


def need_by_search(shortfall: Callable[[np.ndarray], np.ndarray], first_guess: np.ndarray) -> np.ndarray:
    """The smallest round ``R >= 0`` with ``shortfall(R) <= 0``, per scenario, where ``first_guess > 0``.

    ``shortfall(R)``: the largest ``min_cash - cash_t`` over the months from the funding month on, of the plan
    with a round ``R`` in its funding month (arrays of the scenario shape). Cash rises with the round (its
    interest is taxed at a rate below 1), so ``shortfall`` falls as ``R`` grows and a bisection finds the
    boundary; the answer is the upper end of the last bracket (a round that does keep the cash up).
    Scenarios whose ``first_guess`` is not above 0 keep it.
    """
    guess = np.asarray(first_guess, dtype=float)
    active = guess > 0
    if not active.any():
        return guess
    lo = np.zeros_like(guess)
    hi = np.where(active, guess, 0.0)
    for _ in range(_MAX_DOUBLINGS):  # the closed form is a guess: double it until it keeps the cash up
        short = active & (shortfall(hi) > 0)
        if not short.any():
            break
        lo = np.where(short, hi, lo)
        hi = np.where(short, hi * 2, hi)
    while True:
        open_ = active & (hi - lo > RTOL * hi)
        if not open_.any():
            return np.where(active, hi, guess)
        mid = np.where(open_, lo + (hi - lo) / 2, hi)
        kept = shortfall(mid) <= 0
        hi = np.where(open_ & kept, mid, hi)
        lo = np.where(open_ & ~kept, mid, lo)
