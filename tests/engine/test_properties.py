"""Property tests: generated scenarios always run; mutated ones always fail cleanly.

Hypothesis generates valid scenarios of every shape the format allows (teams
with staffing changes, backlogs whose dependencies form a DAG, every kind of
distribution, the three kinds of risk, scheduled scope changes, creep, every
delivery approach, rework and misfit, calendars, urgency and adoption) and
checks, for a few replications each:

* the run finishes and never raises; the summary is plain JSON;
* delivery_day >= discovery + the longest dependency chain of the *planned*
  items at each item's lowest effort / focus (focus, productivity < 1, rework,
  risks, releases and added scope only lengthen it; removals and resizes can
  shorten it, so those scenarios are generated without them);
* cost >= 0; value >= 0; value <= Results.potential_value when no creep
  item carries value (and always <= the value of every row x horizon);
* run_rate, weekly value and weekly cost are never negative;
* items_done <= the item rows of the run;
* the same seed gives identical tables; the YAML dump reads back equal.

Then it mutates valid scenarios (a random node replaced by a bad value, a
required key deleted, an unknown key inserted) and checks that loading gives a
:class:`ScenarioError` (or, when the mutation happens to be valid, a scenario
that runs), never any other exception, through both the dict and the YAML path.

What was tried (kinds of distribution, risk and mutation) is recorded with
``hypothesis.event``: ``pytest --hypothesis-show-statistics`` prints it.

Under ``CI`` the examples are derandomized (the ``ci`` profile in
``tests/conftest.py``), so a landing never fails on a chance find; locally they
vary from run to run, and ``make fuzz`` runs them twenty times longer.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from simulation import ScenarioError, load_scenario_text, run, scenario_to_yaml
from simulation.scenario.schema import (
    MAX_CREEP_ITEMS,
    MAX_DAY,
    Scenario,
    _reserved_id,
    parse_scenario,
)
from tests.helpers import examples

RUNS = 5
SETTINGS = dict(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# ------------------------------------------------------------- strategies
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,10}", fullmatch=True)

#: Text a scenario file can hold: no control characters but tab and line feed (a
#: file refuses them, raw or as YAML escapes: ``docs/reference/security.md``), so
#: the same data loads the same way as a dict and as YAML text.
FILE_TEXT = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")


def num(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw: st.DrawFn, hi: float = 20.0) -> Any:
    """Any kind of distribution, in its file form (bare numbers too)."""
    kind = draw(
        st.sampled_from(
            [
                "bare",
                "fixed",
                "triangular",
                "pert",
                "uniform",
                "normal",
                "lognormal",
                "exponential",
                "empirical",
            ]
        )
    )
    event(f"dist:{kind}")
    if kind == "bare":
        return draw(st.one_of(st.integers(0, int(hi)), num(0, hi)))
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(num(0, hi))}
    if kind in ("triangular", "pert"):
        low, mode, high = sorted(draw(st.lists(num(0, hi), min_size=3, max_size=3)))
        return {"dist": kind, "low": low, "mode": mode, "high": high}
    if kind == "uniform":
        low, high = sorted(draw(st.lists(num(0, hi), min_size=2, max_size=2)))
        return {"dist": kind, "low": low, "high": high}
    if kind == "normal":
        return {"dist": kind, "mean": draw(num(0.1, hi)), "sd": draw(num(0, hi / 2))}
    if kind == "lognormal":
        median = draw(num(0.1, hi / 2))
        return {"dist": kind, "median": median, "p90": median * draw(num(1, 3))}
    if kind == "exponential":
        return {"dist": kind, "mean": draw(num(0, hi / 2))}
    return {"dist": kind, "samples": draw(st.lists(num(0, hi), min_size=1, max_size=6))}


def dates(lo: dt.date, days: int) -> st.SearchStrategy[dt.date]:
    return st.integers(0, days).map(lambda k: lo + dt.timedelta(days=k))


@st.composite
def scenario_data(draw: st.DrawFn, invariant: bool = False) -> dict[str, Any]:
    """A valid scenario as plain data (what a YAML file holds).

    ``invariant``: no removals and no resizes, so the chain bound holds.
    """
    n_planned = draw(st.integers(1, 7))
    n_added = draw(st.integers(0, 3))
    ids = draw(
        st.lists(IDS, min_size=n_planned + n_added, max_size=n_planned + n_added, unique=True)
    )
    known = {i: "" for i in ids}
    assume(not any(_reserved_id(i, known) for i in ids))
    planned, added = ids[:n_planned], ids[n_planned:]

    def item(k: int, iid: str, earlier: list[str]) -> dict[str, Any]:
        it: dict[str, Any] = {"id": iid, "effort": draw(distributions())}
        if earlier and draw(st.booleans()):
            it["depends_on"] = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True))
        if draw(st.booleans()):
            it["value"] = {"per_week": draw(num(0, 5000))}
        if draw(st.booleans()):
            it["must_have"] = draw(st.booleans())
        if draw(st.booleans()):
            it["name"] = draw(st.text(FILE_TEXT, max_size=20))
        return it

    items = [item(k, iid, planned[:k]) for k, iid in enumerate(planned)]
    start = draw(dates(dt.date(2020, 1, 1), 365 * 15))
    d: dict[str, Any] = {
        "name": draw(st.text(FILE_TEXT, min_size=1, max_size=30)),
        "start_date": start,
        "items": items,
    }

    # Team, with staffing changes that never take it below 0 people.
    size = draw(st.integers(1, 6))
    team: dict[str, Any] = {
        "size": size,
        "focus": draw(num(0.05, 1)),
        "cost_per_person_day": draw(st.one_of(st.just(0.0), num(0.01, 2000))),
    }
    if draw(st.booleans()):
        team["wip_limit"] = draw(st.integers(1, 8))
    changes = []
    for _ in range(draw(st.integers(0, 3))):
        changes.append(
            {
                "at_day": draw(num(0, 80)),
                "add": draw(st.integers(-3, 3)),
                "ramp_up_days": draw(num(0, 30)),
                "start_productivity": draw(num(0.05, 1)),
                "mentoring": draw(num(0, 0.5)),
            }
        )
    people = size
    for ch in sorted(changes, key=lambda c: c["at_day"]):
        ch["add"] = max(ch["add"], -people)
        people += ch["add"]
    team["changes"] = [ch for ch in changes if ch["add"] != 0]
    d["team"] = team

    if draw(st.booleans()):
        d["calendar"] = {
            "workdays": draw(
                st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
            ),
            "holidays": draw(st.lists(dates(start, 200), max_size=4)),
        }
    if draw(st.booleans()):
        d["deadline"] = draw(dates(start, 400))
    d["delivery"] = {
        "approach": draw(st.sampled_from(["continuous", "incremental", "big_bang"])),
        "release_every_days": draw(num(1, 20)),
        "discovery_days": draw(num(0, 20)),
        "hardening_days": draw(num(0, 5)),
    }
    if draw(st.booleans()):
        d["iteration"] = {
            "rework_probability": draw(num(0, 0.6)),
            "rework_fraction": draw(num(0, 1)),
            "misfit_probability": draw(num(0, 0.6)),
            "misfit_value_factor": draw(num(0, 1)),
            "feedback_lag_days": draw(num(0, 20)),
            "fix_fraction": draw(num(0, 1)),
        }

    # Scope: scheduled changes (additions depend on anything earlier), creep, control.
    scope: dict[str, Any] = {}
    sched = []
    pool = list(planned)
    for iid in added:
        change: dict[str, Any] = {
            "at_day": draw(num(0, 60)),
            "add": [item(0, iid, pool)],
            "priority": draw(st.sampled_from(["end", "top"])),
        }
        pool.append(iid)
        if not invariant and draw(st.booleans()):
            change["remove"] = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        if not invariant and draw(st.booleans()):
            target = draw(st.sampled_from(pool))
            change["resize"] = [
                {"id": target, "factor": draw(num(0.1, 3))}
                if draw(st.booleans())
                else {"id": target, "effort": draw(distributions())}
            ]
        sched.append(change)
    if sched:
        scope["changes"] = sched
    if draw(st.booleans()):
        creep: dict[str, Any] = {
            "rate_per_week": draw(num(0, 2)),
            "effort": draw(distributions(hi=5)),
        }
        if draw(st.booleans()):
            creep["value"] = {"per_week": draw(num(0, 300))}
        if draw(st.booleans()):
            creep["until_day"] = draw(num(0, 120))
        else:
            # Until closure: a slow rate (an overloaded team would take creep to the
            # 20-year cap: valid, but thousands of items make each example slow).
            days_per_week = len(d.get("calendar", {}).get("workdays", WEEKDAYS[:5]))
            cap = 0.9 * MAX_CREEP_ITEMS * days_per_week / MAX_DAY
            creep["rate_per_week"] = min(creep["rate_per_week"] / 5, cap)
        scope["creep"] = creep
    if draw(st.booleans()):
        scope["change_control_days"] = draw(num(0, 2))
    if draw(st.booleans()):
        scope["freeze_day"] = draw(num(0, 100))
    if scope:
        d["scope"] = scope

    risks = []
    for r in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["blocker", "extra_work", "capacity_loss"]))
        event(f"risk:{kind}")
        risk: dict[str, Any] = {"id": f"risk-{r}", "probability": draw(num(0, 1))}
        if kind == "extra_work":
            risk["impact"] = {
                "kind": kind,
                "effort": draw(distributions(hi=10)),
                "items": draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)),
            }
        else:
            a, b = sorted(draw(st.lists(num(0, 60), min_size=2, max_size=2)))
            risk["window"] = [a, b]
            risk["impact"] = {"kind": kind, "days": draw(distributions(hi=10))}
            if kind == "capacity_loss":
                risk["impact"]["people"] = draw(st.integers(1, 4))
        risks.append(risk)
    if risks:
        d["risks"] = risks

    model = draw(st.sampled_from(["instant", "linear", "bass"]))
    adoption: dict[str, Any] = {"model": model}
    if model == "linear":
        adoption["weeks"] = draw(num(0.5, 20))
    if model == "bass":
        adoption.update(p=draw(num(0.001, 0.3)), q=draw(st.one_of(st.just(0.0), num(1e-4, 1))))
    profile = draw(st.sampled_from(["standard", "fixed_date", "decaying"]))
    urgency: dict[str, Any] = {"profile": profile}
    if profile == "fixed_date":
        urgency.update(
            date=draw(dates(start - dt.timedelta(days=30), 400)), value_after=draw(num(0, 1))
        )
    if profile == "decaying":
        urgency["half_life_weeks"] = draw(num(1, 52))
    outcome: dict[str, Any] = {"target_fraction": draw(num(0.05, 1))}
    if draw(st.booleans()):
        outcome["by"] = draw(dates(start, 500))
    d["value"] = {
        "horizon_weeks": draw(st.integers(1, 60)),
        "discount_rate_annual": draw(num(0, 0.3)),
        "adoption": adoption,
        "urgency": urgency,
        "outcome": outcome,
    }
    d["simulation"] = {"runs": RUNS, "seed": draw(st.integers(0, 2**32))}
    return d


# ---------------------------------------------------------------- helpers
def chain_bound(sc: Scenario) -> float:
    """Discovery + the longest planned dependency chain at lowest effort / focus."""
    planned = {it.id: it for it in sc.items}
    memo: dict[str, float] = {}

    def longest(iid: str) -> float:
        if iid not in memo:
            it = planned[iid]
            before = max((longest(dep) for dep in it.depends_on if dep in planned), default=0.0)
            memo[iid] = before + it.effort.lowest() / sc.team.focus
        return memo[iid]

    return sc.delivery.discovery_days + max(longest(i) for i in planned)


def check_results(sc: Scenario, res: Any, invariant: bool) -> None:
    runs, items, weekly = res.runs, res.items, res.weekly
    assert len(runs) == RUNS
    json.dumps(res.summary(), allow_nan=False)
    for column in ("cost", "cost_discounted", "value", "npv", "effort_total"):
        assert np.isfinite(runs[column].to_numpy(dtype=float)).all(), column
    assert (runs["cost"] >= 0).all()
    assert (runs["cost_discounted"] >= -1e-9).all()
    assert (runs["value"] >= -1e-9).all()
    assert (runs["effort_total"] >= 0).all()
    assert (weekly["run_rate"] >= -1e-9).all()
    assert (weekly["value"] >= -1e-9).all()
    assert (weekly["cost"] >= -1e-9).all()
    delivered = runs["delivered"].to_numpy(dtype=bool)
    day = runs["delivery_day"].to_numpy(dtype=float)
    assert np.isnan(day[~delivered]).all()
    assert (day[delivered] >= 0).all()
    rows = items.groupby("run").size().reindex(runs["run"], fill_value=0).to_numpy()
    assert (runs["items_done"].to_numpy() <= rows).all()
    horizon = sc.value.horizon_weeks
    row_value = items.groupby("run")["value_per_week"].sum().reindex(runs["run"], fill_value=0.0)
    assert (runs["value"].to_numpy() <= row_value.to_numpy() * horizon * (1 + 1e-9) + 1e-6).all()
    if sc.scope.creep is None or sc.scope.creep.value.per_week == 0:
        assert (runs["value"] <= res.potential_value * (1 + 1e-9) + 1e-6).all()
    if invariant and delivered.any():
        bound = chain_bound(sc)
        assert (day[delivered] >= bound - 1e-6 * max(1.0, bound)).all(), (bound, day)


# ------------------------------------------------------------ valid input
@settings(max_examples=examples(150), **SETTINGS)
@given(scenario_data())
def test_generated_scenarios_always_run(d: dict[str, Any]):
    """Any valid scenario runs, its tables are sane, the same seed repeats them exactly."""
    sc = parse_scenario(d)
    event("generated")
    seed = sc.simulation.seed
    first = run(sc, runs=RUNS, seed=seed, workers=1)
    check_results(sc, first, invariant=False)
    again = run(sc, runs=RUNS, seed=seed, workers=1)
    pd.testing.assert_frame_equal(first.runs, again.runs)
    pd.testing.assert_frame_equal(first.items, again.items)
    pd.testing.assert_frame_equal(first.weekly, again.weekly)
    assert load_scenario_text(scenario_to_yaml(sc)) == sc


@settings(max_examples=examples(120), **SETTINGS)
@given(scenario_data(invariant=True))
def test_delivery_never_beats_the_critical_path(d: dict[str, Any]):
    """Without removals/resizes, no run delivers before the lowest-effort critical path."""
    sc = parse_scenario(d)
    event("generated (invariant)")
    res = run(sc, runs=RUNS, seed=sc.simulation.seed, workers=1)
    check_results(sc, res, invariant=True)


# ---------------------------------------------------------- invalid input
BAD_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "garbage",
            "2027-02-30",
            "1e999",
            -1,
            -1e9,
            0,
            1e308,
            10**30,
            10**400,
            float("nan"),
            float("inf"),
            float("-inf"),
            True,
            False,
            [],
            {},
            [1, 2, 3],
            {"x": 1},
            {"dist": "gamma"},
            [[[]]],
            dt.date(1800, 1, 1),
            dt.datetime(2027, 1, 4, 12, 30),
            "\u202e",
            "a" * 300,
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(FILE_TEXT, max_size=12),
)
#: Typos and strangers: never a field of any mapping in the format.
UNKNOWN_KEYS = [
    "teem",
    "sise",
    "focsu",
    "efort",
    "depend_on",
    "windw",
    "impakt",
    "hihg",
    "aproach",
    "zz_unknown",
    "Size",
    "NAME",
    "",
    "null",
    "x.y",
    "items[0]",
]


def _nodes(obj: Any, path: str = "") -> list[tuple[Any, Any, str]]:
    """(container, key, path) for every node below ``obj``."""
    out = []
    pairs = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    )
    for key, value in pairs:
        sub = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
        out.append((obj, key, sub))
        out.extend(_nodes(value, sub))
    return out


def _is_required(path: str) -> bool:
    """Paths whose deletion always makes the scenario invalid."""
    last = path.rsplit(".", 1)[-1]
    if path in ("name", "start_date", "team", "items", "team.size"):
        return True
    if path.startswith("items[") and last in ("id", "effort") and path.count(".") == 1:
        return True
    return ".effort." in path and last in (
        "dist",
        "low",
        "mode",
        "high",
        "mean",
        "sd",
        "median",
        "p90",
        "samples",
    )


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    d = copy.deepcopy(draw(scenario_data()))
    kind = draw(st.sampled_from(["replace", "delete", "unknown_key"]))
    nodes = _nodes(d)
    if kind == "replace":
        container, key, path = draw(st.sampled_from(nodes))
        container[key] = draw(BAD_VALUES)
    elif kind == "delete":
        required = [n for n in nodes if isinstance(n[0], dict) and _is_required(n[2])]
        container, key, path = draw(st.sampled_from(required))
        del container[key]
    else:
        maps = [(d, None, "")] + [(c[k], k, p) for c, k, p in nodes if isinstance(c[k], dict)]
        target, _, where = draw(st.sampled_from(maps))
        key = draw(st.sampled_from(UNKNOWN_KEYS))
        target[key] = draw(st.one_of(st.just(1), BAD_VALUES))
        path = f"{where}.{key}" if where else key
    return kind, d, path


def _load(d: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", parse_scenario(d)
    except ScenarioError as exc:
        assert exc.problems, exc
        assert all(p and m for p, m in exc.problems), exc.problems
        return "error", exc


@settings(max_examples=examples(400), **SETTINGS)
@given(mutations())
def test_mutated_scenarios_fail_cleanly(case: tuple[str, dict[str, Any], str]):
    """A broken scenario is a ScenarioError (or still valid and runnable), nothing else."""
    kind, d, path = case
    event(f"mutated:{kind}")
    outcome, value = _load(d)
    try:
        text = yaml.safe_dump(d, allow_unicode=True)
    except (yaml.YAMLError, OverflowError, ValueError):
        text = None
    if text is not None:
        try:
            from_text = load_scenario_text(text, source="mutated.yaml")
            text_outcome = "ok"
        except ScenarioError:
            text_outcome = "error"
        assert text_outcome == outcome, (outcome, text_outcome)
        if outcome == "ok":
            assert from_text == value
    if kind in ("delete", "unknown_key"):
        assert outcome == "error", f"{kind} at {path} was accepted"
    if kind == "unknown_key":
        where = path[: len(path) - len(path.rsplit(".", 1)[-1])].rstrip(".")
        assert any(p.startswith(where) for p, _ in value.problems), (path, value.problems)
    if outcome == "ok":
        event("mutated:still valid")
        res = run(value, runs=2, seed=1, workers=1)
        assert len(res.runs) == 2
    else:
        event("mutated:rejected")


# ------------------------------------------- engine bugs found by these tests
# Each input is also refused by the schema, so no file can reach it; these
# tests bypass validation with ``model_copy`` and check that the engine itself
# copes (defence in depth: the Python API accepts hand-built scenarios).
BASE_DATA: dict[str, Any] = {
    "name": "t",
    "start_date": "2027-01-04",
    "team": {"size": 2},
    "items": [{"id": "a", "effort": 3}],
}


def _tiny() -> Scenario:
    return parse_scenario(
        {
            "name": "t",
            "start_date": "2027-01-04",
            "team": {"size": 2},
            "items": [{"id": "a", "effort": 3, "value": {"per_week": 100}}],
        }
    )


def test_engine_made_ids_do_not_satisfy_user_dependencies():
    """A creep item the engine names 'creep-1' must not release the dependents of a
    planned item with that id."""
    sc = parse_scenario(
        {
            "name": "t",
            "start_date": "2027-01-04",
            "team": {"size": 2},
            "items": [
                {"id": "slow", "effort": 30},
                {"id": "b", "effort": 1, "depends_on": ["slow"]},
            ],
            "scope": {"creep": {"rate_per_week": 3, "effort": 0.5}},
        }
    )
    slow = sc.items[0].model_copy(update={"id": "creep-1"})
    b = sc.items[1].model_copy(update={"depends_on": ("creep-1",)})
    bad = sc.model_copy(update={"items": (slow, b)})
    items = run(bad, runs=1, seed=1, workers=1).items
    planned = items[items["source"] == "planned"].set_index("id")
    assert planned.loc["b", "start_day"] >= planned.loc["creep-1", "done_day"]


def test_engine_survives_a_denormal_release_cadence():
    sc = _tiny().model_copy(
        update={
            "delivery": parse_scenario(
                {**BASE_DATA, "delivery": {"approach": "incremental"}}
            ).delivery.model_copy(update={"release_every_days": 5e-324})
        }
    )
    items = run(sc, runs=1, seed=1, workers=1).items
    # A cadence too short to count releases every moment: live when done.
    assert items.loc[0, "live_day"] == pytest.approx(items.loc[0, "done_day"]), items


def test_engine_value_is_finite_for_a_denormal_bass_q():
    sc = _tiny()
    adoption = sc.value.adoption.model_copy(update={"model": "bass", "p": 0.25, "q": 5e-324})
    bad = sc.model_copy(update={"value": sc.value.model_copy(update={"adoption": adoption})})
    no_q = sc.model_copy(
        update={
            "value": sc.value.model_copy(
                update={"adoption": adoption.model_copy(update={"q": 0.0})}
            )
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        value = run(bad, runs=1, seed=1, workers=1).runs["value"].iloc[0]
    # q/p ~ 1e-323 is pure innovation: the same value as q = 0, and finite.
    assert np.isfinite(value)
    assert value == pytest.approx(run(no_q, runs=1, seed=1, workers=1).runs["value"].iloc[0])


def test_engine_summary_survives_dates_past_year_9999():
    sc = _tiny().model_copy(update={"start_date": dt.date(9999, 6, 1)})
    sc = sc.model_copy(
        update={
            "items": (
                sc.items[0].model_copy(
                    update={"effort": sc.items[0].effort.model_copy(update={"value": 300.0})}
                ),
            )
        }
    )
    delivery = run(sc, runs=1, seed=1, workers=1).summary()["delivery"]
    # One person does the 300-day item: it ends past 9999-12-31, a day but no date.
    assert delivery["p50_day"] == pytest.approx(300.0)
    assert delivery["p50_date"] is None


def test_value_pass_emits_no_runtime_warning():
    sc = parse_scenario(
        {
            "name": "t",
            "start_date": "2027-01-04",
            "team": {"size": 2},
            "items": [
                {"id": "a", "effort": 1, "value": {"per_week": 10}},
                {"id": "b", "effort": 1, "value": {"per_week": 10}},
            ],
            "iteration": {"misfit_probability": 1, "feedback_lag_days": 5200},
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        run(sc, runs=1, seed=1, workers=1)
