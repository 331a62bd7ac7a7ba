"""The Projection's rows of a plan of the whole company (docs/model.md, "The three statements": the plan's own
two lines): payroll in the net burn, and the cash term of credits used, tax, capex and the change in payables and
receivables, for the plan and for the plan without its rounds (which drops their credits too).

:func:`with_company` takes :func:`xlmodel.workbook.projection_rows.projection_rows`'s list and returns it with
those rows added and the net burn, cash and runway rows extended; the Team and Capex and credits sheets give
the payroll, capex, depreciation and credits (``timeline_links``). Each formula is the twin of
:class:`xlmodel.ledger.Ledger`'s step, in its order of operations. The Projection's answers that the whole
company changes are here too: the honest horizon's rows (:func:`horizon_rows`, capex left out of the burn) and the
funding need (:func:`funding_need_formula`, by Newton steps when a round's interest is taxed).
"""

from __future__ import annotations

from . import styles as S

#: the rows a reader does not need on paper (the workings of payables, tax and the plan without its rounds)
COMPANY_HELPERS = frozenset(
    {
        "cash_compute",
        "tax_year_start",
        "year_ebt",
        "loss_pool",
        "tax_accrued",
        "nf_credits_used",
        "nf_credits_lapsed",
        "nf_credit_balance",
        "nf_cash_compute",
        "nf_payables",
        "nf_interest",
        "nf_ebt",
        "nf_year_ebt",
        "nf_loss_pool",
        "nf_tax_accrued",
        "nf_tax",
    }
) | frozenset(f"fn{k}_{x}" for k in range(1, 5) for x in ("x", "ye", "pool", "acc", "tax", "d", "dx", "dye",
                                                             "dpool", "dacc", "dd", "step"))  # fmt: skip


def _window(row: str, terms: str, month: str) -> str:
    """What is unpaid at the end of month t of a row paid ``terms`` months later: the row's last ``terms`` months,
    months before month 1 counted at month 1's."""
    return (
        f'SUMIFS({row}_by_month,month_by_month,">"&({month}-{terms}),month_by_month,"<="&{month})'
        f"+MAX(0,{terms}-{month})*INDEX({row}_by_month,1,1)"
    )


def _ledger(prefix: str, used: str, lapsed: str, interest: str) -> list:
    """Payables, earnings before tax and the tax of one cash path (``prefix`` "" for the plan, "nf_" without its
    rounds), as timeline rows."""
    money = S.FORMATS["total"]
    cc, ap = f"{prefix}cash_compute", f"{prefix}payables"
    return [
        (
            cc,
            "Compute paid in cash (compute less credits used)",
            "currency",
            money,
            None,
            lambda c, p: f"{c('compute')}-{c(used)}",
        ),
        (
            ap,
            "Payables (compute and ad bills not yet paid)" if not prefix else "Payables without the rounds",
            "currency",
            money,
            f"compute_terms*INDEX({cc}_by_month,1,1)+ad_terms*INDEX(ad_spend_by_month,1,1)",
            lambda c, p: (
                f"{_window(cc, 'compute_terms', c('month'))}+{_window('ad_spend', 'ad_terms', c('month'))}"
            ),
        ),
        (
            f"{prefix}ebt",
            "Earnings before tax (operating profit less depreciation and credits lapsed, plus interest)",
            "currency",
            money,
            None,
            lambda c, p: f"-{c('net_burn')}-{c('depreciation')}-{c(lapsed)}+{c(interest)}",
        ),
        (
            f"{prefix}year_ebt",
            "Earnings before tax, fiscal year to date",
            "currency",
            money,
            0,
            lambda c, p: f"IF({c('tax_year_start')},0,{p(prefix + 'year_ebt')})+{c(prefix + 'ebt')}",
        ),
        (
            f"{prefix}loss_pool",
            "Tax losses carried forward at the start of the fiscal year",
            "currency",
            money,
            "tax_losses",
            lambda c, p: (
                f"IF({c('tax_year_start')},MAX(0,{p(prefix + 'loss_pool')}-{p(prefix + 'year_ebt')}),"
                f"{p(prefix + 'loss_pool')})"
            ),
        ),
        (
            f"{prefix}tax_accrued",
            "Tax accrued in the fiscal year to date",
            "currency",
            money,
            0,
            lambda c, p: f"tax_rate*MAX(0,{c(prefix + 'year_ebt')}-{c(prefix + 'loss_pool')})",
        ),
        (
            f"{prefix}tax",
            "Income tax (paid in the month it accrues)" if not prefix else "Income tax without the rounds",
            "currency",
            money,
            None,
            lambda c, p: (
                f"{c(prefix + 'tax_accrued')}-IF({c('tax_year_start')},0,{p(prefix + 'tax_accrued')})"
            ),
        ),
    ]


def with_company(rows: list) -> list:
    """``rows`` (the Projection's, version 3) with the whole company's rows and terms."""
    money = S.FORMATS["total"]
    by_key = {r[0]: r for r in rows}

    def replace(key: str, formula) -> None:
        k, label, unit, fmt, month0, _ = by_key[key]
        by_key[key] = (k, label, unit, fmt, month0, formula)

    v3_burn = by_key["net_burn"][5]
    replace("net_burn", lambda c, p: f"({v3_burn(c, p)})+{c('payroll')}")
    replace(
        "cash",
        lambda c, p: (
            f"({p('cash')}-{c('net_burn')}+{c('interest')}+{c('funding')})+({c('credits_used')}-{c('tax')}"
            f"-{c('capex')}+({c('payables')}-{p('payables')})-({c('receivables')}-{p('receivables')}))"
        ),
    )
    replace(
        "runway_denominator",
        lambda c, p: (
            f"IF(AND({c('interest')}=0,{c('funding')}=0,{c('credits_used')}=0,{c('tax')}=0,{c('capex')}=0,"
            f"{c('payables')}={p('payables')},{c('receivables')}={p('receivables')}),{c('net_burn')},"
            f"{p('cash')}-{c('cash')})"
        ),
    )
    replace(
        "cash_without_funding",
        lambda c, p: (
            f"({p('cash_without_funding')}-{c('net_burn')}+{c('nf_interest')})+({c('nf_credits_used')}"
            f"-{c('nf_tax')}-{c('capex')}+({c('nf_payables')}-{p('nf_payables')})-({c('receivables')}"
            f"-{p('receivables')}))"
        ),
    )
    replace(
        "runway_step_without_funding",
        lambda c, p: (
            f"IF(AND({c('cash_negative_without_funding')},NOT({p('cash_negative_without_funding')})),"
            f"({c('month')}-1)+{p('cash_without_funding')}/IF(AND({c('nf_interest')}=0,{c('nf_credits_used')}=0,"
            f"{c('nf_tax')}=0,{c('capex')}=0,{c('nf_payables')}={p('nf_payables')},{c('receivables')}="
            f"{p('receivables')}),{c('net_burn')},{p('cash_without_funding')}-{c('cash_without_funding')}),0)"
        ),
    )
    plan = [
        (
            "tax_year_start",
            "A fiscal year starts this month (after month 1)",
            "flag",
            S.FORMATS["flag"],
            None,
            lambda c, p: f"IF({c('month')}=1,FALSE(),{c('fiscal_year')}<>{p('fiscal_year')})",
        ),
        (
            "receivables",
            "Receivables (revenue billed, not yet collected)",
            "currency",
            money,
            "collection_lag*INDEX(revenue_by_month,1,1)",
            lambda c, p: _window("revenue", "collection_lag", c("month")),
        ),
        *_ledger("", "credits_used", "credits_lapsed", "interest"),
    ]
    without = [
        (
            "nf_interest",
            "Interest without the rounds",
            "currency",
            money,
            None,
            lambda c, p: f"{p('cash_without_funding')}*monthly_interest_rate",
        ),
        (
            "nf_credits_used",
            "Credits used without the rounds (the opening credits only)",
            "currency",
            money,
            None,
            lambda c, p: f"MIN({p('nf_credit_balance')},MAX(0,{c('compute')}))",
        ),
        (
            "nf_credits_lapsed",
            "Credits lapsed without the rounds",
            "currency",
            money,
            None,
            lambda c, p: (
                f"IF(AND(ISNUMBER(credits_expire),{c('month')}=credits_expire),{p('nf_credit_balance')}"
                f"-{c('nf_credits_used')},0)"
            ),
        ),
        (
            "nf_credit_balance",
            "Credit balance without the rounds",
            "currency",
            money,
            "credits",
            lambda c, p: f"{p('nf_credit_balance')}-{c('nf_credits_used')}-{c('nf_credits_lapsed')}",
        ),
        *_ledger("nf_", "nf_credits_used", "nf_credits_lapsed", "nf_interest"),
    ]
    out = []
    for key, *_ in rows:
        if key == "cash":
            out += plan
        if key == "cash_without_funding":
            out += without
        out.append(by_key[key])
    for k in range(1, NEED_STEPS + 1):
        out += _need_step(k)
    return out


#: Newton steps of the funding need when a round's interest is taxed (the need is exact once a step lands on
#: the linear piece that holds it; a check says so)
NEED_STEPS = 4


def need_trials(pos: dict, last: str) -> dict[str, str]:
    """Column D of each step row: the trial round (the closed form, then each step's trial plus its largest
    ask); and the need found, after the last step. ``pos``: the Projection's rows, ``last``: its last column."""
    out = {f"D{pos['fn1_step']}": "=MAX(0,MAX(funding_gap_by_month))"}
    for k in range(2, NEED_STEPS + 2):
        r = pos[f"fn{k - 1}_step"]
        out["need" if k > NEED_STEPS else f"D{pos[f'fn{k}_step']}"] = f"=D{r}+MAX(E{r}:{last}{r})"
    return out


def _row_of(cell: str) -> str:
    return "".join(ch for ch in cell if ch.isdigit())


def _need_step(k: int) -> list:
    """One Newton step of the funding need with taxed interest (docs/model.md, "The three statements"): the plan
    with a trial round ``R_k`` (column D of the step row) in the funding month, walked as the difference it makes
    to cash (its interest, taxed with the year's profit against the loss pool), and that difference's slope in
    R; the step is the largest ``(min_cash - cash_t(R_k)) / slope_t`` from the funding month on. Cash is concave
    in the round (more interest is taxed at most at tax_rate), so the steps rise to the smallest round that keeps
    cash at or above min_cash, from the closed form below it."""
    money = S.FORMATS["total"]
    f = lambda name: f"fn{k}_{name}"
    ys = lambda c: c("tax_year_start")
    here = lambda c: f"AND(ISNUMBER(funding_month),{c('month')}=funding_month)"
    trial = lambda c: f"$D${_row_of(c(f('step')))}"

    def row(name, label, month0, formula):
        return (f(name), f"Funding need, step {k}: {label}", "currency", money, month0, formula)

    rows = [
        row("x", "extra interest on the trial round", None, lambda c, p: f"{p(f('d'))}*monthly_interest_rate"),
        row("ye", "profit before tax, year to date", 0,
            lambda c, p: f"IF({ys(c)},0,{p(f('ye'))})+{c('ebt')}+{c(f('x'))}"),
        row("pool", "losses carried forward", "tax_losses",
            lambda c, p: f"IF({ys(c)},MAX(0,{p(f('pool'))}-{p(f('ye'))}),{p(f('pool'))})"),
        row("acc", "tax accrued", 0, lambda c, p: f"tax_rate*MAX(0,{c(f('ye'))}-{c(f('pool'))})"),
        row("tax", "tax", None, lambda c, p: f"{c(f('acc'))}-IF({ys(c)},0,{p(f('acc'))})"),
        row("d", "cash added by the trial round", 0,
            lambda c, p: (f"{p(f('d'))}+{c(f('x'))}+IF({here(c)},{trial(c)},0)-({c(f('tax'))}-{c('tax')})")),
        row("dx", "slope of the extra interest", None, lambda c, p: f"{p(f('dd'))}*monthly_interest_rate"),
        row("dye", "slope of the profit", 0, lambda c, p: f"IF({ys(c)},0,{p(f('dye'))})+{c(f('dx'))}"),
        row("dpool", "slope of the losses carried", 0,
            lambda c, p: (f"IF({ys(c)},IF({p(f('pool'))}-{p(f('ye'))}>0,{p(f('dpool'))}-{p(f('dye'))},0),"
                          f"{p(f('dpool'))})")),
        row("dacc", "slope of the tax accrued", 0,
            lambda c, p: f"IF({c(f('ye'))}-{c(f('pool'))}>0,tax_rate*({c(f('dye'))}-{c(f('dpool'))}),0)"),
        row("dd", "slope of the cash added", 0,
            lambda c, p: (f"{p(f('dd'))}+{c(f('dx'))}+IF({here(c)},1,0)-({c(f('dacc'))}"
                          f"-IF({ys(c)},0,{p(f('dacc'))}))")),
        row("step", "the round it asks for beyond the trial (column D: the trial round)", None,
            lambda c, p: (f'IF(AND(ISNUMBER(funding_month),{c("month")}>=funding_month,{c(f("dd"))}>0),'
                          f'(min_cash-{c("cash")}-{c(f("d"))})/{c(f("dd"))},"")')),
    ]  # fmt: skip
    return rows


def horizon_rows(money: str, months: str, capex: bool = False) -> list[tuple]:
    """Honest horizons (docs/model.md): the recurring burn of the last quarter and, when cash still falls
    there, the month it would run out at that burn (``capex``: capex left out too, the whole company's)."""
    tail = "horizon-horizon_tail_months"
    after = f'month_by_month,">"&({tail}),'
    capex_out = f"-SUMIF({after}capex_by_month)" if capex else ""
    return [
        (
            "horizon_tail_months",
            "Months averaged for the burn at the horizon (the last quarter, or the horizon if shorter)",
            "months",
            "0",
            "MIN(last_quarter_months,horizon)",
            None,
        ),
        (
            "horizon_tail_opening",
            "Cash before those months (the opening cash when the horizon is shorter)",
            "currency",
            money,
            f"IF({tail}>0,INDEX(cash_by_month,1,{tail}),cash)",
            None,
        ),
        (
            "horizon_tail_rounds",
            "Rounds in those months, less their one-off costs",
            "currency",
            money,
            f"SUMIF({after}funding_by_month)-SUMIF({after}migration_one_off_by_month){capex_out}",
            None,
        ),
        (
            "horizon_burn",
            (
                "Recurring burn at the horizon: the average fall in cash over those months (rounds added "
                "back, one-off costs left out)"
            ),
            "currency per month",
            money,
            "(horizon_tail_opening-ending_cash+horizon_tail_rounds)/horizon_tail_months",
            None,
        ),
        (
            "cash_falling_at_horizon",
            "Cash still falling at the horizon (the recurring burn there is above 0)",
            "yes/no",
            S.FORMATS["flag"],
            "horizon_burn>0",
            None,
        ),
        (
            "runway_after_horizon",
            (
                "Runway at the horizon's burn (cash lasts the horizon but still falls): horizon + ending cash / "
                "that burn"
            ),
            "months",
            months,
            'IF(AND(cash_falling_at_horizon,NOT(ISNUMBER(runway_months))),horizon+ending_cash/horizon_burn,"n/a")',
            None,
        ),
    ]


def funding_need_formula(pos: dict, last: str, company: bool) -> str:
    """The Projection's funding_need: the closed form; with the whole company (``company``), where a round's
    interest is taxed, the Newton steps' need (:func:`need_trials`)."""
    closed = "MAX(0,MAX(funding_gap_by_month))"
    if not company:
        return f"IF(ISNUMBER(funding_month),{closed},0)"
    found = need_trials(pos, last)["need"][1:].replace("D", "Projection!$D$", 1)
    return (
        f"IF(ISNUMBER(funding_month),IF(AND(tax_rate>0,monthly_interest_rate>0,{closed}>0),{found},"
        f"{closed}),0)"
    )
