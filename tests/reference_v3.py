"""Independent reference for docs/model.md, version 3 ("A plan over time"): plain Python loops.

Deliberately naive, like tests/reference.py: no numpy, no closed forms where a loop
will do, every driver looked up month by month. It must not share a bug with the
vectorised engine, so it was written from docs/model.md alone, never from xlmodel/.

Public functions
    calendar_label(t, start=None)                         -> "M7" or "2025-06"
    fiscal_years(horizon, start=None, fiscal_year_start=1) -> [(label, first, last, months), ...]
    annual_summary(rows, start=None, fiscal_year_start=1) -> [ {label, sums..., end values...}, ... ]
    project_v3(s, changes=(), funding=(), horizon=60, migrate=True) -> rows (dict of lists)
    plan(s, changes=(), funding=(), horizon=60)           -> rows + the answers of "What a plan answers"
    unit_economics_v3(s)                                  -> month-1 unit economics with VAT, fees, activation
    retention_curve(curve)                                -> (activation, R, q)
    cohort_ltv(curve, arpu, gross_margin, annual_discount_rate=0) -> with the tail
    runway(cash_0, cash, net_burn, interest, funding)     -> the version-3 runway rule

Conventions: "never" is math.inf; "n/a" (undefined) is None.

Where docs/model.md can be read in more than one way, a comment starting with
"READING:" says which reading this file takes and why.
"""

import math

NEVER = math.inf

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Scenario inputs by docs/model.md name, with their defaults. None = "not given".
DEFAULTS = {
    "fixed_costs": 0.0,
    "paid_share": 1.0,
    "ad_growth": 0.0,
    "cost_decline": 0.0,
    "organic_users": None,
    "organic_growth": 0.0,
    "cac_elasticity": 0.0,
    "paying_cost_per_mau": None,
    "migration_month": None,
    "routed_share": 1.0,
    "large_price": None,
    "small_price": None,
    "migration_cost": 0.0,
    "revenue_loss": 0.0,
    "activation": None,
    "store_fee": 0.0,
    "vat": 0.0,
    "interest_rate": 0.0,
    "min_cash": 0.0,
    "usage_growth": 0.0,
    "fixed_cost_growth": 0.0,
    "cac_spend": None,
    "raise_month": None,
    "annual_discount_rate": 0.0,
    "retention": None,
    "churn": None,
    "start": None,
    "fiscal_year_start": 1,
}

# "Any of these drivers may change level from a given month on"
CHANGEABLE = (
    "ad_spend",
    "cac",
    "paid_share",
    "organic_users",
    "activation",
    "churn",
    "conversion",
    "arppu",
    "cost_per_mau",
    "paying_cost_per_mau",
    "fixed_costs",
)

ROW_KEYS = (
    "month",
    "ad_spend",
    "cac",
    "paid_new_users",
    "organic_new_users",
    "new_users",
    "mau",
    "paying_users",
    "gross_revenue",
    "revenue",
    "compute",
    "fixed_costs",
    "migration_one_off",
    "net_burn",
    "interest",
    "funding",
    "cash",
)

ANNUAL_SUMS = (
    "ad_spend",
    "new_users",
    "gross_revenue",
    "revenue",
    "compute",
    "fixed_costs",
    "migration_one_off",
    "net_burn",
    "interest",
    "funding",
)
ANNUAL_ENDS = ("cash", "mau", "paying_users")


def get(s, name):
    """The scenario's value of an input; a missing key or None means its default."""
    value = s.get(name)
    return DEFAULTS.get(name) if value is None else value


def monthly_rate(annual):
    # "d = (1 + annual_discount_rate) ** (1/12) - 1"
    return (1 + annual) ** (1 / 12) - 1


# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------


def _parse_ym(text):
    year, month = text.split("-")
    return int(year), int(month)


def _calendar_month(t, start):
    """(year, month) of plan month t: "month t is start + (t-1) months"."""
    year, month = _parse_ym(start)
    index = year * 12 + (month - 1) + (t - 1)
    return index // 12, index % 12 + 1


def calendar_label(t, start=None):
    """ "Without start, months are M1, M2, ..."; with start, "YYYY-MM" (start is month 1)."""
    if start is None:
        return f"M{t}"
    year, month = _calendar_month(t, start)
    return f"{year:04d}-{month:02d}"


def month_number(month, start=None):
    """A change / round month: a plan month number, or "YYYY-MM" when start is given."""
    if isinstance(month, str):
        y, m = _parse_ym(month)
        y0, m0 = _parse_ym(start)
        return (y * 12 + m) - (y0 * 12 + m0) + 1
    return int(month)


def _fiscal_year_of(year, month, fiscal_year_start):
    # "A fiscal year starts in month fiscal_year_start of the calendar and is named by the
    #  calendar year in which it ends (with fiscal_year_start = 4, April 2024 - March 2025 is FY2025)"
    if fiscal_year_start == 1:
        return year
    return year + 1 if month >= fiscal_year_start else year


def fiscal_years(horizon, start=None, fiscal_year_start=1):
    """List of (label, first_month, last_month, months_in_year) covering plan months 1..horizon."""
    if start is None:
        if fiscal_year_start not in (None, 1):
            raise ValueError("fiscal_year_start needs start")
        # "Without start, ... years Y1, Y2, ... (12-month blocks from month 1)"
        out = []
        for block, first in enumerate(range(1, horizon + 1, 12), start=1):
            last = min(first + 11, horizon)
            n = last - first + 1
            if n == 12:
                out.append((f"Y{block}", first, last, n))
            else:
                # READING: docs/model.md's partial-year label names calendar months ("Dec-Mar"); without
                # start there are none, so the plan months stand in for them: "Y3 (M25-M30, 6 of 12 months)".
                out.append((f"Y{block} (M{first}-M{last}, {n} of 12 months)", first, last, n))
        return out

    fys = fiscal_year_start or 1
    groups = []  # [fiscal year, first month, last month]
    for t in range(1, horizon + 1):
        fy = _fiscal_year_of(*_calendar_month(t, start), fys)
        if groups and groups[-1][0] == fy:
            groups[-1][2] = t
        else:
            groups.append([fy, t, t])
    out = []
    for fy, first, last in groups:
        n = last - first + 1
        if n == 12:
            out.append((f"FY{fy}", first, last, n))
        else:
            # "A partial first or last year is labelled with its months, e.g.
            #  "FY2025 (Dec-Mar, 4 of 12 months)""
            # READING: a one-month partial year repeats its month ("Mar-Mar, 1 of 12 months"): the
            # literal form, first and last month of the partial year.
            m_first = MONTH_ABBR[_calendar_month(first, start)[1] - 1]
            m_last = MONTH_ABBR[_calendar_month(last, start)[1] - 1]
            out.append((f"FY{fy} ({m_first}-{m_last}, {n} of 12 months)", first, last, n))
    return out


def annual_summary(rows, start=None, fiscal_year_start=1):
    """ "per fiscal year: sums of ad spend, sign-ups, gross and net revenue, compute, fixed costs,
    one-offs, net burn, interest, funding; end-of-year cash, MAU and paying users".
    "its sums are not annualised, its end values are its last month's"."""
    horizon = len(rows["month"])
    out = []
    for label, first, last, n in fiscal_years(horizon, start, fiscal_year_start):
        year = {"label": label, "first_month": first, "last_month": last, "months": n}
        for key in ANNUAL_SUMS:
            total = 0.0
            for t in range(first, last + 1):
                total += rows[key][t - 1]
            year[key] = total
        for key in ANNUAL_ENDS:
            year[key] = rows[key][last - 1]
        out.append(year)
    return out


# ---------------------------------------------------------------------------------------------
# Retention curves
# ---------------------------------------------------------------------------------------------


def late_ratio(curve):
    # "q = (r_k / r_{k-j}) ** (1/j),  j = min(3, k-1)   (the late monthly retention ratio)"
    k = len(curve)
    j = min(3, k - 1)
    return (curve[k - 1] / curve[k - 1 - j]) ** (1 / j)


def retention_curve(curve):
    """(activation, R, q) for a curve r_1..r_k: R(a) for a >= 1 is an activated user's curve.

    "Beyond k the curve continues geometrically with the late ratio q: R(a) = r_k * q ** (a - k)"
    "A curve measured on sign-ups (r_1 < 1) ... means activation = r_1 and the curve R(a) / r_1."
    """
    r = [float(x) for x in curve]
    k = len(r)
    q = late_ratio(r)  # READING: q of the curve as given (a ratio, so the same as of R / r_1)

    def raw(a):
        return r[a - 1] if a <= k else r[k - 1] * q ** (a - k)

    if r[0] < 1:
        r1 = r[0]
        return r1, (lambda a: raw(a) / r1), q
    return 1.0, raw, q


def cohort_ltv(curve, arpu, gross_margin, annual_discount_rate=0.0):
    """ "Cohorts and actuals": observed + tail, the tail extrapolated geometrically past month k.
    None when q >= 1 + d ("the curve does not decay: LTV unbounded")."""
    r = [float(x) for x in curve]
    k = len(r)
    m = arpu * gross_margin
    d = monthly_rate(annual_discount_rate)
    q = late_ratio(r)
    if q >= 1 + d:
        return None
    # "observed = sum_{t=1..k} m * r_t / (1+d)**t"
    observed = 0.0
    for t in range(1, k + 1):
        observed += m * r[t - 1] / (1 + d) ** t
    # "tail = m * r_k * q / ((1+d)**k * (1 + d - q))"
    tail = m * r[k - 1] * q / ((1 + d) ** k * (1 + d - q))
    return observed + tail


# ---------------------------------------------------------------------------------------------
# Driver paths
# ---------------------------------------------------------------------------------------------


def growth_factor(s, driver):
    """1 + g for a driver: "ad_spend grows at ad_growth, organic_users at organic_growth, fixed_costs
    at fixed_cost_growth, cost_per_mau and paying_cost_per_mau at (1 + usage_growth) * (1 - cost_decline) - 1;
    every other driver has g = 0"."""
    if driver == "ad_spend":
        return 1 + get(s, "ad_growth")
    if driver == "organic_users":
        return 1 + get(s, "organic_growth")
    if driver == "fixed_costs":
        return 1 + get(s, "fixed_cost_growth")
    if driver in ("cost_per_mau", "paying_cost_per_mau"):
        # READING: 1 + g written directly as (1 + usage_growth) * (1 - cost_decline) (the same number
        # as 1 + ((1+u)(1-c) - 1) without the -1/+1 round trip, and version 2's (1 - cost_decline)
        # bit for bit when usage_growth is 0).
        return (1 + get(s, "usage_growth")) * (1 - get(s, "cost_decline"))
    return 1.0


def change_levels(changes, driver, start=None):
    """{month: level} of the changes that set this driver ("at most one change per driver per month")."""
    out = {}
    for change in changes:
        if driver in change and change[driver] is not None:
            out[month_number(change["month"], start)] = float(change[driver])
    return out


def driver_path(level, factor, levels, horizon):
    """ "path_t = L_M * (1 + g) ** (t - M), where M is the latest change month <= t that sets this
    driver and L_M its level (M = 1, L = the scenario's value when there is none; a change at
    month 1 replaces the scenario's value)". Returns [path_1, ..., path_horizon]."""
    out = []
    for t in range(1, horizon + 1):
        months = [m for m in levels if m <= t]
        if months:
            big_m = max(months)
            out.append(levels[big_m] * factor ** (t - big_m))
        else:
            out.append(level * factor ** (t - 1))
    return out


def all_paths(s, changes, horizon):
    """Every changeable driver's path, by name (None for organic_users when not given)."""
    start = s.get("start")
    paths = {}
    for driver in CHANGEABLE:
        if driver == "paying_cost_per_mau":
            continue
        level = base_level(s, driver)
        levels = change_levels(changes, driver, start)
        if level is None and not levels:
            paths[driver] = None
            continue
        paths[driver] = driver_path(level, growth_factor(s, driver), levels, horizon)

    # "paying_cost_per_mau, when not given, follows cost_per_mau's path, changes included;
    #  a change to it starts its own path from that month."
    own = get(s, "paying_cost_per_mau")
    levels = change_levels(changes, "paying_cost_per_mau", start)
    factor = growth_factor(s, "paying_cost_per_mau")
    pc = []
    for t in range(1, horizon + 1):
        months = [m for m in levels if m <= t]
        if months:
            big_m = max(months)
            pc.append(levels[big_m] * factor ** (t - big_m))
        elif own is not None:
            pc.append(own * factor ** (t - 1))
        else:
            pc.append(paths["cost_per_mau"][t - 1])
    paths["paying_cost_per_mau"] = pc
    return paths


def base_level(s, driver):
    """The scenario's own month-1 level of a driver (before any change)."""
    curve = get(s, "retention")
    if driver == "activation":
        given = get(s, "activation")
        if curve is not None and curve[0] < 1:
            if given is not None and given < 1:
                raise ValueError("activation < 1 with a retention curve measured on sign-ups (r_1 < 1)")
            # "it means activation = r_1". READING: that is only the scenario's level; an activation
            # change still sets the path from its month (nothing in docs/model.md forbids one).
            return retention_curve(curve)[0]
        return 1.0 if given is None else float(given)
    if driver == "churn":
        given = get(s, "churn")
        if given is None and curve is not None:
            return 1 - retention_curve(curve)[2]  # "it defaults to 1 - q"
        return given
    return get(s, driver)


# ---------------------------------------------------------------------------------------------
# The projection, version 3
# ---------------------------------------------------------------------------------------------


def funding_by_month(funding, horizon, start=None):
    # "funding_t = the sum of the funding rounds in month t"
    out = [0.0] * horizon
    for r in funding:
        out[month_number(r["month"], start) - 1] += float(r["amount"])
    return out


def project_v3(s, changes=(), funding=(), horizon=60, migrate=True):
    """The monthly lines of "The projection, version 3", one list per line item.

    migrate=False is "the same plan without the migration (no saving, no one-off, no revenue loss)".
    """
    p = all_paths(s, changes, horizon)
    rounds = funding_by_month(funding, horizon, s.get("start"))
    cac_spend = get(s, "cac_spend")
    if cac_spend is None:
        cac_spend = s["ad_spend"]  # "the scenario's own ad_spend, after inheritance"
    elasticity = get(s, "cac_elasticity")
    vat, store_fee = get(s, "vat"), get(s, "store_fee")
    migration_month = get(s, "migration_month") if migrate else None
    if migration_month is not None:
        migration_month = month_number(migration_month, s.get("start"))
        # "saving = routed_share * (1 - small_price / large_price)"
        saving = get(s, "routed_share") * (1 - get(s, "small_price") / get(s, "large_price"))
        revenue_loss = get(s, "revenue_loss")
    else:
        saving = revenue_loss = 0.0
    # "interest_t = cash_{t-1} * i,   i = (1 + interest_rate) ** (1/12) - 1"
    i = monthly_rate(get(s, "interest_rate"))
    curve = get(s, "retention")
    R = retention_curve(curve)[1] if curve is not None else None

    rows = {k: [] for k in ROW_KEYS}
    mau_prev, cash_prev = float(s["mau"]), float(s["cash"])
    news, activations = [], []
    for t in range(1, horizon + 1):
        x = {name: (None if path is None else path[t - 1]) for name, path in p.items()}
        # "m_t = 1 from migration_month on (else 0)"
        m_t = 1 if migration_month is not None and t >= migration_month else 0

        # "ad_t = path of ad_spend"
        ad = x["ad_spend"]
        # "cac_t = path of cac * (ad_t / cac_spend) ** cac_elasticity   (= the path when ad_t is 0)"
        # READING: with cac_elasticity == 0 the factor is 1 whatever cac_spend is (x ** 0 == 1), so it
        # is skipped; that avoids 0/0 when the scenario's ad_spend (the default cac_spend) is 0.
        if ad == 0 or elasticity == 0:
            cac_t = x["cac"]
        else:
            cac_t = x["cac"] * (ad / cac_spend) ** elasticity
        # "paid_t = ad_t / cac_t"
        paid = ad / cac_t
        # "organic_t = path of organic_users when organic_users is given
        #            = paid_t * (1 / paid_share_t - 1) otherwise"
        if x["organic_users"] is not None:
            organic = x["organic_users"]
        else:
            organic = paid * (1 / x["paid_share"] - 1)
        # "new_t = paid_t + organic_t   (sign-ups: what CAC buys)"
        new = paid + organic
        news.append(new)
        activations.append(x["activation"])

        if R is None:
            # "mau_t = mau_{t-1} * (1 - churn_t) + activation_t * new_t"
            mau = mau_prev * (1 - x["churn"]) + x["activation"] * new
        else:
            # "mau_t = mau_0 * prod_{s=1..t} (1 - churn_s) + sum_{c=1..t} activation_c * new_c * R(t - c + 1)"
            survivors = float(s["mau"])
            for month in range(1, t + 1):
                survivors *= 1 - p["churn"][month - 1]
            cohorts = 0.0
            for c in range(1, t + 1):
                cohorts += activations[c - 1] * news[c - 1] * R(t - c + 1)
            mau = survivors + cohorts

        # "paying_t = mau_t * conversion_t"
        paying = mau * x["conversion"]
        # "gross_revenue_t = paying_t * arppu_t"
        gross = paying * x["arppu"]
        # "revenue_t = gross_revenue_t / (1 + vat) * (1 - store_fee) * (1 - revenue_loss * m_t)"
        revenue = gross / (1 + vat) * (1 - store_fee) * (1 - revenue_loss * m_t)
        # "compute_t = ((mau_t - paying_t) * cost_per_mau_t + paying_t * paying_cost_per_mau_t) * (1 - saving * m_t)"
        compute = ((mau - paying) * x["cost_per_mau"] + paying * x["paying_cost_per_mau"]) * (
            1 - saving * m_t
        )
        # "fixed_t = path of fixed_costs"
        fixed = x["fixed_costs"]
        # "one_off_t = migration_cost when t == migration_month, else 0"
        one_off = get(s, "migration_cost") if migration_month is not None and t == migration_month else 0.0
        # "net_burn_t = ad_t + compute_t + fixed_t + one_off_t - revenue_t"
        burn = ad + compute + fixed + one_off - revenue
        # "interest_t = cash_{t-1} * i"
        interest = cash_prev * i
        funding_t = rounds[t - 1]
        # "cash_t = cash_{t-1} - net_burn_t + interest_t + funding_t"
        cash = cash_prev - burn + interest + funding_t

        for key, value in zip(
            ROW_KEYS,
            (
                t,
                ad,
                cac_t,
                paid,
                organic,
                new,
                mau,
                paying,
                gross,
                revenue,
                compute,
                fixed,
                one_off,
                burn,
                interest,
                funding_t,
                cash,
            ),
        ):
            rows[key].append(float(value))
        mau_prev, cash_prev = mau, cash
    return rows


def runway(cash_0, rows):
    """ "Runway is the first t with cash_t < 0: (t - 1) + cash_{t-1} / (cash_{t-1} - cash_t) (use
    net_burn_t as the denominator in a month without interest or funding, which is version 2's
    runway bit for bit); 0 when cash <= 0 at the start; never when cash stays >= 0 through the horizon"."""
    if cash_0 <= 0:
        return 0.0
    prev = cash_0
    for t in range(1, len(rows["cash"]) + 1):
        cash = rows["cash"][t - 1]
        if cash < 0:
            # READING: "a month without interest or funding" = interest_t == 0 and funding_t == 0.
            if rows["interest"][t - 1] == 0 and rows["funding"][t - 1] == 0:
                return (t - 1) + prev / rows["net_burn"][t - 1]
            return (t - 1) + prev / (prev - cash)
        prev = cash
    return NEVER


# ---------------------------------------------------------------------------------------------
# What a plan answers
# ---------------------------------------------------------------------------------------------


def funding_need(rows, funding_month, min_cash, i):
    """ "max(0, max over t = funding_month..horizon of (min_cash - cash_t) / (1 + i) ** (t - funding_month));
    0 when funding_month is never"."""
    if funding_month == NEVER:
        return 0.0
    need = 0.0
    for t in range(funding_month, len(rows["cash"]) + 1):
        need = max(need, (min_cash - rows["cash"][t - 1]) / (1 + i) ** (t - funding_month))
    return need


def breakeven_month(rows):
    """ "the first month M with net_burn_t - one_off_t <= 0 for every t from M to the horizon
    (sustained operating break-even); never if none"."""
    horizon = len(rows["net_burn"])
    for big_m in range(1, horizon + 1):
        if all(
            rows["net_burn"][t - 1] - rows["migration_one_off"][t - 1] <= 0 for t in range(big_m, horizon + 1)
        ):
            return big_m
    return NEVER


def plan(s, changes=(), funding=(), horizon=60):
    """The plan's monthly lines (one list per line item) and every answer of "What a plan answers".

    s: scenario inputs by docs/model.md name (missing or None = default); s may also carry the [model]
    inputs "start" ("YYYY-MM") and "fiscal_year_start" for calendar labels and the annual summary.
    changes: [{"month": m, driver: level, ...}, ...]; funding: [{"month": m, "amount": x}, ...].
    """
    start, fys = s.get("start"), get(s, "fiscal_year_start")
    rows = project_v3(s, changes, funding, horizon)
    out = dict(rows)
    cash_0 = float(s["cash"])
    i = monthly_rate(get(s, "interest_rate"))
    min_cash = get(s, "min_cash")

    out["runway_months"] = runway(cash_0, rows)
    # "runway_months_without_funding is the runway of the same plan with no rounds"
    out["runway_months_without_funding"] = runway(cash_0, project_v3(s, changes, (), horizon))

    # "the minimum of cash_t over t = 1..horizon (month 0 excluded) and its first month"
    low = min(rows["cash"])
    out["lowest_cash"] = low
    out["lowest_cash_month"] = rows["cash"].index(low) + 1

    # "the first month with cash_t < min_cash, or never"
    # READING: cash_t of the plan as given, its funding rounds included.
    out["first_short_month"] = next((t for t, c in enumerate(rows["cash"], start=1) if c < min_cash), NEVER)
    # "raise_month when given, else first_short_month"
    raise_month = get(s, "raise_month")
    out["funding_month"] = (
        month_number(raise_month, start) if raise_month is not None else out["first_short_month"]
    )
    out["funding_need"] = funding_need(rows, out["funding_month"], min_cash, i)
    # "When first_short_month comes before a given raise_month, say so"
    out["shortfall_before_raise"] = (
        raise_month is not None and out["first_short_month"] < out["funding_month"]
    )

    out["breakeven_month"] = breakeven_month(rows)
    # "FALSE when breakeven_month is never; else TRUE when breakeven_month <= runway_months_without_funding"
    be = out["breakeven_month"]
    out["default_alive"] = be != NEVER and be <= out["runway_months_without_funding"]

    n = min(12, horizon)
    # "revenue_0 = mau * conversion * arppu_net with the scenario's own month-1 values (before any change)"
    arppu_net = s["arppu"] / (1 + get(s, "vat")) * (1 - get(s, "store_fee"))
    revenue_0 = s["mau"] * s["conversion"] * arppu_net
    # "sum(net_burn_1..n) / (12 * (revenue_n - revenue_0)) ... n/a when revenue does not grow;
    #  a total burn <= 0 is reported as it is"
    # READING: the factor stays 12 when horizon < 12 (n < 12): the formula names 12, not n.
    growth = rows["revenue"][n - 1] - revenue_0
    out["burn_multiple"] = sum(rows["net_burn"][:n]) / (12 * growth) if growth > 0 else None
    # "sum(compute_1..n) / sum(revenue_1..n), same n, net revenue; n/a without revenue"
    # READING: "without revenue" = the n-month sum of net revenue is <= 0.
    revenue_sum = sum(rows["revenue"][:n])
    out["compute_to_revenue"] = sum(rows["compute"][:n]) / revenue_sum if revenue_sum > 0 else None

    npv, payback, without_migration_runway = plan_migration(s, changes, funding, horizon, rows)
    out["plan_migration_npv"] = npv
    out["plan_migration_payback_month"] = payback
    # version 2's "runway_months_without_migration when migration_month is given" (kept as an extra)
    out["runway_months_without_migration"] = without_migration_runway

    out["annual"] = annual_summary(rows, start, fys)
    return out


def plan_migration(s, changes, funding, horizon, rows):
    """(plan_migration_npv, plan_migration_payback_month, runway without the migration).

    "sum over t = 1..horizon of (net_burn_without_t - net_burn_t) / (1 + d) ** t"; payback: "the
    first t >= migration_month with sum_{s<=t} (net_burn_without_s - net_burn_s) / (1 + d) ** s >= 0
    ... never if none within the horizon". n/a without migration_month, and when it "lies beyond
    the horizon"."""
    migration_month = get(s, "migration_month")
    if migration_month is None:
        return None, None, None
    migration_month = month_number(migration_month, s.get("start"))
    without = project_v3(s, changes, funding, horizon, migrate=False)
    without_runway = runway(float(s["cash"]), without)
    if migration_month > horizon:
        return None, None, without_runway
    d = monthly_rate(get(s, "annual_discount_rate"))
    total, payback = 0.0, NEVER
    for t in range(1, horizon + 1):
        total += (without["net_burn"][t - 1] - rows["net_burn"][t - 1]) / (1 + d) ** t
        if payback == NEVER and t >= migration_month and total >= 0:
            payback = t
    return total, payback, without_runway


# ---------------------------------------------------------------------------------------------
# Unit economics (month 1), version 3
# ---------------------------------------------------------------------------------------------


def payback_months(cac, arpu, gross_margin, churn=0.0):
    """docs/model.md's payback_months: m = arpu*gross_margin; churn 0: cac/m; else ln(1-x)/ln(1-churn)."""
    m = arpu * gross_margin
    if m <= 0:
        return NEVER
    if churn == 0:
        return cac / m
    x = cac * churn / m
    if x >= 1:
        return NEVER
    if churn == 1:
        return 0.0  # the limit: the whole payback happens within month 1
    return math.log1p(-x) / math.log1p(-churn)


def cohort_payback_month(contribution, R, q, k, target):
    """ "the first whole month T with sum_{t=1..T} contribution_per_mau * R(t) >= cac_per_active.
    ... never when contribution <= 0 or the whole sum (with the tail) stays below cac_per_active,
    and 0 when cac_per_active is 0". Brute-force summation, no horizon."""
    # READING: contribution <= 0 is checked before cac_per_active == 0, so that a free user who
    # loses money is "never" (as payback_months says, m <= 0: never) and the stated oracle
    # "for the curve (1-c)^(a-1) it equals ceil(payback_months)" holds in that corner too.
    if contribution <= 0:
        return NEVER
    if target == 0:
        return 0
    # the whole sum: the observed months plus the geometric tail R(k) * q / (1 - q) (undiscounted)
    whole = 0.0
    for t in range(1, k + 1):
        whole += contribution * R(t)
    whole += contribution * R(k) * q / (1 - q)
    # READING: a whole sum exactly equal to the target is approached but never reached: never.
    if whole <= target:
        return NEVER
    total, t = 0.0, 0
    while total < target:
        t += 1
        step = contribution * R(t)
        if total + step == total:  # float can no longer move the sum: it stays below
            return NEVER
        total += step
    return t


def unit_economics_v3(s):
    """Month-1 unit economics of the scenario's own inputs (changes do not enter them)."""
    out = {}
    vat, store_fee = get(s, "vat"), get(s, "store_fee")
    conversion, cost = s["conversion"], s["cost_per_mau"]
    paying_cost = get(s, "paying_cost_per_mau")
    paying_cost = cost if paying_cost is None else paying_cost
    curve = get(s, "retention")
    d = monthly_rate(get(s, "annual_discount_rate"))
    activation = base_level(s, "activation")
    churn = base_level(s, "churn")
    out["activation"] = activation
    out["churn"] = churn

    # "arppu_net = arppu / (1 + vat) * (1 - store_fee) replaces arppu in revenue_per_mau, ..."
    arppu_net = s["arppu"] / (1 + vat) * (1 - store_fee)
    out["arppu_net"] = arppu_net
    # "revenue_per_mau = conversion * arppu"
    revenue_per_mau = conversion * arppu_net
    out["revenue_per_mau"] = revenue_per_mau
    # "blended_cost_per_mau = (1 - conversion) * cost_per_mau + conversion * paying_cost_per_mau"
    blended_cost = (1 - conversion) * cost + conversion * paying_cost
    out["blended_cost_per_mau"] = blended_cost
    # "contribution_per_mau = revenue_per_mau - cost_per_mau" (the blended cost, version 2)
    contribution = revenue_per_mau - blended_cost
    out["contribution_per_mau"] = contribution
    # "gross_margin = contribution_per_mau / revenue_per_mau (error when revenue is 0)"
    gross_margin = contribution / revenue_per_mau if revenue_per_mau != 0 else None
    out["gross_margin"] = gross_margin

    # ltv: "contribution_per_mau / (churn + d)", or with a curve
    # "ltv = cohort_ltv(curve, revenue_per_mau, gross_margin, annual_discount_rate), with the tail (an active user's)"
    if curve is None:
        out["ltv"] = contribution / (churn + d) if churn + d != 0 else None
    else:
        _, R, q = retention_curve(curve)
        k = len(curve)
        active_curve = [R(a) for a in range(1, k + 1)]  # READING: "an active user's": the curve R / r_1
        # cohort_ltv's m = arpu * gross_margin is the contribution (also when gross_margin is n/a)
        out["ltv"] = cohort_ltv(active_curve, contribution, 1.0, get(s, "annual_discount_rate"))

    # "blended_cac = ad_spend / new_1" (month 1 of the plan with the scenario's own values)
    # READING: new_1 is the plan's month 1 with no changes, so its paid users are bought at
    # cac_1 = cac * (ad_spend / cac_spend) ** cac_elasticity (= cac when cac_spend is the default).
    # A scenario with no sign-ups in month 1 has no blended CAC (None).
    first = project_v3(s, (), (), 1, migrate=False)
    new_1 = first["new_users"][0]
    blended_cac = s["ad_spend"] / new_1 if new_1 > 0 else None
    out["blended_cac"] = blended_cac
    # "cac_per_active = blended_cac / activation"
    cac_per_active = None if blended_cac is None else blended_cac / activation
    out["cac_per_active"] = cac_per_active
    # "paid_cac = cac"; "the paid versions use cac / activation"
    # READING: paid_cac is the input cac, not month 1's cac_1 = cac * (ad_spend / cac_spend) ** e,
    # even when cac_spend differs from ad_spend (docs/model.md says "paid_cac = cac").
    out["paid_cac"] = s["cac"]
    paid_per_active = s["cac"] / activation

    ltv = out["ltv"]
    # READING: a ratio to a CAC of 0 (or to an n/a CAC, or of an n/a LTV) is n/a (None), not inf.
    out["ltv_to_cac"] = ltv / cac_per_active if ltv is not None and cac_per_active else None
    out["ltv_to_paid_cac"] = ltv / paid_per_active if ltv is not None and paid_per_active else None

    # "payback_months(blended_cac, revenue_per_mau, gross_margin, churn)", on cac_per_active;
    # m = revenue_per_mau * gross_margin = contribution.
    # READING: with a curve, payback_months keeps the closed form on the scenario's churn (default
    # 1 - q, the churn of the users already there); cohort_payback_month is the curve's answer.
    out["payback_months"] = (
        None if cac_per_active is None else payback_months(cac_per_active, contribution, 1.0, churn)
    )
    out["payback_months_paid"] = payback_months(paid_per_active, contribution, 1.0, churn)

    # "cost_per_mau / (arppu - (paying_cost_per_mau - cost_per_mau)), n/a when a payer's revenue
    #  does not cover a payer's extra compute" (arppu_net in place of arppu)
    margin = arppu_net - (paying_cost - cost)
    out["breakeven_conversion"] = cost / margin if margin > 0 else None

    if curve is not None:
        _, R, q = retention_curve(curve)
        out["cohort_payback_month"] = (
            None
            if cac_per_active is None
            else cohort_payback_month(contribution, R, q, len(curve), cac_per_active)
        )
    return out


# ---------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------

if __name__ == "__main__":
    # docs/model.md's oracle: "cash 1.2M, fixed costs 150k, revenue 50k a month, nothing else: 12.0"
    oracle = dict(
        cash=1.2e6,
        mau=1000.0,
        ad_spend=0.0,
        cac=1.0,
        churn=0.0,
        conversion=1.0,
        arppu=50.0,
        cost_per_mau=0.0,
        fixed_costs=150e3,
    )
    result = plan(oracle, horizon=24)
    assert result["runway_months"] == 12.0, result["runway_months"]
    assert result["runway_months_without_funding"] == 12.0

    # funding_need: a round of exactly funding_need in funding_month brings min(cash_t, t >= funding_month)
    # to min_cash; any smaller round leaves a month below it.
    example = dict(
        cash=5e6,
        mau=20_000.0,
        ad_spend=300e3,
        ad_growth=0.03,
        cac=6.0,
        churn=0.08,
        conversion=0.04,
        arppu=12.0,
        cost_per_mau=0.9,
        fixed_costs=250e3,
        interest_rate=0.04,
        min_cash=1e6,
        vat=0.1,
        store_fee=0.15,
        start="2024-12",
        fiscal_year_start=4,
    )
    changes = [{"month": 7, "ad_spend": 150e3, "conversion": 0.05}, {"month": 13, "fixed_costs": 300e3}]
    for raise_month in (None, 9):
        scenario = dict(example, raise_month=raise_month)
        base = plan(scenario, changes, horizon=36)
        fm, need = base["funding_month"], base["funding_need"]
        assert fm != NEVER and need > 0, (fm, need)
        funded = plan(scenario, changes, [{"month": fm, "amount": need}], horizon=36)
        low = min(funded["cash"][fm - 1 :])
        assert abs(low - scenario["min_cash"]) <= 1e-6 * scenario["min_cash"], (low, need)
        short = plan(scenario, changes, [{"month": fm, "amount": need * (1 - 1e-6)}], horizon=36)
        assert min(short["cash"][fm - 1 :]) < scenario["min_cash"]

    # Calendar labels
    assert calendar_label(3, "2025-01") == "2025-03" and calendar_label(7) == "M7"
    years = fiscal_years(36, "2024-12", 4)
    assert years[0] == ("FY2025 (Dec-Mar, 4 of 12 months)", 1, 4, 4), years[0]
    assert years[1] == ("FY2026", 5, 16, 12) and years[-1][0] == "FY2028 (Apr-Nov, 8 of 12 months)", years
    assert [y[0] for y in fiscal_years(30)] == ["Y1", "Y2", "Y3 (M25-M30, 6 of 12 months)"]
    print("reference_v3 self-check: ok")
