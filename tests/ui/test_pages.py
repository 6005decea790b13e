"""The dashboard through Streamlit's AppTest, plus its pure helpers (editor, levers, storage).

AppTest runs ``app.py`` in-process like a browser session would: every page
must load without an exception and show its key figures; the levers must move
the numbers the way the engine says; two sessions must never share a scenario;
and saving must be atomic, never overwrite without confirmation and only
write sanitised names. Runs are kept at 200 per scenario to stay fast.
"""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import editor, fmt, levers, saved_files
from simulation import (
    ScenarioError,
    compare,
    load_scenario,
    load_scenario_text,
    run,
    scenario_to_yaml,
)
from simulation.engine.drivers import driver_sentence
from simulation.scenario.library import list_library
from simulation.scenario.schema import parse_scenario
from tests.helpers import LIBRARY, ROOT, make_scenario, seen

APP = str(ROOT / "app.py")
FORECAST = "dashboard/pages/forecast.py"
WHATIF = "dashboard/pages/whatif.py"
SCENARIO = "dashboard/pages/scenario.py"
RUNS = 200
TIMEOUT_S = 60

#: Twelve independent items and a small team without a WIP limit: people matter.
PEOPLE_BOUND = (
    """
name: People-bound build
start_date: 2027-01-04
team: {size: 2, cost_per_person_day: 500}
items:
"""
    + "".join(
        f"""  - {{id: i{n}, effort: {{dist: triangular, low: 5, mode: 8, high: 12}},
      value: {{per_week: 1000}}}}
"""
        for n in range(12)
    )
    + """
simulation: {runs: 200, seed: 5}
"""
)


# ------------------------------------------------------------------ helpers
#: Every test saves into its own folder (tests/conftest.py), never into scenarios/user.
pytestmark = pytest.mark.usefixtures("user_dir")


def start(runs: int = RUNS, seed: int | None = None) -> AppTest:
    """A fresh session on the Scenario page, with ``runs`` simulated futures."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key=key(at, "runs")).set_value(runs).run()
    if seed is not None:
        at.number_input(key=key(at, "seed")).set_value(seed).run()
    return at


def key(at: AppTest, name: str) -> str:
    """The Scenario page's widget keys carry the editor version."""
    return f"sc_{name}_{at.session_state['editor_version']}"


def clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def upload(at: AppTest, text: str, name: str = "plan.yaml") -> AppTest:
    """Upload a file and, if the page asks before replacing edited work, confirm."""
    at.file_uploader(key="upload").set_value((name, text.encode(), "application/x-yaml"))
    return confirm_replace(at.run())


def confirm_replace(at: AppTest) -> AppTest:
    """Press "Replace it" when a load waits for confirmation (``start`` edits the runs)."""
    buttons = [b for b in at.button if b.key == "pending_replace"]
    return buttons[0].click().run() if buttons else at


def add_lever(at: AppTest, lever: str, **values) -> AppTest:
    """Pick a lever on the What-if page, fill its fields (by key suffix) and add it."""
    at.selectbox(key="lv_which").set_value(lever).run()
    for name, value in values.items():
        widget = next(w for w in _widgets(at) if w.key == f"lv_{name}")
        widget.set_value(value)
    next(b for b in at.button if b.label == "Add lever").click()
    return at.run()


def _widgets(at: AppTest):
    for kind in ("number_input", "text_input", "selectbox", "multiselect", "toggle", "checkbox"):
        yield from getattr(at, kind)


def comparison_table(at: AppTest):
    tables = [t.value for t in at.table if "P50 delivery" in t.value.columns]
    assert tables, "the comparison table is shown"
    return tables[-1]


# --------------------------------------------------------------- Scenario page
def test_scenario_page_opens_with_the_default_scenario():
    """`make run` opens with supply-chain.yaml loaded and nothing flagged as edited."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    clean(at, "Scenario page")
    sc = at.session_state["scenario"]
    assert sc == load_scenario(LIBRARY / "supply-chain.yaml"), "the library file, unchanged"
    assert not at.session_state["scenario_edited"], "showing a scenario does not edit it"
    assert any("Editing **Supply-chain analytics app**" in m.value for m in at.markdown)
    assert not at.error
    assert len(at.data_editor) == 2, "backlog and risks are editable tables"
    assert at.data_editor[0].value["id"].tolist() == [it.id for it in sc.items]


def test_field_edit_applies_at_once():
    at = start()
    at.number_input(key=key(at, "size")).set_value(8).run()
    clean(at, "after editing the team size")
    sc = at.session_state["scenario"]
    assert sc.team.size == 8 and sc.simulation.runs == RUNS
    assert at.session_state["scenario_edited"]


def test_invalid_edit_is_shown_next_to_its_section_and_not_applied():
    at = start()
    before = at.session_state["scenario"]
    v = at.session_state["editor_version"]
    at.session_state[f"items_editor_{v}"] = {
        "edited_rows": {2: {"high": 1.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    clean(at, "after an impossible effort")
    assert [e.value for e in at.error] == [
        "- items[2] (row 3, 'inventory'), high: must be >= likely"
    ], "the problem names the item, the table row, the id and the column, in words"
    assert at.session_state["scenario"] == before, "the last valid scenario stays in use"
    at.text_input(key=key(at, "name")).set_value("").run()
    clean(at, "after clearing the name")
    texts = " ".join(e.value for e in at.error)
    assert "Name:" in texts and "items[2] (row 3, 'inventory')" in texts, (
        "both problems, each in words"
    )
    at.switch_page(FORECAST).run()
    clean(at, "Forecast with a broken draft")
    assert any("last valid version" in w.value for w in at.warning)


def test_backlog_rows_can_be_added_and_deleted():
    at = start()
    v = at.session_state["editor_version"]
    at.session_state[f"items_editor_{v}"] = {
        "edited_rows": {},
        "deleted_rows": [7],
        "added_rows": [
            {
                "id": "export",
                "name": "CSV export",
                "dist": "fixed",
                "mode": 3.0,
                "value_per_week": 100.0,
            }
        ],
    }
    at.run()
    clean(at, "after adding and deleting rows")
    ids = [it.id for it in at.session_state["scenario"].items]
    assert "export" in ids and "mobile" not in ids
    new = at.session_state["scenario"].item("export")
    assert new.effort.dist == "fixed" and new.effort.value == 3.0 and new.must_have


def test_upload_loads_and_bad_uploads_explain_themselves():
    at = start()
    upload(at, scenario_to_yaml(make_scenario(name="Tiny upload")), "tiny.yaml")
    clean(at, "after a good upload")
    assert at.session_state["scenario"].name == "Tiny upload"
    assert "upload tiny.yaml" in at.session_state["scenario_origin"]

    upload(at, "name: x\nstart_date: 2027-01-04\nteam: {size: 0}\nitems: []\n", "bad.yaml")
    clean(at, "after a bad upload")
    message = " ".join(seen(e) for e in at.error)
    assert "bad.yaml" in message and "team.size" in message, message
    assert at.session_state["scenario"].name == "Tiny upload", "the bad file changed nothing"

    upload(at, "extends: supply-chain.yaml\nname: sneaky\nchanges: []\n", "variant.yaml")
    clean(at, "after an upload that extends a server file")
    assert "extends" in " ".join(seen(e) for e in at.error)
    assert at.session_state["scenario"].name == "Tiny upload"

    upload(at, "a: [unclosed\n", "broken.yaml")
    clean(at, "after a file that is not YAML")
    assert "not valid YAML" in " ".join(seen(e) for e in at.error)


def test_saved_scenarios_are_listed_and_load(user_dir):
    saved_files.save_text(scenario_to_yaml(make_scenario(name="My saved plan")), "my plan")
    at = start()
    picker = at.selectbox(key="library_pick")
    assert "Saved: my-plan" in picker.options, picker.options
    picker.set_value("Saved: my-plan").run()
    confirm_replace(at.button(key="library_load").click().run())
    clean(at, "after loading a saved scenario")
    assert at.session_state["scenario"].name == "My saved plan"
    assert at.session_state["editor_version"] == 2, "the editors start afresh"


def test_loading_over_unsaved_work_asks_first_and_keeps_it_on_cancel():
    """Edits and variants are never thrown away by a load without the user saying so."""
    at = start()
    at.number_input(key=key(at, "size")).set_value(7).run()
    at.switch_page(WHATIF).run()
    add_lever(at, "delay_start", delay=10.0)
    at.switch_page(SCENARIO).run()
    picker = at.selectbox(key="library_pick")
    big_bang = next(o for o in picker.options if "supply-chain-big-bang.yaml" in o)
    picker.set_value(big_bang).run()
    at.button(key="library_load").click().run()
    clean(at, "after asking to load over edits")
    warning = " ".join(w.value for w in at.warning)
    assert "your edits to “Supply-chain analytics app”" in warning, warning
    assert "1 what-if variant" in warning, warning
    assert at.session_state["scenario"].team.size == 7, "nothing replaced before confirming"

    next(b for b in at.button if b.key == "pending_cancel").click().run()
    assert at.session_state["scenario"].team.size == 7 and len(at.session_state["variants"]) == 1
    assert not [b for b in at.button if b.key == "pending_replace"], "the question is gone"
    assert "supply-chain.yaml" in at.selectbox(key="library_pick").value, (
        "after keeping the edits the picker shows the file in use again"
    )

    at.selectbox(key="library_pick").set_value(big_bang).run()
    at.button(key="library_load").click().run()
    confirm_replace(at)
    clean(at, "after confirming the load")
    assert at.session_state["scenario"] == load_scenario(LIBRARY / "supply-chain.yaml"), (
        "a variant file loads as its base..."
    )
    assert [v.name for v in at.session_state["variants"]] == [
        load_scenario(LIBRARY / "supply-chain-big-bang.yaml").name
    ], "...plus the variant; the variant made before is gone (the user confirmed)"

    at.switch_page(FORECAST).run()
    at.switch_page(SCENARIO).run()
    assert "supply-chain.yaml" in at.selectbox(key="library_pick").value, (
        "the picker shows the file in use (the variant's base) after leaving and coming back"
    )


def test_loading_without_unsaved_work_needs_no_confirmation():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    picker = at.selectbox(key="library_pick")
    picker.set_value(next(o for o in picker.options if "onboarding.yaml" in o)).run()
    at.button(key="library_load").click().run()
    assert at.session_state["scenario"].name == load_scenario(LIBRARY / "onboarding.yaml").name
    assert not [b for b in at.button if b.key == "pending_replace"]


def test_team_larger_than_the_wip_limit_is_pointed_out():
    at = start()
    sc = at.session_state["scenario"]
    assert sc.team.wip_limit == 5
    assert not any("wait for work" in c.value for c in at.caption)
    at.number_input(key=key(at, "size")).set_value(8).run()
    hint = " ".join(c.value for c in at.caption if "wait for work" in c.value)
    assert "3 of the 8 people wait for work" in hint, hint


def test_only_the_chosen_models_fields_are_editable():
    """Fields of an adoption model, urgency profile or approach not in use are greyed out
    (kept, not used); choosing that option makes them editable and keeps the values."""
    at = start()
    sc = at.session_state["scenario"]
    assert sc.value.adoption.model == "bass" and sc.delivery.approach == "incremental"
    assert at.number_input(key=key(at, "adopt_weeks")).disabled
    assert not at.number_input(key=key(at, "bass_p")).disabled
    assert at.number_input(key=key(at, "half_life")).disabled
    assert not at.number_input(key=key(at, "release")).disabled
    at.selectbox(key=key(at, "adoption")).set_value("linear").run()
    at.selectbox(key=key(at, "approach")).set_value("continuous").run()
    clean(at, "after switching models")
    assert not at.number_input(key=key(at, "adopt_weeks")).disabled
    assert at.number_input(key=key(at, "bass_p")).disabled
    assert at.number_input(key=key(at, "release")).disabled
    assert at.number_input(key=key(at, "hardening")).disabled
    new = at.session_state["scenario"]
    assert new.value.adoption.model == "linear" and new.delivery.approach == "continuous"
    assert new.value.adoption.p == sc.value.adoption.p, "a greyed-out value is kept"


def test_saving_makes_the_work_safe_to_replace(user_dir):
    """Once saved, the edits are not "unsaved": loading another file asks nothing, and the
    picker and the origin name the saved file."""
    at = start()
    at.number_input(key=key(at, "size")).set_value(6).run()
    at.text_input(key=key(at, "save_name")).set_value("six people").run()
    at.button(key=key(at, "save")).click().run()
    clean(at, "after saving")
    assert at.session_state["scenario_origin"] == "saved file six-people.yaml"
    assert any("six-people.yaml" in seen(s) for s in at.success)
    assert at.selectbox(key="library_pick").value == "Saved: six-people"
    picker = at.selectbox(key="library_pick")
    picker.set_value(next(o for o in picker.options if "onboarding.yaml" in o)).run()
    at.button(key="library_load").click().run()
    assert not [b for b in at.button if b.key == "pending_replace"], "nothing to lose"
    assert at.session_state["scenario"].name == load_scenario(LIBRARY / "onboarding.yaml").name


def test_save_button_writes_once_and_overwrites_only_when_ticked(user_dir):
    at = start()
    at.text_input(key=key(at, "save_name")).set_value("Q3 plan: v2!").run()
    at.button(key=key(at, "save")).click().run()
    clean(at, "after saving")
    path = user_dir / "Q3-plan-v2.yaml"
    assert path.read_text() == scenario_to_yaml(at.session_state["scenario"])
    assert any("Q3-plan-v2.yaml" in seen(s) for s in at.success)

    path.write_text("# someone else's work\n")
    at.button(key=key(at, "save")).click().run()
    assert any("already exists" in seen(w) for w in at.warning)
    assert path.read_text() == "# someone else's work\n", "not overwritten without the tick"

    at.checkbox(key=key(at, "overwrite")).check().run()
    at.button(key=key(at, "save")).click().run()
    assert path.read_text() == scenario_to_yaml(at.session_state["scenario"])
    assert sorted(p.name for p in user_dir.iterdir()) == ["Q3-plan-v2.yaml"], "no temp files"


def test_an_empty_file_name_saves_nothing(user_dir):
    """A blank or spaces-only name: Save is disabled and says to type a name; nothing
    is written (it saved as a made-up "scenario.yaml" before). The Overwrite tick's
    label names no file that does not exist."""
    at = start()
    for blank in ("", "   "):
        at.text_input(key=key(at, "save_name")).set_value(blank).run()
        clean(at, f"name {blank!r}")
        assert at.button(key=key(at, "save")).disabled
        assert any("Type a file name" in c.value for c in at.caption)
    assert not user_dir.exists() or not list(user_dir.iterdir())
    at.text_input(key=key(at, "save_name")).set_value("fresh name").run()
    assert at.checkbox(key=key(at, "overwrite")).label == (
        "Overwrite (no saved file has this name yet)"
    )


# --------------------------------------------------------------- Forecast page
def test_forecast_shows_both_lenses_with_the_engine_numbers():
    at = start()
    at.switch_page(FORECAST).run()
    clean(at, "Forecast page")
    sc = at.session_state["scenario"]
    s = run(sc, runs=RUNS, seed=sc.simulation.seed).summary()
    m = metrics(at)
    assert m["P50 delivery"] == fmt.date(s["delivery"]["p50_date"])
    assert m["P85 delivery"] == fmt.date(s["delivery"]["p85_date"])
    assert m["On time"] == fmt.pct(s["delivery"]["on_time_probability"])
    assert m["NPV (mean)"] == fmt.money(s["value"]["npv_mean"])
    assert m["Outcome"] == fmt.pct(s["value"]["outcome_probability"])
    assert m["First value"] == fmt.date(s["value"]["first_value_date_p50"])
    words = " ".join(seen(x) for x in at.markdown)
    assert "In 85 of 100 simulated futures the whole scope is live by" in words
    assert "Users first get value around" in words
    assert len(at.get("vega_lite_chart")) == 7, (
        "date, burn-up, value, run-rate, the two tornados, timeline"
    )
    # What drives it: the sentences name the engine's top drivers
    # (docs/reference/drivers-and-report.md).
    res = run(sc, runs=RUNS, seed=sc.simulation.seed)
    sens = res.sensitivity()
    assert driver_sentence(sens, "delivery") in words
    assert driver_sentence(sens, "npv") in words
    assert any(b.label == "Download report" for b in at.get("download_button"))


def test_automatic_runs_forecast_matches_the_engine_and_says_so():
    """With automatic runs the Forecast shows the engine's runs="auto" numbers and how
    precisely the P85 is known."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.checkbox(key=key(at, "auto")).check().run()
    sc = at.session_state["scenario"]
    assert sc.simulation.runs == "auto"
    at.switch_page(FORECAST).run()
    clean(at, "Forecast with automatic runs")
    s = run(sc, runs="auto", seed=sc.simulation.seed).summary()
    assert metrics(at)["P85 delivery"] == fmt.date(s["delivery"]["p85_date"])
    caption = " ".join(c.value for c in at.caption)
    assert f"{s['runs']:,} simulated futures (automatic: " in caption, caption


def test_forecast_counts_futures_that_never_deliver():
    at = start()
    upload(
        at,
        """
name: Impossible
start_date: 2027-01-04
team: {size: 1}
items: [{id: huge, effort: 1000000, value: {per_week: 10}}]
simulation: {runs: 5}
""",
    )
    at.switch_page(FORECAST).run()
    clean(at, "Forecast with nothing delivered")
    assert any(
        w.value.startswith("5 of 5 simulated futures (100%) never delivered") for w in at.warning
    )
    assert metrics(at)["P85 delivery"] == "never"


def test_an_engine_failure_is_a_message_not_a_traceback(monkeypatch):
    import dashboard.simulate as sim

    def broken_run(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sim, "run", broken_run)
    at = start(seed=515151)  # a cold cache entry, so the engine is really called
    at.switch_page(FORECAST).run()
    clean(at, "Forecast with a failing engine")
    assert any("failed unexpectedly (RuntimeError)" in e.value for e in at.error)


def test_switching_pages_does_not_simulate_again(monkeypatch):
    import dashboard.simulate as sim

    calls = []
    real_run = sim.run

    def counting_run(*args, **kwargs):
        calls.append(1)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(sim, "run", counting_run)
    at = start(seed=424242)  # a seed no other test uses: a cold cache entry
    at.switch_page(FORECAST).run()
    assert len(calls) == 1
    at.switch_page(SCENARIO).run()
    at.switch_page(FORECAST).run()
    clean(at, "Forecast again")
    assert len(calls) == 1, "the second visit is served from the cache"


# ---------------------------------------------------------------- What-if page
def test_adding_an_item_moves_delivery_later_as_the_engine_says():
    at = start()
    at.switch_page(WHATIF).run()
    clean(at, "What-if page")
    add_lever(
        at,
        "add_item",
        item_name="Big extra",
        item_day=0.0,
        item_low=30.0,
        item_mode=40.0,
        item_high=60.0,
        item_top=True,
    )
    clean(at, "after adding the lever")
    assert [v.name for v in at.session_state["variants"]] == ["Add Big extra"]
    at.button(key="run_comparison").click().run()
    clean(at, "after the comparison")
    sc = at.session_state["scenario"]
    changes = at.session_state["variants"][0].changes
    cmp = compare(
        {"Baseline": sc, "v": levers.variant_scenario(sc, changes)},
        runs=RUNS,
        seed=sc.simulation.seed,
    )
    engine = cmp.results["v"].summary()["delivery"]
    base = cmp.results["Baseline"].summary()["delivery"]
    assert engine["p50_day"] > base["p50_day"], "the engine: a 40-day item delays delivery"
    table = comparison_table(at)
    assert table.loc["Add Big extra", "P50 delivery"].startswith(fmt.date(engine["p50_date"]))
    assert "(+" in table.loc["Add Big extra", "P50 delivery"], "shown as later"
    assert any("later on average" in m.value for m in at.markdown)
    assert len(at.get("vega_lite_chart")) == 4, "CDF, value curves, two delta charts"


def test_switching_from_big_bang_offers_per_release_hardening():
    """Big bang's 10 launch-hardening days are not carried into every incremental
    release: the lever offers 2 days per release, and the variant gets them."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    picker = at.selectbox(key="library_pick")
    picker.set_value(next(o for o in picker.options if "supply-chain-big-bang.yaml" in o)).run()
    at.button(key="library_load").click().run()
    at.switch_page(WHATIF).run()
    # The variant file loads as base + variant; made the baseline, big bang is the plan.
    next(b for b in at.button if b.label == "Make baseline").click().run()
    assert at.session_state["scenario"].delivery.hardening_days == 10
    at.selectbox(key="lv_which").set_value("set_approach").run()
    at.selectbox(key="lv_approach").set_value("incremental").run()
    assert at.number_input(key="lv_hardening_incremental").value == 2.0
    assert not at.number_input(key="lv_release_incremental").disabled
    next(b for b in at.button if b.label == "Add lever").click().run()
    clean(at, "after adding the approach lever")
    (change,) = next(v for v in at.session_state["variants"] if not v.pinned).changes
    assert (change.approach, change.hardening_days) == ("incremental", 2.0)
    assert change.describe().endswith("(a release every 10 days and 2 hardening days)")


def test_adding_people_earlier_helps_more_as_the_engine_says():
    at = start()
    upload(at, PEOPLE_BOUND)
    at.switch_page(WHATIF).run()
    add_lever(at, "add_people", people=3, people_day=0.0, name="Early")
    add_lever(at, "add_people", people=3, people_day=30.0, name="Late")
    at.button(key="run_comparison").click().run()
    clean(at, "after comparing two staffing levers")
    sc = at.session_state["scenario"]
    variants = {
        v.name: levers.variant_scenario(sc, v.changes) for v in at.session_state["variants"]
    }
    cmp = compare({"Baseline": sc, **variants}, runs=RUNS, seed=sc.simulation.seed)
    p50 = {n: r.summary()["delivery"]["p50_day"] for n, r in cmp.results.items()}
    assert p50["Early"] < p50["Late"] < p50["Baseline"], p50
    table = comparison_table(at)
    for name in ("Early", "Late"):
        date = fmt.date(cmp.results[name].summary()["delivery"]["p50_date"])
        assert table.loc[name, "P50 delivery"].startswith(date + " (-"), (
            f"{name}: the page shows the engine's earlier P50"
        )


def test_levers_stack_on_an_existing_variant():
    """A second lever added to a variant builds on it (fresh ids, current WIP limit)."""
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "add_item")
    name = at.session_state["variants"][0].name
    add_lever(at, "add_item", target=name)
    add_lever(at, "add_people", target=name, people=2)
    clean(at, "after stacking levers")
    (variant,) = at.session_state["variants"]
    sc = levers.variant_scenario(at.session_state["scenario"], variant.changes)
    added = [it.id for change in sc.scope.changes for it in change.add]
    assert added == ["new-feature", "new-feature-2"], "the second item gets a fresh id"
    assert sc.team.wip_limit == at.session_state["scenario"].team.wip_limit + 2


def test_bad_lever_is_explained_not_raised():
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "remove_items")  # no item picked
    clean(at, "after an empty removal")
    assert any("pick at least one item" in e.value for e in at.error)
    assert at.session_state["variants"] == []


def test_promote_a_variant_to_the_baseline():
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "delay_start", delay=10.0)
    add_lever(at, "freeze_scope", freeze=40.0)
    before = at.session_state["scenario"]
    first = at.session_state["variants"][0]
    next(b for b in at.button if b.label == "Make baseline").click().run()
    clean(at, "after promoting")
    after = at.session_state["scenario"]
    promoted = levers.variant_scenario(before, first.changes)
    assert after == promoted.model_copy(
        update={"name": after.name, "description": after.description}
    )
    assert after.delivery.discovery_days == before.delivery.discovery_days + 10
    assert [v.name for v in at.session_state["variants"]] == [
        "Original plan",
        "Freeze scope on day 40",
    ], "the other variant stays and now builds on the new baseline; the old plan is kept"


# ------------------------------------------------------------------ isolation
def test_two_sessions_never_share_a_scenario_or_variants():
    a = start()
    b = start()
    a.number_input(key=key(a, "size")).set_value(9).run()
    a.switch_page(WHATIF).run()
    add_lever(a, "delay_start", delay=5.0)
    b.run()
    assert a.session_state["scenario"].team.size == 9
    assert b.session_state["scenario"].team.size == 5, "B still has the library team"
    assert len(a.session_state["variants"]) == 1 and b.session_state["variants"] == []
    b.switch_page(FORECAST).run()
    clean(b, "B's forecast")
    a.switch_page(FORECAST).run()
    assert metrics(a)["Cost (mean)"] != metrics(b)["Cost (mean)"], (
        "each session's forecast is of its own scenario"
    )


# ------------------------------------------------------------- editor (pure)
@pytest.mark.parametrize(
    "row", [r for r in list_library() if r["kind"] == "base"], ids=lambda r: r["file"]
)
def test_editor_tables_round_trip_every_library_scenario(row):
    """Showing a scenario in the editor and reading it back changes nothing."""
    sc = load_scenario(LIBRARY / row["file"])
    data, _ = editor.build_data(sc, {}, editor.items_frame(sc), editor.risks_frame(sc))
    assert parse_scenario(data) == sc


def test_editor_cells_to_distribution():
    assert editor.cells_to_dist(None, None, 5, None) == {"dist": "fixed", "value": 5.0}
    assert editor.cells_to_dist("lognormal", None, 3, 8) == {
        "dist": "lognormal",
        "median": 3.0,
        "p90": 8.0,
    }
    assert editor.cells_to_dist("normal", 8, 10, 12) == {"dist": "normal", "mean": 10.0, "sd": 2.0}
    assert editor.cells_to_dist("triangular", 1, None, 3) == {
        "dist": "triangular",
        "low": 1.0,
        "mode": None,
        "high": 3.0,
    }, "a missing number stays missing, so the error names it"


def test_editor_problems_are_grouped_by_section():
    groups = editor.group_problems(
        [
            ("items[1].effort.high", "must be >= mode"),
            ("team.focus", "must be > 0"),
            ("risks[0].window", "end must be >= start"),
            ("weird", "?"),
        ],
        {
            "items": ["items[0] (row 1, 'a')", "items[1] (row 2, 'b')"],
            "risks": ["risks[0] (row 1, 'r')"],
        },
    )
    assert groups == {
        "backlog": ["items[1] (row 2, 'b'), high: must be >= likely"],
        "team": ["Focus: must be > 0"],
        "risks": ["risks[0] (row 1, 'r'), window: end must be >= start"],
        "general": ["weird: ?"],
    }


# ------------------------------------------------------------- levers (pure)
def test_levers_build_the_engine_change_objects():
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    (add,) = levers.add_item(sc, "Near-real-time refresh", 30, 8, 12, 25, 2500)
    assert add.kind == "add_items" and add.items[0].id == "near-real-time-refresh"
    assert add.describe().startswith("Adds 'Near-real-time refresh'")
    people = levers.add_people(sc, 20, 2, raise_wip=True)
    assert [c.kind for c in people] == ["add_people", "set"]
    grown = levers.variant_scenario(sc, people)
    assert grown.team.wip_limit == sc.team.wip_limit + 2
    with pytest.raises(ScenarioError, match="must be >= low"):
        levers.add_item(sc, "x", 0, 10, 5, 3, 0)
    assert levers.unique_name("A", ["A", "A (2)"]) == "A (3)"
    assert levers.new_id("Data model", {"data-model"}) == "data-model-2"


# ------------------------------------------------------------ storage (pure)
@pytest.mark.parametrize(
    ("typed", "file"),
    [
        ("Q3 plan: add réal-time!", "Q3-plan-add-real-time.yaml"),
        ("../../etc/passwd", "etc-passwd.yaml"),
        ("..", "scenario.yaml"),
        ("", "scenario.yaml"),
        ("plan.yaml", "plan.yaml"),
        ("a/b\\c", "a-b-c.yaml"),
        ("x" * 300, "x" * saved_files.MAX_STEM + ".yaml"),
        ("<script>alert(1)</script>", "scriptalert1-script.yaml"),
    ],
)
def test_file_names_are_sanitised(typed, file):
    name = saved_files.safe_filename(typed)
    assert name == file
    stem = name.removesuffix(".yaml")
    assert stem and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in stem)


def test_save_is_atomic_and_leaves_no_temp_files(user_dir):
    path = saved_files.save_text("name: one\n", "plan")
    assert path == user_dir / "plan.yaml" and path.read_text() == "name: one\n"
    assert [p.name for p in user_dir.iterdir()] == ["plan.yaml"]


def test_failed_write_keeps_the_old_file(user_dir, monkeypatch):
    saved_files.save_text("old\n", "plan")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(saved_files.SaveRefused, match="No space left"):
        saved_files.save_text("new\n", "plan", overwrite=True)
    assert (user_dir / "plan.yaml").read_text() == "old\n", "the old file is intact"
    assert [p.name for p in user_dir.iterdir()] == ["plan.yaml"], "the temp file is removed"


def test_no_overwrite_without_confirmation(user_dir):
    saved_files.save_text("first\n", "plan")
    with pytest.raises(saved_files.FileExists):
        saved_files.save_text("second\n", "plan")
    assert (user_dir / "plan.yaml").read_text() == "first\n"
    saved_files.save_text("second\n", "plan", overwrite=True)
    assert (user_dir / "plan.yaml").read_text() == "second\n"


def test_a_file_appearing_during_the_save_is_not_clobbered(user_dir, monkeypatch):
    """Another save landing between the check and the rename still wins."""
    real_mkstemp = saved_files.tempfile.mkstemp

    def racing_mkstemp(*args, **kwargs):
        (user_dir / "plan.yaml").write_text("theirs\n")
        return real_mkstemp(*args, **kwargs)

    user_dir.mkdir()
    monkeypatch.setattr(saved_files.tempfile, "mkstemp", racing_mkstemp)
    with pytest.raises(saved_files.FileExists):
        saved_files.save_text("mine\n", "plan")
    assert (user_dir / "plan.yaml").read_text() == "theirs\n"
    assert [p.name for p in user_dir.iterdir()] == ["plan.yaml"]


def test_the_library_is_never_written():
    with pytest.raises(saved_files.SaveRefused, match="read-only"):
        saved_files.save_text("name: x\n", "supply-chain", folder=LIBRARY)
    assert load_scenario(LIBRARY / "supply-chain.yaml").name == "Supply-chain analytics app"


def test_user_folder_follows_the_environment(user_dir, monkeypatch):
    assert saved_files.user_dir() == user_dir
    monkeypatch.delenv(saved_files.USER_DIR_ENV)
    assert saved_files.user_dir() == LIBRARY / "user"


def test_saved_text_loads_back_as_the_same_scenario(user_dir):
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    path = saved_files.save_text(scenario_to_yaml(sc), sc.name)
    assert load_scenario_text(path.read_text(), base_dir=None) == sc
