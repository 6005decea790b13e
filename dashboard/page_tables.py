"""Results -> the small tables the pages and charts show (pure pandas, no Streamlit).

The engine's tables are long (one row per run and week: 100,000+ rows for
1,000 runs over two years). Charts only need their quantiles, so every
function here reduces a table to a few hundred rows before anything is drawn
or cached.

Units: days are working days from the scenario's start (day 0); dates are
calendar dates from the scenario's calendar; effort is person-days; value and
cost are money (no currency) per week or in total.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine.value import outcome_target_rate
from simulation.present.fans import fan_table
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.schema import Scenario

#: Items that happen in fewer runs than this share are left off the timeline.
TIMELINE_MIN_SHARE = 0.25
#: Weeks drawn after the last run's work ends on the burn-up (a little air).
BURNUP_TAIL_WEEKS = 2


def calendar_of(sc: Scenario) -> WorkCalendar:
    """The scenario's working-day calendar (day numbers <-> dates)."""
    return WorkCalendar(sc.calendar, sc.start_date)


def start_dates(cal: WorkCalendar, day: np.ndarray) -> np.ndarray:
    """Date on which work starting at moment ``day`` begins (NaN -> NaT)."""
    d = np.asarray(day, dtype=float)
    out = np.full(d.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = np.isfinite(d)
    if ok.any():
        out[ok] = cal.workday_date(np.floor(d[ok] + 1e-9).astype(np.int64))
    return out


def burnup_table(weekly: pd.DataFrame, runs: pd.DataFrame, cal: WorkCalendar) -> pd.DataFrame:
    """Fan of cumulative work done plus the median scope line (person-days).

    Cut a couple of weeks after the 95th percentile of the day all work ends,
    so the chart shows the build, not two flat years.
    """
    end = runs["end_day"].to_numpy(dtype=float) if len(runs) else np.array([])
    end = end[np.isfinite(end)]
    until = None
    if len(end):
        until = math.ceil(np.quantile(end, 0.95) / cal.days_per_week) + BURNUP_TAIL_WEEKS
    fan = fan_table(weekly, "work_done", cal, until)
    if not weekly.empty:
        scope = weekly.groupby("week")["scope"].median()
        fan["scope"] = fan["week"].map(scope).to_numpy(dtype=float)
    else:
        fan["scope"] = pd.Series(dtype=float)
    return fan


def run_rate_until(summary: dict[str, Any], weekly: pd.DataFrame, cal: WorkCalendar) -> int | None:
    """Weeks worth showing on the run-rate chart: past the outcome date and P95."""
    if weekly.empty:
        return None
    horizon = int(weekly["week"].max())
    marks = [summary["delivery"].get("p95_day")]
    by = summary["value"].get("outcome_by")
    if by:
        marks.append(cal.day_end(dt.date.fromisoformat(by)))
    days = [float(m) for m in marks if m is not None and math.isfinite(float(m))]
    if not days:
        return horizon
    return min(horizon, math.ceil(max(days) / cal.days_per_week) + 8)


# ------------------------------------------------------------ delivery
def delivery_histogram(runs: pd.DataFrame) -> pd.DataFrame:
    """Share of all runs delivering in each calendar week (Monday to Sunday).

    Runs that never delivered are not in any bar (their share is missing from
    the total on purpose: the page says how many there were).
    """
    cols = ["week_start", "week_end", "runs", "share"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    dates = pd.to_datetime(runs.loc[runs["delivered"], "delivery_date"]).dropna()
    if dates.empty:
        return pd.DataFrame(columns=cols)
    start = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    counts = start.value_counts().sort_index()
    out = pd.DataFrame({"week_start": counts.index, "runs": counts.to_numpy()})
    out["week_end"] = out["week_start"] + pd.Timedelta(days=7)
    out["share"] = out["runs"] / len(runs)
    return out[cols].reset_index(drop=True)


def markers(summary: dict[str, Any], deadline: dt.date | None) -> pd.DataFrame:
    """Vertical rules for the delivery chart: P50, P85 and the deadline, by date.

    The chart places their labels (see :func:`dashboard.charts.rule_layout`).
    """
    d = summary["delivery"]
    rows = []
    for key, label in (("p50_date", "P50"), ("p85_date", "P85")):
        if d.get(key):
            rows.append({"label": label, "date": pd.Timestamp(d[key])})
    if deadline is not None:
        rows.append({"label": "Deadline", "date": pd.Timestamp(deadline)})
    out = pd.DataFrame(rows, columns=["label", "date"])
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def cdf_table(runs_by_scenario: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Cumulative share of runs delivered by each date, per scenario (step lines)."""
    frames = []
    for name, runs in runs_by_scenario.items():
        n = len(runs)
        dates = pd.to_datetime(runs.loc[runs["delivered"], "delivery_date"]).dropna()
        if n == 0 or dates.empty:
            continue
        counts = dates.value_counts().sort_index()
        frames.append(
            pd.DataFrame(
                {"scenario": name, "date": counts.index, "share": counts.cumsum().to_numpy() / n}
            )
        )
    if not frames:
        return pd.DataFrame(columns=["scenario", "date", "share"])
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------ timeline
def timeline_table(
    items: pd.DataFrame,
    n_runs: int,
    cal: WorkCalendar,
    min_share: float = TIMELINE_MIN_SHARE,
    criticality: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Median start, done and go-live date per work item, with how often it happens.

    Planned items happen in every run; creep, fixes and change-control overhead
    only in some. Items seen in fewer than ``min_share`` of the runs are left
    out (they would be noise); their share is shown for the rest. With
    ``criticality`` (:meth:`simulation.Results.criticality`) each row gets the
    share of futures in which the item set the date, also in its label.
    """
    cols = [
        "id",
        "label",
        "source",
        "share",
        "start_day",
        "done_day",
        "live_day",
        "start",
        "done",
        "bar_end",
        "live",
        "order",
        "criticality",
    ]
    if items.empty or n_runs <= 0:
        return pd.DataFrame(columns=cols)
    done = items[(items["state"] == "done") & items["start_day"].notna()]
    if done.empty:
        return pd.DataFrame(columns=cols)
    g = done.groupby("id", sort=False)
    out = pd.DataFrame(
        {
            "name": g["name"].first(),
            "source": g["source"].first(),
            "share": g["run"].nunique() / n_runs,
            "start_day": g["start_day"].median(),
            "done_day": g["done_day"].median(),
            "live_day": g["live_day"].median(),
        }
    ).reset_index()
    out = out[out["share"] >= min_share - 1e-12].copy()
    if out.empty:
        return pd.DataFrame(columns=cols)
    if criticality is not None and not criticality.empty:
        out["criticality"] = out["id"].map(criticality.set_index("id")["criticality"]).astype(float)
    else:
        out["criticality"] = np.nan
    out["label"] = _item_labels(out)
    out["start"] = pd.to_datetime(start_dates(cal, out["start_day"].to_numpy()))
    out["done"] = pd.to_datetime(cal.dates_of(out["done_day"].to_numpy()))
    # Bars run to the end of the done day, so a one-day item is still visible.
    out["bar_end"] = out["done"] + pd.Timedelta(days=1)
    out["live"] = pd.to_datetime(cal.dates_of(out["live_day"].to_numpy()))
    out = out.sort_values(["start_day", "done_day"], kind="stable").reset_index(drop=True)
    out["order"] = np.arange(len(out))
    return out[cols]


def _item_labels(rows: pd.DataFrame) -> list[str]:
    """Unique row labels: the item's name, numbered when names repeat, with its share."""
    names = [n if n else i for i, n in zip(rows["id"], rows["name"], strict=True)]
    repeated = {n for n in names if names.count(n) > 1}
    labels = []
    for item_id, name, share in zip(rows["id"], names, rows["share"], strict=True):
        label = name
        if name in repeated:
            suffix = item_id.rsplit("-", 1)[-1]
            label += f" #{suffix}" if suffix.isdigit() else f" [{item_id}]"
        if share < 0.995:
            label += f" ({share:.0%} of runs)"
        labels.append(label)
    if "criticality" in rows:  # planned items: how often each set the date
        labels = [
            f"{lab} · sets the date in {c:.0%}" if c == c and share >= 0.995 else lab
            for lab, c, share in zip(labels, rows["criticality"], rows["share"], strict=True)
        ]
    return labels


# ------------------------------------------------------------ forecast
def forecast_tables(res: Any) -> dict[str, Any]:
    """Everything the Forecast page draws, from one :class:`simulation.Results`.

    Returns a dict of small DataFrames plus the summary, cheap to cache and copy.
    """
    sc: Scenario = res.scenario
    cal = calendar_of(sc)
    summary = res.summary()
    runs = res.runs
    shown = runs.drop(columns=["risks_fired"])
    crit = res.criticality()
    return {
        "summary": summary,
        "runs": shown,
        "runs_view": runs_display(shown),
        "risks": risk_table(runs, sc),
        "histogram": delivery_histogram(runs),
        "markers": markers(summary, sc.deadline),
        "burnup": burnup_table(res.weekly, runs, cal),
        "value": fan_table(res.weekly, "cum_value", cal),
        "run_rate": fan_table(
            res.weekly, "run_rate", cal, run_rate_until(summary, res.weekly, cal)
        ),
        "timeline": timeline_table(res.items, len(runs), cal, criticality=crit),
        "sensitivity": res.sensitivity(),
        "criticality": crit,
        "target": outcome_target_rate(sc),
        "misfit_share": misfit_share(res.items),
    }


#: The runs table as the Forecast page shows it: engine column -> (header, kind). Kinds:
#: ``money`` (whole units), ``day`` (working day from the start, one decimal), ``date``,
#: ``ratio`` (two decimals), ``effort`` (person-days, one decimal), ``count``, ``flag``.
RUN_COLUMNS: dict[str, tuple[str, str]] = {
    "run": ("Future", "count"),
    "delivered": ("Delivered", "flag"),
    "delivery_day": ("Delivery (working day)", "day"),
    "delivery_date": ("Delivery date", "date"),
    "on_time": ("On time", "flag"),
    "cost": ("Cost", "money"),
    "value": ("Value (discounted)", "money"),
    "npv": ("NPV", "money"),
    "roi": ("ROI", "ratio"),
    "first_value_day": ("First value (working day)", "day"),
    "first_value_date": ("First value date", "date"),
    "outcome_day": ("Outcome reached (working day)", "day"),
    "outcome_date": ("Outcome date", "date"),
    "outcome_reached": ("Outcome on time", "flag"),
    "effort_total": ("Work done (person-days)", "effort"),
    "items_done": ("Items done", "count"),
    "items_added": ("Items added", "count"),
    "fixes": ("Fixes", "count"),
    "deferred": ("Changes deferred", "count"),
    "end_day": ("All work done (working day)", "day"),
    "cost_discounted": ("Cost (discounted)", "money"),
}


def runs_display(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table for reading: plain headers, rounded numbers, dates without a time.

    Values stay numbers and dates (so the table still sorts); a column the engine adds
    later gets its name with spaces. The raw table is what the CSV download gives.
    """
    out = pd.DataFrame(index=runs.index)
    for col in runs.columns:
        header, kind = RUN_COLUMNS.get(col, (col.replace("_", " ").capitalize(), ""))
        v = runs[col]
        if kind == "money":
            v = v.astype(float).round(0).astype("Int64")
        elif kind in ("day", "effort"):
            v = v.astype(float).round(1)
        elif kind == "ratio":
            v = v.astype(float).round(2)
        elif kind == "date":
            v = pd.to_datetime(v).dt.date
        out[header] = v
    return out.reset_index(drop=True)


def risk_table(runs: pd.DataFrame, sc: Scenario) -> pd.DataFrame:
    """How often each risk fired, and the median delivery date with and without it."""
    cal = calendar_of(sc)
    rows = []
    # Plain text first: the engine may hand a categorical column over.
    fired = runs["risks_fired"].astype("string").fillna("").str.split(",")
    day = runs["delivery_day"].to_numpy(dtype=float)
    for risk in sc.risks:
        hit = fired.apply(lambda ids, rid=risk.id: rid in ids).to_numpy(dtype=bool)
        with_it, without = _median(day[hit]), _median(day[~hit])
        rows.append(
            {
                "risk": risk.label,
                "fired": hit.mean() if len(hit) else math.nan,
                "p50_if_fired": cal.date_of(with_it),
                "p50_if_not": cal.date_of(without),
                "shift_days": with_it - without,
            }
        )
    return pd.DataFrame(rows, columns=["risk", "fired", "p50_if_fired", "p50_if_not", "shift_days"])


def _median(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else math.nan


def misfit_share(items: pd.DataFrame) -> float:
    """Share of built product items (planned, added, creep) that missed the need."""
    built = items[items["source"].isin(("planned", "added", "creep")) & (items["state"] == "done")]
    return float(built["misfit"].mean()) if len(built) else math.nan


# ------------------------------------------------------------- comparison
def working_days_between(cal: WorkCalendar, a: Any, b: Any) -> float:
    """Signed working days from date ``a`` to date ``b`` (NaN if either is missing)."""
    if a is None or b is None:
        return math.nan
    da, db = np.datetime64(pd.Timestamp(a).date(), "D"), np.datetime64(pd.Timestamp(b).date(), "D")
    return float(np.busday_count(da, db, weekmask=cal.weekmask, holidays=cal.holidays))


def comparison_tables(cmp: Any) -> dict[str, Any]:
    """Everything the What-if page draws, from one :class:`simulation.Comparison`."""
    names = list(cmp.results)
    base = cmp.results[names[0]]
    cal = calendar_of(base.scenario)
    summaries = {name: res.summary() for name, res in cmp.results.items()}
    curves = []
    for name, res in cmp.results.items():
        fan = fan_table(res.weekly, "cum_value", calendar_of(res.scenario))
        curves.append(fan[["week", "date", "p25", "p50", "p75"]].assign(scenario=name))
    shifts = {}
    b = summaries[names[0]]
    for name in names[1:]:
        o = summaries[name]
        shifts[name] = {
            q: working_days_between(
                cal, b["delivery"].get(f"{q}_date"), o["delivery"].get(f"{q}_date")
            )
            for q in ("p50", "p85")
        }
        shifts[name]["first_value"] = working_days_between(
            cal, b["value"].get("first_value_date_p50"), o["value"].get("first_value_date_p50")
        )
    # Why more people did not help (the What-if page words it): the engine's tables
    # are not cached, so the numbers are taken here.
    why = {name: people_effect(base, cmp.results[name]) for name in names[1:]}
    return {
        "names": names,
        "summaries": summaries,
        "deltas": cmp.deltas.copy(),
        "shifts": shifts,
        "why": why,
        "cdf": cdf_table({name: res.runs for name, res in cmp.results.items()}),
        "value": pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
        "deadline": base.scenario.deadline,
        "runs": len(base.runs),
        "seed": base.seed,
    }


def delta_lookup(deltas: pd.DataFrame, variant: str) -> dict[str, dict[str, float]]:
    """``{metric: {mean, ci_low, ci_high, p05, p95}}`` for one variant."""
    rows = deltas[deltas["variant"] == variant]
    return {
        r.metric: {
            "mean": r.mean,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "p05": r.p05,
            "p95": r.p95,
        }
        for r in rows.itertuples()
    }


#: The comparison table's measures, in column order (after "Scenario").
COMPARISON_MEASURES = [
    "P50 delivery",
    "P85 delivery",
    "Delivery shift (mean)",
    "On-time chance",
    "Cost (mean)",
    "NPV (mean)",
    "Outcome chance",
    "First value (P50)",
]


def comparison_rows(tables: dict[str, Any]) -> pd.DataFrame:
    """The side-by-side table: one row per scenario, one column per measure.

    Scenarios as rows, so six or more stay readable in a page's width (a
    column per scenario scrolled off after four). A variant's cell gives its
    value and, in brackets, the difference from the baseline (first row);
    where the engine pairs runs, the 90% interval of the mean paired
    difference follows in square brackets.
    """
    from . import fmt  # local: keeps this module's imports to data libraries

    names = tables["names"]
    base = tables["summaries"][names[0]]
    has_deadline = bool(base["delivery"].get("deadline"))
    rows = []
    for i, name in enumerate(names):
        s = tables["summaries"][name]
        d, v, c = s["delivery"], s["value"], s.get("cost", {})
        cells = {
            "Scenario": name,
            "P50 delivery": fmt.date(d.get("p50_date")),
            "P85 delivery": fmt.date(d.get("p85_date")),
            "Delivery shift (mean)": "baseline",
            "On-time chance": (
                fmt.pct(d.get("on_time_probability")) if has_deadline else "no deadline"
            ),
            "Cost (mean)": fmt.money(c.get("mean")),
            "NPV (mean)": fmt.money(v.get("npv_mean")),
            "Outcome chance": fmt.pct(v.get("outcome_probability")),
            "First value (P50)": fmt.date(v.get("first_value_date_p50")),
        }
        if i > 0:
            sh = tables["shifts"][name]
            dl = delta_lookup(tables["deltas"], name)
            money = lambda x: fmt.money(x, signed=True)  # noqa: E731
            cells["P50 delivery"] += f" ({fmt.days(sh['p50'], signed=True)})"
            cells["P85 delivery"] += f" ({fmt.days(sh['p85'], signed=True)})"
            cells["Delivery shift (mean)"] = _with_ci(
                dl.get("delivery_day"), lambda x: fmt.days(x, signed=True)
            )
            if has_deadline:
                cells["On-time chance"] += f" ({_with_ci(dl.get('on_time'), fmt.points)})"
            cells["Cost (mean)"] += f" ({_with_ci(dl.get('cost'), money)})"
            cells["NPV (mean)"] += f" ({_with_ci(dl.get('npv'), money)})"
            cells["Outcome chance"] += f" ({_with_ci(dl.get('outcome'), fmt.points)})"
            # Like the delivery cells: the P50 date and its shift; the mean paired
            # difference (a different statistic) follows.
            paired = _with_ci(dl.get("first_value_day"), lambda x: fmt.days(x, signed=True))
            moved = fmt.days(sh["first_value"], signed=True)
            cells["First value (P50)"] += (
                f" ({moved}; mean {paired})" if paired != "n/a" else f" ({moved})"
            )
        rows.append(cells)
    return pd.DataFrame(rows, columns=["Scenario", *COMPARISON_MEASURES])


def _with_ci(d: dict[str, float] | None, f) -> str:
    if (
        not d
        or d.get("mean") is None
        or (isinstance(d["mean"], float) and not math.isfinite(d["mean"]))
    ):
        return "n/a"
    text = f(d["mean"])
    lo, hi = d.get("ci_low"), d.get("ci_high")
    if (
        lo is not None
        and hi is not None
        and math.isfinite(lo)
        and math.isfinite(hi)
        and f(lo) != f(hi)
    ):
        text += f" [{f(lo)}, {f(hi)}]"
    return text


# ------------------------------------------------------------- why not earlier
#: Two start times this close (working days) are the same moment.
SAME_DAY = 1e-6


def _most_people(sc: Scenario) -> int:
    """The largest headcount the scenario's staffing changes reach."""
    n = most = sc.team.size
    for change in sorted(sc.team.changes, key=lambda c: c.at_day):
        n += change.add
        most = max(most, n)
    return most


def _busy_and_paid(res: Any) -> tuple[float, float]:
    """Mean person-days per future spent working on an item, and paid for.

    Busy: each item is worked by one person from its start to its done day
    (the items table). Paid: the engine's cost over the cost per person-day
    (headcount x working days up to the end of all work).
    """
    items = res.items
    span = (items["done_day"] - items["start_day"]).to_numpy(dtype=float)
    busy = float(np.nansum(span)) / max(res.n_runs, 1)
    paid = float(res.runs["cost"].mean()) / float(res.scenario.team.cost_per_person_day)
    return busy, paid


def idle_parts(res: Any) -> dict[str, float]:
    """Why paid person-days had no item in hand, as shares of all paid person-days.

    Per future, from day 0 to the end of all work, the headcount (size plus the
    staffing changes) minus the items in progress (one person each) is idle. Each
    stretch of time counts under one reason: ``wip`` (the items in progress are at
    the WIP limit, below the headcount), ``waiting`` (items are left to start but
    none is ready: they wait for an item they depend on, or have not been added
    yet), or ``tail`` (nothing is left to start while the last items finish). The
    three add up to the idle share of :func:`people_effect`; averaged over futures,
    weighted by paid person-days.
    """
    sc = res.scenario
    steps = sorted(((c.at_day, c.add) for c in sc.team.changes), key=lambda x: x[0])
    change_days = np.array([d for d, _ in steps], dtype=float)
    heads = np.cumsum([sc.team.size] + [a for _, a in steps]).astype(float)
    wip = sc.team.wip_limit
    items = res.items[["run", "start_day", "done_day"]].dropna(subset=["start_day"])
    by_run = {r: g for r, g in items.groupby("run")}
    ends = res.runs.set_index("run")["end_day"].astype(float)
    totals = {"wip": 0.0, "waiting": 0.0, "tail": 0.0}
    paid_all = 0.0
    for run, end in ends.items():
        g = by_run.get(run)
        starts = np.sort(g["start_day"].to_numpy(float)) if g is not None else np.array([])
        dones = g["done_day"].to_numpy(float) if g is not None else np.array([])
        dones = np.sort(np.where(np.isnan(dones), np.inf, dones))
        cuts = np.unique(np.concatenate([[0.0, end], starts, dones, change_days]))
        cuts = cuts[(cuts >= 0) & (cuts <= end)]
        if cuts.size < 2:
            continue
        mid, width = (cuts[:-1] + cuts[1:]) / 2, np.diff(cuts)
        head = heads[np.searchsorted(change_days, mid, side="right")]
        busy = np.searchsorted(starts, mid, side="right") - np.searchsorted(
            dones, mid, side="right"
        )
        left = starts.size - np.searchsorted(starts, mid, side="right")
        idle = np.maximum(head - busy, 0) * width
        at_limit = (busy >= wip) & (wip < head) if wip is not None else np.zeros(mid.size, bool)
        totals["wip"] += float(idle[at_limit].sum())
        totals["waiting"] += float(idle[~at_limit & (left > 0)].sum())
        totals["tail"] += float(idle[~at_limit & (left == 0)].sum())
        paid_all += float((np.maximum(head, 0) * width).sum())
    return {k: v / paid_all if paid_all > 0 else 0.0 for k, v in totals.items()}


def _held_by_dependencies(res: Any) -> tuple[float, int]:
    """(median count per future, items with dependencies): items that started the moment
    the last item they depend on was done, i.e. waited on a dependency, not a person."""
    pairs = pd.DataFrame(
        [(it.id, dep) for _, it in res.scenario.all_items() for dep in it.depends_on],
        columns=["id", "dep"],
    )
    if pairs.empty:
        return 0.0, 0
    items = res.items
    rows = items[items["source"].isin(["planned", "added"])][
        ["run", "id", "start_day", "done_day"]
    ].astype({"id": str})
    rows = rows.drop_duplicates(["run", "id"])
    m = rows.merge(pairs, on="id").merge(
        rows[["run", "id", "done_day"]].rename(columns={"id": "dep", "done_day": "dep_done"}),
        on=["run", "dep"],
    )
    last = m.groupby(["run", "id"], observed=True).agg(
        start=("start_day", "first"), ready=("dep_done", "max")
    )
    held = (last["start"] - last["ready"]).abs() < SAME_DAY
    per_run = held.groupby(level="run").sum().reindex(res.runs["run"], fill_value=0)
    return float(np.median(per_run.to_numpy())), int(pairs["id"].nunique())


def people_effect(base: Any, variant: Any) -> dict[str, Any] | None:
    """Why a variant with more people is not earlier, in the engine's numbers.

    Parameters
    ----------
    base, variant : simulation.Results
        The baseline's and the variant's results from one paired comparison.

    Returns
    -------
    dict or None
        None when the variant does not have more people than the baseline.
        Otherwise ``people`` (most on the team, variant and base), ``wip_limit``
        (the variant's, when fewer than its people, else None), ``idle`` (share
        of paid person-days no one worked on an item, variant and base),
        ``busy`` (mean busy person-days per future, variant and base),
        ``newcomers`` (the staffing changes the variant adds with a ramp-up or
        mentoring) and ``held`` / ``dependent`` (median items per future that
        started the moment their last dependency was done, out of the items
        with dependencies), ``idle_parts`` (the variant's idle share by reason,
        :func:`idle_parts`).
    """
    b_sc, v_sc = base.scenario, variant.scenario
    people = (_most_people(v_sc), _most_people(b_sc))
    if people[0] <= people[1]:
        return None
    (vb, vp), (bb, bp) = _busy_and_paid(variant), _busy_and_paid(base)
    wip = v_sc.team.wip_limit
    base_changes = list(b_sc.team.changes)
    new = [
        c
        for c in v_sc.team.changes
        if c not in base_changes and c.add > 0 and (c.start_productivity < 1 or c.mentoring > 0)
    ]
    held, dependent = _held_by_dependencies(variant)
    return {
        "people": people,
        "wip_limit": wip if wip is not None and wip < people[0] else None,
        "idle": (1 - vb / vp if vp > 0 else 0.0, 1 - bb / bp if bp > 0 else 0.0),
        "idle_parts": idle_parts(variant),
        "busy": (vb, bb),
        "newcomers": new,
        "held": held,
        "dependent": dependent,
    }
