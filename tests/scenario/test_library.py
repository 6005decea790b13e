"""The scenario library: every file loads and runs, and every stated lesson holds.

Each library description ends with a lesson ("The lesson: ..."). The tests
below turn each lesson into a direction of change between a base and a
variant, run both under the same seeds (common random numbers, so the paired
difference is the effect of the change, not luck) and check the direction
with the paired 90% confidence interval.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from simulation import Scenario, compare, load_scenario, run
from simulation.cli import main
from simulation.scenario.changes import (
    SetField,
    apply_changes,
    variant_base,
    variant_changes,
    variant_descriptions,
)
from simulation.scenario.library import (
    LIBRARY_DIR,
    lesson_of,
    library_files,
    list_library,
    sentences,
)

#: Replications for the direction-of-change checks (enough for tight paired intervals).
RUNS = 400
SEED = 42

FILES = library_files()


def path(name: str) -> Path:
    return LIBRARY_DIR / name


@functools.cache
def deltas(base: str, variant: str, *, standard_urgency: bool = False) -> dict[str, dict]:
    """Paired differences variant - base: {metric: {mean, low, high}} (90% CI of the mean)."""
    scenarios = {"base": load_scenario(path(base)), "variant": load_scenario(path(variant))}
    if standard_urgency:
        flat = SetField(path="value.urgency.profile", value="standard")
        scenarios = {k: flat.apply(v) for k, v in scenarios.items()}
    cmp = compare(scenarios, runs=RUNS, seed=SEED, workers=1)
    return {
        row.metric: {"mean": row.mean, "low": row.ci_low, "high": row.ci_high}
        for row in cmp.deltas.itertuples()
    }


@functools.cache
def summary(name: str) -> dict:
    return run(load_scenario(path(name)), runs=RUNS, seed=SEED, workers=1).summary()


def up(d: dict, metric: str) -> bool:
    """The variant is higher: the whole 90% interval of the paired mean is above 0."""
    return d[metric]["low"] > 0


def down(d: dict, metric: str) -> bool:
    return d[metric]["high"] < 0


def show(d: dict) -> str:
    return ", ".join(
        f"{k} {v['mean']:+.3g} [{v['low']:+.3g}, {v['high']:+.3g}]" for k, v in d.items()
    )


# ---------------------------------------------------------------- the files
def test_library_is_big_enough_and_mixes_bases_and_variants():
    """At least eight scenarios, several bases, and variants that extend them."""
    rows = list_library()
    kinds = [r["kind"] for r in rows]
    assert len(rows) >= 8, f"the library should hold at least 8 scenarios, has {len(rows)}"
    assert "invalid" not in kinds, [r for r in rows if r["kind"] == "invalid"]
    assert kinds.count("base") >= 3 and kinds.count("variant") >= 5, kinds
    names = [r["name"] for r in rows]
    assert len(set(names)) == len(names), "two library scenarios share a name"


@pytest.mark.parametrize("file", FILES, ids=lambda p: p.name)
def test_every_file_validates_and_runs(file):
    """Each file loads (variants through their base) and simulates both lenses."""
    sc = load_scenario(file)
    res = run(sc, runs=30, seed=1, workers=1)
    s = res.summary()
    assert s["delivery"]["undelivered_runs"] == 0, f"{file.name}: some runs never deliver"
    assert s["delivery"]["p50_day"] > 0 and s["value"]["npv_mean"] is not None
    assert s["delivery"]["on_time_probability"] is not None, f"{file.name} needs a deadline"
    assert sc.value.outcome.by is not None, f"{file.name} needs an outcome date"


@pytest.mark.parametrize("file", FILES, ids=lambda p: p.name)
def test_every_description_tells_situation_and_lesson(file):
    """2-4 sentences: the situation, then the lesson."""
    row = next(r for r in list_library() if r["file"] == file.name)
    n = len(sentences(row["description"]))
    assert 2 <= n <= 4, f"{file.name}: description has {n} sentences"
    assert row["lesson"], f"{file.name}: the description must state 'The lesson: ...'"
    assert row["summary"] and len(row["summary"]) < len(row["description"])


@pytest.mark.parametrize(
    "file", [f for f in FILES if "extends" in f.read_text()], ids=lambda p: p.name
)
def test_every_variant_lists_its_changes(file):
    """A variant's differences are explicit: at least one change, each with a description."""
    lines = variant_descriptions(file)
    assert lines and all(lines), f"{file.name}: a variant must list what it changes"
    base = load_scenario(variant_base(file))
    assert apply_changes(base, variant_changes(file)).model_dump(
        exclude={"name", "description"}
    ) == load_scenario(file).model_dump(exclude={"name", "description"}), (
        "variant_changes must rebuild the variant"
    )


# -------------------------------------------------------------- the lessons
def test_supply_chain_base_is_uncertain_on_both_lenses():
    """The baseline is a real question: neither lens is a foregone conclusion (40-80%)."""
    s = summary("supply-chain.yaml")
    on_time = s["delivery"]["on_time_probability"]
    outcome = s["value"]["outcome_probability"]
    assert 0.4 <= on_time <= 0.8, f"on-time probability {on_time} is not interesting"
    assert 0.4 <= outcome <= 0.8, f"outcome probability {outcome} is not interesting"


def test_big_bang_delays_first_value_and_the_outcome():
    """Same backlog as one launch: first value later, outcome less likely, the date
    itself no worse on the project lens."""
    d = deltas("supply-chain.yaml", "supply-chain-big-bang.yaml")
    assert up(d, "first_value_day"), show(d)
    assert d["first_value_day"]["mean"] > 40, "first value should come months later"
    assert down(d, "outcome"), show(d)
    assert d["on_time"]["mean"] >= 0, "the project lens should not look worse: " + show(d)


def test_late_request_costs_date_and_buys_value():
    """A request accepted on day 30: delivery later and less often on time, NPV higher."""
    d = deltas("supply-chain.yaml", "supply-chain-late-request.yaml")
    assert up(d, "delivery_day") and down(d, "on_time"), show(d)
    assert up(d, "npv"), show(d)


def test_freeze_protects_the_date_and_gives_up_the_value():
    """Freezing on day 20 delivers earlier than accepting the request, with less value."""
    d = deltas("supply-chain-late-request.yaml", "supply-chain-late-request-frozen.yaml")
    assert down(d, "delivery_day") and up(d, "on_time"), show(d)
    assert down(d, "value") and down(d, "npv"), show(d)


def test_skipping_change_control_saves_little_and_keeps_the_slip():
    """Without change control: a little cheaper and no later on average, but the
    saving is a day per change, not weeks, and the slip against the base remains."""
    d = deltas("supply-chain-late-request.yaml", "supply-chain-late-request-no-control.yaml")
    assert down(d, "cost"), show(d)
    assert -3 < d["delivery_day"]["mean"] <= 0, show(d)
    slip = deltas("supply-chain.yaml", "supply-chain-late-request-no-control.yaml")
    assert up(slip, "delivery_day"), "the slip itself must remain: " + show(slip)


def test_risk_register_hits_the_outcome_harder_than_the_date():
    """More and likelier risks: both lenses drop, the outcome more than on-time."""
    d = deltas("supply-chain.yaml", "supply-chain-vendor-risks.yaml")
    assert down(d, "on_time") and up(d, "delivery_day"), show(d)
    assert d["outcome"]["mean"] < d["on_time"]["mean"] < 0, show(d)


def test_unmanaged_creep_keeps_moving_the_date():
    """About one accepted request a week: delivery at least two weeks later on average."""
    d = deltas("supply-chain.yaml", "supply-chain-creep.yaml")
    assert up(d, "delivery_day") and d["delivery_day"]["mean"] > 10, show(d)
    assert down(d, "on_time"), show(d)


def test_change_control_with_a_freeze_holds_the_date():
    """The same stream with change control and a freeze: earlier, minus the small value."""
    d = deltas("supply-chain-creep.yaml", "supply-chain-creep-controlled.yaml")
    assert down(d, "delivery_day") and up(d, "on_time"), show(d)
    assert down(d, "value"), show(d)


def test_brooks_late_addition_is_not_earlier_and_costs_more():
    """Two people on day 35 with ramp-up and mentoring: not earlier, more expensive."""
    d = deltas("onboarding.yaml", "onboarding-people-late.yaml")
    assert d["delivery_day"]["low"] >= 0, "a late addition must not bring the date in: " + show(d)
    assert up(d, "cost"), show(d)


def test_the_same_people_early_do_help():
    """The same two people on day 0: earlier than the base and than the late addition."""
    early = deltas("onboarding.yaml", "onboarding-people-early.yaml")
    assert down(early, "delivery_day") and up(early, "on_time"), show(early)
    versus = deltas("onboarding-people-late.yaml", "onboarding-people-early.yaml")
    assert down(versus, "delivery_day"), show(versus)


def test_requirements_met_but_outcome_missed():
    """Big bang from a frozen spec: the project is usually on time, the outcome usually missed."""
    s = summary("stock-pipeline.yaml")
    on_time = s["delivery"]["on_time_probability"]
    outcome = s["value"]["outcome_probability"]
    assert on_time >= 0.6, f"the project should usually close on time (got {on_time})"
    assert outcome <= 0.3, f"the outcome should usually be missed (got {outcome})"


def test_iterating_with_users_trades_date_for_outcome():
    """Incremental releases with quick feedback: later closure, outcome far likelier,
    first value earlier."""
    d = deltas("stock-pipeline.yaml", "stock-pipeline-iterative.yaml")
    assert up(d, "delivery_day"), show(d)
    assert up(d, "outcome") and d["outcome"]["mean"] > 0.3, show(d)
    assert down(d, "first_value_day"), show(d)


def test_data_trust_work_pays_back():
    """Reconciliation and data owners: outcome and NPV up, the date no later."""
    d = deltas("finance-warehouse.yaml", "finance-warehouse-stewardship.yaml")
    assert up(d, "outcome") and up(d, "npv"), show(d)
    assert d["delivery_day"]["high"] <= 0, show(d)


def test_value_window_rewards_cutting_scope():
    """Dropping nice-to-haves launches earlier and raises NPV inside the value window;
    the same cut lowers NPV when the value does not expire."""
    window = deltas("grant-portal.yaml", "grant-portal-core-only.yaml")
    assert down(window, "delivery_day") and up(window, "npv"), show(window)
    flat = deltas("grant-portal.yaml", "grant-portal-core-only.yaml", standard_urgency=True)
    assert down(flat, "npv"), "without the window the cut should lose value: " + show(flat)


# ----------------------------------------------------------------- the CLI
def test_cli_list_shows_kind_name_and_situation(capsys):
    """`list` prints one entry per file: kind, file, name, and the first sentence."""
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for row in list_library():
        line = next((ln for ln in out.splitlines() if f" {row['file']} " in ln), None)
        assert line is not None, f"{row['file']} is missing from `list`"
        assert line.startswith(row["kind"]) and row["name"] in line, line
    assert "(extends supply-chain.yaml)" in out


def test_cli_list_of_a_missing_folder_is_bad_input(capsys, tmp_path):
    assert main(["list", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_cli_compare_prints_changes_above_deltas(capsys):
    """`compare` lists each variant's changes, then its paired differences."""
    code = main(
        [
            "compare",
            str(path("supply-chain.yaml")),
            str(path("supply-chain-late-request-frozen.yaml")),
            "--runs",
            "40",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    block = out[out.index("=== Supply chain, late request after a scope freeze") :]
    lines = block.splitlines()
    assert lines[1] == (
        "  * Adds 'Near-real-time stock refresh' (8-25 person-days, 2,500/week) on day 30"
    ), lines[1]
    assert lines[2] == "  * Freezes scope on day 20: later requests wait until after closure"
    assert lines[3].lstrip().startswith("Delivery"), "the deltas follow the change list"


def test_library_scenarios_are_immutable_after_load():
    """Scenarios from the library are frozen: a what-if can only make a new one."""
    sc: Scenario = load_scenario(path("supply-chain.yaml"))
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        sc.name = "changed"  # type: ignore[misc]


def test_lesson_and_summary_extraction():
    """`list` and the dashboard show the first sentence and the lesson."""
    text = "A team builds it. It is late. The lesson: watch both lenses."
    assert sentences(text) == ["A team builds it.", "It is late.", "The lesson: watch both lenses."]
    assert lesson_of(text) == "Watch both lenses."
    assert lesson_of("No lesson here.") == ""
