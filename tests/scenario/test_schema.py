"""Validation messages: exact field paths and words a person can act on.

Every problem is a :class:`ScenarioError` whose text is ``path: message`` (e.g.
``items[2].effort.high: must be >= mode``) and whose ``problems`` lists every
``(path, message)`` found, so a form can show each next to its field.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from simulation import ScenarioError, load_scenario, load_scenario_text, scenario_to_yaml
from simulation.scenario.distributions import (
    MAX_PARAMETER,
    PARAMETERS,
    Distribution,
    as_distribution,
)
from simulation.scenario.schema import (
    MAX_CREEP_ITEMS,
    MAX_TABLE_ROWS,
    check_run_size,
    parse_scenario,
)
from simulation.scenario.yamlio import parse_yaml_text

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"

BASE: dict[str, Any] = {
    "name": "Schema test",
    "start_date": "2027-01-04",
    "team": {"size": 3},
    "items": [
        {"id": "ingest", "effort": 5},
        {
            "id": "model",
            "effort": {"dist": "triangular", "low": 1, "mode": 2, "high": 4},
            "depends_on": ["ingest"],
        },
        {
            "id": "report",
            "effort": {"dist": "pert", "low": 2, "mode": 3, "high": 5},
            "depends_on": ["model"],
        },
    ],
}


def data(**sections: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    out.update(copy.deepcopy(sections))
    return out


def error(d: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(d)
    return info.value


def message(d: dict[str, Any]) -> str:
    return str(error(d))


def with_item(index: int, **fields: Any) -> dict[str, Any]:
    d = data()
    d["items"][index].update(fields)
    return d


# ------------------------------------------------------------- exact paths
def test_design_example_message_is_exact():
    """The reference's own example (docs/reference/scenario-file.md):
    ``items[2].effort.high: must be >= mode``."""
    d = with_item(2, effort={"dist": "pert", "low": 2, "mode": 3, "high": 2.5})
    assert message(d) == "items[2].effort.high: must be >= mode"
    assert error(d).problems == [("items[2].effort.high", "must be >= mode")]


def test_source_prefix_names_the_file():
    d = with_item(2, effort={"dist": "pert", "low": 2, "mode": 3, "high": 2.5})
    with pytest.raises(ScenarioError) as info:
        parse_scenario(d, source="plan.yaml")
    assert str(info.value) == "plan.yaml: items[2].effort.high: must be >= mode"


def test_every_problem_is_listed_with_its_path():
    d = data(team={"size": 0, "focus": 2})
    d["items"][0]["effort"] = -1
    err = error(d)
    paths = [p for p, _ in err.problems]
    assert paths == ["team.size", "team.focus", "items[0].effort"]
    assert str(err).startswith("team.size: must be >= 1 (the minimum), got 0")
    assert str(err).endswith("(and 2 more problems)")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"team": {"size": 3, "focus": 1.5}}, "team.focus: must be <= 1 (the limit), got 1.5"),
        (
            {"team": {"size": 3, "changes": [{"at_day": -1, "add": 1}]}},
            "team.changes[0].at_day: must be >= 0 (the minimum), got -1",
        ),
        (
            {"delivery": {"approach": "incremental", "release_every_days": 0}},
            "delivery.release_every_days: must be >= 0.1 (the minimum), got 0",
        ),
        (
            {"value": {"adoption": {"model": "linear", "weeks": 2000}}},
            "value.adoption.weeks: must be <= 1040 (the limit), got 2000",
        ),
        (
            {
                "risks": [
                    {
                        "id": "r",
                        "probability": 1.5,
                        "window": [0, 5],
                        "impact": {"kind": "blocker", "days": 2},
                    }
                ]
            },
            "risks[0].probability: must be <= 1 (the limit), got 1.5",
        ),
        (
            {"scope": {"changes": [{"at_day": 5, "resize": [{"id": "model"}]}]}},
            "scope.changes[0].resize[0]: give exactly one of 'factor' or 'effort'",
        ),
        (
            {"simulation": {"runs": 0}},
            "simulation.runs: must be a whole number from 1 to 100,000 or 'auto', got the number 0",
        ),
        (
            {"simulation": {"runs": "lots"}},
            "simulation.runs: must be a whole number from 1 to 100,000 or 'auto', "
            "got the text 'lots'",
        ),
    ],
)
def test_nested_paths(section: dict[str, Any], expected: str):
    assert message(data(**section)) == expected


def test_scheduled_addition_paths():
    d = data(
        scope={
            "changes": [
                {
                    "at_day": 10,
                    "add": [{"id": "extra", "effort": {"dist": "uniform", "low": 5, "high": 1}}],
                }
            ]
        }
    )
    assert message(d) == "scope.changes[0].add[0].effort.high: must be >= low"


# --------------------------------------------------------- distributions
@pytest.mark.parametrize(
    ("kind", "missing"), [(k, p) for k, params in PARAMETERS.items() for p in params]
)
def test_each_distribution_kind_requires_its_parameters(kind: str, missing: str):
    full = {
        "value": 3,
        "low": 1,
        "mode": 2,
        "high": 4,
        "mean": 3,
        "sd": 1,
        "median": 3,
        "p90": 6,
        "samples": [1, 2, 3],
    }
    effort = {"dist": kind, **{p: full[p] for p in PARAMETERS[kind] if p != missing}}
    assert message(with_item(0, effort=effort)) == f"items[0].effort.{missing}: required for {kind}"


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("fixed", {"value": 3}),
        ("triangular", {"low": 1, "mode": 2, "high": 4}),
        ("pert", {"low": 1, "mode": 2, "high": 4}),
        ("uniform", {"low": 1, "high": 4}),
        ("normal", {"mean": 3, "sd": 1}),
        ("lognormal", {"median": 3, "p90": 6}),
        ("exponential", {"mean": 3}),
        ("empirical", {"samples": [1, 2, 3]}),
    ],
)
def test_each_distribution_kind_accepts_its_parameters(kind: str, params: dict[str, Any]):
    dist = Distribution.model_validate({"dist": kind, **params})
    assert dist.dist == kind
    assert 0 <= dist.lowest() <= dist.expected()


@pytest.mark.parametrize(
    ("effort", "expected"),
    [
        ({"dist": "triangular", "low": 3, "mode": 2, "high": 4}, "mode: must be >= low"),
        ({"dist": "uniform", "low": 3, "high": 2}, "high: must be >= low"),
        (
            {"dist": "normal", "mean": 0, "sd": 1},
            "mean: must be > 0 (the normal is truncated at 0)",
        ),
        ({"dist": "normal", "mean": 3, "sd": -1}, "sd: must be >= 0"),
        ({"dist": "lognormal", "median": 0, "p90": 1}, "median: must be > 0"),
        ({"dist": "lognormal", "median": 3, "p90": 2}, "p90: must be >= median"),
        ({"dist": "empirical", "samples": []}, "samples: needs at least one sample"),
        (
            {"dist": "empirical", "samples": 5},
            "samples: expected a list of numbers, got the number 5",
        ),
        (
            {"dist": "empirical", "samples": [1, "x"]},
            "samples[1]: expected a number, got the text 'x'",
        ),
        (
            {"dist": "exponential", "mean": MAX_PARAMETER * 2},
            f"mean: must be <= {MAX_PARAMETER:,} (the limit for a distribution parameter",
        ),
        (
            {"dist": "triangular", "low": 1, "mode": 2, "hihg": 4},
            "hihg: not a parameter of triangular (it takes low, mode, high); did you mean 'high'?",
        ),
        (
            {"dist": "trinagular", "low": 1, "mode": 2, "high": 4},
            "dist: unknown distribution 'trinagular': use one of fixed, triangular",
        ),
        ({"dist": 5}, "dist: unknown distribution the number 5"),
        ({"low": 1, "high": 4}, "a distribution needs 'dist'"),
        ({"dist": "uniform", "low": True, "high": 4}, "low: expected a number, got true/false"),
        ("five", "expected a number, or a mapping such as {dist: triangular"),
        ([1, 2, 3], "got a list"),
        (True, "got true/false"),
        (None, "got nothing"),
    ],
)
def test_distribution_messages(effort: Any, expected: str):
    text = message(with_item(0, effort=effort))
    prefix = "items[0].effort"
    assert text.startswith(prefix), text
    assert expected in text, text


def test_dist_without_kind_suggests_the_matching_kinds():
    text = message(with_item(0, effort={"low": 1, "mode": 2, "high": 4}))
    assert "add 'dist: triangular' or 'dist: pert'" in text


def test_numbers_written_as_text_are_numbers():
    """YAML 1.1 reads ``1e3`` as text; a distribution takes it as the number."""
    sc = parse_scenario(with_item(0, effort="1e3"))
    assert sc.items[0].effort.expected() == 1000
    assert as_distribution(" 2.5 ").expected() == 2.5
    with pytest.raises(ScenarioError, match="must be a finite number"):
        as_distribution("nan")


# ------------------------------------------------------------ unknown keys
@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (data(teem={"size": 3}), "teem: unknown key; did you mean 'team'?"),
        (data(team={"size": 3, "focsu": 1}), "team.focsu: unknown key; did you mean 'focus'?"),
        (
            with_item(1, dependson=["ingest"]),
            "items[1].dependson: unknown key; did you mean 'depends_on'?",
        ),
        (
            data(delivery={"aproach": "big_bang"}),
            "delivery.aproach: unknown key; did you mean 'approach'?",
        ),
        (
            data(value={"adoption": {"modle": "bass"}}),
            "value.adoption.modle: unknown key; did you mean 'model'?",
        ),
        (
            data(iteration={"rework_prob": 0.1}),
            "iteration.rework_prob: unknown key; did you mean 'rework_probability'?",
        ),
    ],
)
def test_unknown_keys_suggest_the_closest(d: dict[str, Any], expected: str):
    assert message(d) == expected


def test_unknown_key_without_a_close_match_lists_the_known_keys():
    text = message(data(team={"size": 3, "zzzz": 1}))
    assert text.startswith("team.zzzz: unknown key; known keys: ")
    assert "cost_per_person_day" in text and "wip_limit" in text


def test_enum_values_suggest_the_closest():
    assert message(data(delivery={"approach": "bigbang"})) == (
        "delivery.approach: must be one of 'continuous', 'incremental' or 'big_bang', got the "
        "text 'bigbang'; did you mean 'big_bang'?"
    )
    assert "did you mean 'Mon'?" in message(data(calendar={"workdays": ["Monday"]}))


# ------------------------------------------------------------- references
def test_cycle_is_named_in_order():
    d = with_item(0, depends_on=["report"])
    assert message(d) == (
        "items[0].depends_on: dependency cycle ingest -> report -> model -> ingest"
    )


def test_cycle_through_a_scheduled_addition():
    d = data(
        scope={
            "changes": [
                {"at_day": 5, "add": [{"id": "late", "effort": 2, "depends_on": ["report"]}]}
            ]
        }
    )
    d["items"][0]["depends_on"] = ["late"]
    text = message(d)
    assert "dependency cycle" in text
    for item_id in ("ingest", "late", "report", "model"):
        assert item_id in text


def test_missing_dependency_suggests_the_closest_id():
    assert (
        message(with_item(2, depends_on=["modle"]))
        == "items[2].depends_on[0]: no item has id 'modle'; did you mean 'model'?"
    )


def test_self_dependency_and_duplicate_ids():
    assert (
        message(with_item(0, depends_on=["ingest"]))
        == "items[0].depends_on[0]: an item cannot depend on itself"
    )
    assert message(with_item(2, id="model")) == "items[2].id: 'model' is already used by items[1]"


def test_every_cross_field_problem_is_reported_at_once():
    """A duplicate id, an unknown dependency and a cycle: all three, each at its path."""
    d = data()
    d["items"][2]["id"] = "ingest"  # duplicate of items[0]
    d["items"][0]["depends_on"] = ["nowhere"]
    d["risks"] = [
        {
            "id": "r",
            "probability": 0.5,
            "impact": {"kind": "extra_work", "items": ["ghost"], "effort": 1},
        },
        {
            "id": "r",
            "probability": 0.5,
            "impact": {"kind": "extra_work", "items": ["model"], "effort": 1},
        },
    ]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(d)
    paths = [p for p, _ in info.value.problems]
    assert paths == [
        "items[2].id",
        "items[0].depends_on[0]",
        "risks[0].impact.items[0]",
        "risks[1].id",
    ], info.value.problems
    assert str(info.value).endswith("(and 3 more problems)")


def test_a_cycle_is_reported_beside_an_unknown_dependency():
    d = data()
    d["items"][0]["depends_on"] = ["report"]  # ingest -> report -> model -> ingest
    d["items"][2]["depends_on"] = ["model", "modle"]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(d)
    messages = dict(info.value.problems)
    assert "did you mean 'model'" in messages["items[2].depends_on[1]"]
    assert any("dependency cycle" in m for m in messages.values()), messages


def test_ids_must_be_plain():
    text = message(with_item(0, id="data ingest"))
    assert text.startswith("items[0].id: the text 'data ingest' is not a valid id: use 1-64")
    assert "put it in quotes" in message(with_item(0, id=7))


def test_risk_and_scope_references():
    risk = {
        "id": "dq",
        "probability": 0.4,
        "impact": {"kind": "extra_work", "items": ["ingets"], "effort": 3},
    }
    assert (
        message(data(risks=[risk]))
        == "risks[0].impact.items[0]: no item has id 'ingets'; did you mean 'ingest'?"
    )
    assert (
        message(data(scope={"changes": [{"at_day": 4, "remove": ["reprot"]}]}))
        == "scope.changes[0].remove[0]: no item has id 'reprot'; did you mean 'report'?"
    )
    blocker = {"id": "env", "probability": 0.3, "impact": {"kind": "blocker", "days": 5}}
    assert message(data(risks=[blocker])).startswith("risks[0].window: required for a blocker")
    both = {**blocker, "window": [0, 5], "impact": {"kind": "blocker", "days": 5, "people": 2}}
    assert message(data(risks=[both])) == "risks[0].impact.people: not used by kind blocker"


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2027-02-30",
            "start_date: '2027-02-30' is not a real date (day is out of range for month)",
        ),
        (
            "next tuesday",
            "start_date: expected a date like 2027-01-04, got the text 'next tuesday'",
        ),
        (20270104, "start_date: expected a date like 2027-01-04, got the number 20270104"),
        (0, "start_date: expected a date like 2027-01-04, got the number 0"),
        (True, "start_date: expected a date like 2027-01-04, got true/false"),
        (
            dt.datetime(2027, 1, 4, 9, 30),
            "start_date: expected a date without a time of day, like 2027-01-04",
        ),
        ("9999-06-01", "start_date: must be between 1900-01-01 and 2199-12-31, got 9999-06-01"),
        ("1066-10-14", "start_date: must be between 1900-01-01 and 2199-12-31, got 1066-10-14"),
    ],
)
def test_date_messages(value: Any, expected: str):
    assert message(data(start_date=value)) == expected


def test_dates_accepted_as_yaml_dates_text_or_midnight_timestamps():
    for value in ("2027-01-04", dt.date(2027, 1, 4), dt.datetime(2027, 1, 4), " 2027-01-04 "):
        assert parse_scenario(data(start_date=value)).start_date == dt.date(2027, 1, 4)


def test_date_order_and_other_date_fields():
    assert (
        message(data(deadline="2026-12-31"))
        == "deadline: must be on or after start_date (2027-01-04)"
    )
    assert (
        message(data(value={"outcome": {"by": "2026-01-01"}}))
        == "value.outcome.by: must be on or after start_date (2027-01-04)"
    )
    assert (
        message(data(calendar={"holidays": ["2027-04-02", "2027-13-01"]}))
        == "calendar.holidays[1]: '2027-13-01' is not a real date (month must be in 1..12)"
    )
    assert (
        message(data(value={"urgency": {"profile": "fixed_date"}}))
        == "value.urgency.date: required for the fixed_date profile"
    )


def test_yaml_bad_date_reaches_the_schema_with_its_path():
    """PyYAML itself would crash on 2027-02-30; the loader keeps it as text instead."""
    assert parse_yaml_text("d: 2027-02-30") == {"d": "2027-02-30"}
    text = (
        "name: x\nstart_date: 2027-01-04\nteam: {size: 1}\nitems: [{id: a, effort: 1}]\n"
        "deadline: 2027-02-29\n"
    )
    with pytest.raises(ScenarioError, match=r"^up: deadline: '2027-02-29' is not a real date"):
        load_scenario_text(text, source="up")


# ------------------------------------------------------- types and numbers
@pytest.mark.parametrize(
    "path",
    [
        "team.focus",
        "team.cost_per_person_day",
        "delivery.discovery_days",
        "iteration.rework_fraction",
        "value.discount_rate_annual",
        "value.adoption.q",
        "value.outcome.target_fraction",
    ],
)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused_everywhere(path: str, bad: float):
    section, *rest = path.split(".")
    d = data()
    node = d.setdefault(section, {})
    for key in rest[:-1]:
        node = node.setdefault(key, {})
    node[rest[-1]] = bad
    assert message(d).startswith(f"{path}: must be a finite number")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"team": {"size": True}}, "team.size: expected a number, got true/false"),
        ({"team": {"size": 3, "focus": True}}, "team.focus: expected a number, got true/false"),
        ({"team": {"size": "three"}}, "team.size: expected a whole number, got the text 'three'"),
        ({"team": {"size": 2.5}}, "team.size: expected a whole number, got the number 2.5"),
        ({"team": {"size": 10**30}}, "team.size: must be <= 500 (the limit)"),
        (
            {"team": {"size": 10**400}},
            "team.size: must be <= 500 (the limit), got a 401-digit number",
        ),
        ({"team": 3}, "team: expected a mapping (key: value pairs), got the number 3"),
        ({"items": {"id": "a"}}, "items: expected a list, got a mapping"),
        ({"items": []}, "items: needs at least 1 entry"),
        ({"name": 12345}, "name: expected text, got the number 12345"),
        ({"name": ""}, "name: must not be empty"),
        ({"name": "x" * 201}, "name: at most 200 characters (got 201)"),
        ({"value": {"horizon_weeks": 10.5}}, "value.horizon_weeks: expected a whole number"),
    ],
)
def test_type_messages(section: dict[str, Any], expected: str):
    assert message(data(**section)).startswith(expected)


def test_not_a_mapping_at_the_top():
    with pytest.raises(ScenarioError, match="must hold a mapping of sections, got a list"):
        parse_scenario([1, 2])


# ---------------------------------------------------------------- limits
def test_team_may_drop_to_zero_but_not_below():
    """0 people is allowed (work stops; the run is reported as not delivered)."""
    parse_scenario(data(team={"size": 2, "changes": [{"at_day": 5, "add": -2}]}))
    d = data(
        team={
            "size": 2,
            "changes": [
                {"at_day": 9, "add": -1},
                {"at_day": 5, "add": -1},
                {"at_day": 9, "add": -1},
            ],
        }
    )
    text = message(d)
    assert text.startswith(
        "team.changes[2].add: more people leave than are on the team: it "
        "would have -1 people from day 9"
    )


def test_same_day_staffing_changes_count_together():
    parse_scenario(
        data(team={"size": 1, "changes": [{"at_day": 5, "add": -2}, {"at_day": 5, "add": 3}]})
    )


def test_team_growth_limit_names_the_change():
    d = data(team={"size": 400, "changes": [{"at_day": 5, "add": 50}, {"at_day": 8, "add": 60}]})
    assert message(d) == (
        "team.changes[1].add: the team would grow to 510 people on day 8, more than the 500 limit"
    )
    assert "must not be 0" in message(data(team={"size": 3, "changes": [{"at_day": 1, "add": 0}]}))


def test_creep_volume_limit():
    weeks = 5200 / 5
    rate = round(MAX_CREEP_ITEMS / weeks + 0.5, 1)
    text = message(data(scope={"creep": {"rate_per_week": rate, "effort": 2}}))
    assert text.startswith("scope.creep.rate_per_week: ")
    assert f"{MAX_CREEP_ITEMS:,} limit" in text and "until_day" in text
    parse_scenario(data(scope={"creep": {"rate_per_week": rate, "effort": 2, "until_day": 200}}))


def test_run_size_limit():
    sc = parse_scenario(data())
    check_run_size(sc, 100_000)
    big = parse_scenario(data(value={"horizon_weeks": 1040}))
    with pytest.raises(ScenarioError, match=f"more than the {MAX_TABLE_ROWS:,} limit"):
        check_run_size(big, 100_000)
    assert "simulation.runs:" in message(
        data(value={"horizon_weeks": 1040}, simulation={"runs": 100_000})
    )


def test_list_limits_are_checked_before_the_entries():
    holidays = ["not a date"] * 5001
    assert (
        message(data(calendar={"holidays": holidays}))
        == "calendar.holidays: at most 5,000 entries (got 5,001)"
    )
    items = [{"id": f"i{k}", "effort": 1} for k in range(2001)]
    assert message(data(items=items)) == "items: at most 2,000 entries (got 2,001)"


# --------------------------------------------------------- YAML specifics
def test_duplicate_keys_are_named_with_their_path():
    text = (
        "name: x\nstart_date: 2027-01-04\nteam: {size: 1}\nitems:\n"
        "  - {id: a, effort: {dist: uniform, low: 1, high: 2, low: 3}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, source="f.yaml")
    assert str(info.value) == (
        "f.yaml: items[0].effort.low: duplicate key 'low' (first on line "
        "5); each key may appear only once (line 5)"
    )


def test_merge_keys_may_be_overridden():
    """``<<: *defaults`` then an explicit key is YAML's way to override, not a duplicate."""
    text = "defaults: &d {effort: 3, must_have: false}\n"
    data_ = parse_yaml_text(text + "x: {<<: *d, effort: 5}\n")
    assert data_["x"] == {"effort": 5, "must_have": False}


def test_dump_and_reload_round_trip():
    for path in sorted(LIBRARY.glob("*.yaml")):
        sc = load_scenario(path)
        again = load_scenario_text(scenario_to_yaml(sc), source=path.name)
        assert again == sc, path.name
