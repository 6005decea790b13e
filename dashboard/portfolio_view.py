"""Portfolio page helpers without Streamlit: levers to changes, results to small tables.

The engine's rules stay in :mod:`simulation.portfolio`; this module only turns
the page's widget values into its change objects and its results into the
tables the page and its charts show.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import fmt
from simulation.portfolio import Initiative, Portfolio, PortfolioComparison, PortfolioResults
from simulation.portfolio.changes import (
    Cancel,
    Defer,
    InInitiative,
    MovePeople,
    PortfolioChange,
    Reprioritise,
)
from simulation.scenario.changes import AddItems
from simulation.scenario.library import LIBRARY_DIR
from simulation.scenario.loading import load_scenario

#: What the page builds when no portfolio file is picked: a shared pool of this size.
BUILD_POOL_SIZE = 2
BUILD_POOL_COST = 900.0  # per person-day
NO_CANCEL = "(none)"
#: The id of the work item the "add work" lever adds to an initiative.
ADDED_WORK_ID = "portfolio-added-work"


def build_portfolio(plans: list[str], pool_size: int, own_share: float) -> Portfolio:
    """A portfolio of library plans (file names), in the given priority order.

    Each initiative keeps ``own_share`` of its plan's team (at least 0, rounded);
    one pool of ``pool_size`` people serves them all. Validated like a file.
    """
    from simulation.portfolio.portfolios import SharedPool, check_portfolio

    inis = []
    for name in plans:
        sc = load_scenario(LIBRARY_DIR / name)
        iid = name.removesuffix(".yaml")
        inis.append(Initiative(iid, name, sc, max(round(sc.team.size * own_share), 0)))
    pools = (
        (SharedPool("shared", pool_size, BUILD_POOL_COST, tuple(i.id for i in inis), 1.0),)
        if pool_size
        else ()
    )
    p = Portfolio(
        name="Portfolio of " + ", ".join(i.id for i in inis),
        initiatives=tuple(inis),
        shared=pools,
        start_date=min(i.scenario.start_date for i in inis),
    )
    return check_portfolio(p)


def lever_changes(
    base: Portfolio,
    order: list[str],
    move: dict[str, Any] | None,
    defer: dict[str, Any] | None,
    cancel: str,
    work: dict[str, Any] | None = None,
) -> tuple[PortfolioChange, ...]:
    """The page's levers as portfolio changes (only those that change something).

    ``work``: ``{initiative, effort, at_day}``, a must-have item of ``effort``
    person-days added to that initiative's backlog (end) on its day ``at_day``.
    """
    out: list[PortfolioChange] = []
    if work and work["effort"] > 0:
        item = {"id": ADDED_WORK_ID, "name": "Added work", "effort": float(work["effort"])}
        change = AddItems(at_day=float(work["at_day"]), items=[item])
        out.append(InInitiative(work["initiative"], change))
    if list(order) != list(base.ids):
        out.append(Reprioritise(tuple(order)))
    if move and move["count"] > 0 and move["from"] != move["to"]:
        out.append(MovePeople(move["from"], move["to"], int(move["count"]), float(move["at_day"])))
    if defer and defer["days"] > 0:
        out.append(Defer(defer["initiative"], int(defer["days"])))
    if cancel and cancel != NO_CANCEL:
        out.append(Cancel(cancel))
    return tuple(out)


def move_up(order: list[str], iid: str) -> list[str]:
    """``order`` with ``iid`` one place higher in priority (first stays first)."""
    i = order.index(iid)
    if i == 0:
        return list(order)
    out = list(order)
    out[i - 1], out[i] = out[i], out[i - 1]
    return out


def roadmap_table(res: PortfolioResults) -> pd.DataFrame:
    """One row per initiative: P50 and P85 delivery dates, deadline, on-time chance."""
    rows = []
    for iid, one in res.initiatives.items():
        d = one.summary()["delivery"]
        rows.append(
            {
                "initiative": iid,
                "p50": pd.Timestamp(d["p50_date"]) if d["p50_date"] else pd.NaT,
                "p85": pd.Timestamp(d["p85_date"]) if d["p85_date"] else pd.NaT,
                "deadline": pd.Timestamp(d["deadline"]) if d["deadline"] else pd.NaT,
                "on_time": d["on_time_probability"],
            }
        )
    return pd.DataFrame(rows)


def forecast_rows(res: PortfolioResults) -> pd.DataFrame:
    """The per-initiative table as people read it (both lenses): the portfolio file's
    short label, then the plan's own name (what the charts' labels stand for)."""
    plans = {i.id: i.scenario.name for i in res.portfolio.initiatives}
    rows = []
    for iid, one in res.initiatives.items():
        s = one.summary()
        d, v = s["delivery"], s["value"]
        rows.append(
            {
                "Initiative": iid,
                "Plan": plans.get(iid, ""),
                "P50 delivery": fmt.date(d["p50_date"]),
                "P85 delivery": fmt.date(d["p85_date"]),
                "On time": fmt.pct(d["on_time_probability"]),
                "NPV (mean)": fmt.money(v["npv_mean"]),
                "Outcome": fmt.pct(v["outcome_probability"]),
            }
        )
    return pd.DataFrame(rows)


def weekly_value_table(res: PortfolioResults) -> pd.DataFrame:
    """Mean value per portfolio week and initiative, with the week's date (stacked chart)."""
    from simulation.portfolio.runs import portfolio_calendar

    w = res.weekly_value()
    cal = portfolio_calendar(res.portfolio)
    dpw = cal.days_per_week
    w["date"] = pd.to_datetime(cal.dates_of(w["week"].to_numpy(dtype=float) * dpw))
    return w


def ripple_rows(cmp: PortfolioComparison, variant: str) -> pd.DataFrame:
    """The ripple table as people read it: every initiative's Δ, then the portfolio's."""
    rows = []
    for row in cmp.ripple(variant).itertuples():
        if row.initiative == "portfolio":
            rows.append(
                {
                    "Initiative": "Portfolio",
                    "Δ delivery": "",
                    "Δ on time": fmt.points(row.all_on_time) + " (all on time)",
                    "Δ NPV": fmt.money(row.npv, signed=True),
                    "Δ outcome": "",
                }
            )
        elif row.cancelled:
            rows.append(
                {
                    "Initiative": row.initiative,
                    "Δ delivery": "cancelled",
                    "Δ on time": "",
                    "Δ NPV": fmt.money(row.npv, signed=True),
                    "Δ outcome": "",
                }
            )
        else:
            rows.append(
                {
                    "Initiative": row.initiative,
                    "Δ delivery": fmt.days(row.delivery_day, signed=True, working=True),
                    "Δ on time": fmt.points(row.on_time),
                    "Δ NPV": fmt.money(row.npv, signed=True),
                    "Δ outcome": fmt.points(row.outcome),
                }
            )
    return pd.DataFrame(rows)
