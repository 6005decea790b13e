"""What-if variants survive: saved with the scenario, loaded with it.

Saving on the Scenario page writes each variant as ``<base>--<variant>.yaml``
beside the saved base (a variant file in the engine's form, or a complete
scenario for a pinned "Original plan"); loading the base in a new browser
session brings them back, and the comparison comes out identical.
"""

from __future__ import annotations

import pytest
import yaml

from dashboard.pages.whatif import UNSAVED_NOTE
from simulation import load_scenario
from simulation.scenario.changes import change_to_data
from tests.helpers import seen
from tests.ui.test_pages import (
    SCENARIO,
    WHATIF,
    add_lever,
    clean,
    comparison_table,
    confirm_replace,
    key,
    start,
)

#: Every test saves into its own folder (tests/conftest.py), never into scenarios/user.
pytestmark = pytest.mark.usefixtures("user_dir")


def unsaved_note_shown(at) -> bool:
    return any(w.value == UNSAVED_NOTE for w in at.warning)


def save(at, name: str, overwrite: bool = False):
    at.switch_page(SCENARIO).run()
    at.text_input(key=key(at, "save_name")).set_value(name).run()
    if overwrite:
        at.checkbox(key=key(at, "overwrite")).check().run()
    at.button(key=key(at, "save")).click().run()
    clean(at, "after saving")
    return at


def load_saved(at, label: str):
    picker = at.selectbox(key="library_pick")
    picker.set_value(label).run()
    confirm_replace(at.button(key="library_load").click().run())
    clean(at, f"after loading {label}")
    return at


def compare_now(at):
    at.switch_page(WHATIF).run()
    at.button(key="run_comparison").click().run()
    clean(at, "comparison")
    return comparison_table(at)


def test_variants_are_saved_as_files_and_come_back_identical(user_dir):
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "delay_start", delay=10.0, name="Late start")
    add_lever(at, "freeze_scope", freeze=40.0, name="Freeze")
    add_lever(at, "add_people", people=2, name="Two more people")
    next(b for b in at.button if b.key == "promote_0_Late start").click().run()
    clean(at, "after promoting")
    assert unsaved_note_shown(at), "the page says the variants live only in this session"
    scenario = at.session_state["scenario"]
    variants = list(at.session_state["variants"])
    assert [v.name for v in variants] == ["Original plan", "Freeze", "Two more people"]
    before = compare_now(at)

    save(at, "Q3 plan: late start!")
    files = sorted(p.name for p in user_dir.iterdir())
    assert files == [
        "Q3-plan-late-start--Freeze.yaml",
        "Q3-plan-late-start--Original-plan.yaml",
        "Q3-plan-late-start--Two-more-people.yaml",
        "Q3-plan-late-start.yaml",
    ]
    assert any("with 3 what-if variants" in seen(s) for s in at.success)
    data = yaml.safe_load((user_dir / "Q3-plan-late-start--Freeze.yaml").read_text())
    assert data == {
        "extends": "Q3-plan-late-start.yaml",
        "name": "Freeze",
        "changes": [change_to_data(c) for c in variants[1].changes],
    }, "the engine's variant file form"
    assert load_scenario(user_dir / "Q3-plan-late-start--Original-plan.yaml") == variants[0].base
    at.switch_page(WHATIF).run()
    assert not unsaved_note_shown(at), "saved: no longer only in the session"

    # A page reload is a new session: load the saved file there.
    again = start()
    load_saved(again, "Saved: Q3-plan-late-start")
    assert any("with its 3 saved what-if variants" in seen(s) for s in again.success)
    assert again.session_state["scenario"] == scenario
    loaded = again.session_state["variants"]
    assert [(v.name, v.changes, v.base) for v in loaded] == [
        (v.name, v.changes, v.base) for v in variants
    ]
    assert compare_now(again).equals(before), "the same comparison after the reload"
    assert not unsaved_note_shown(again)


def test_saving_again_replaces_nothing_without_overwrite(user_dir):
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "delay_start", delay=10.0, name="Late start")
    save(at, "plan")
    variant_file = user_dir / "plan--Late-start.yaml"
    variant_file.write_text("# someone else's work\n")
    (user_dir / "plan.yaml").unlink()
    save(at, "plan")
    assert any(
        "“plan--Late-start.yaml” already exists" in w.value and "Nothing was saved" in w.value
        for w in at.warning
    ), [w.value for w in at.warning]
    assert not (user_dir / "plan.yaml").exists(), "not even the base: one save, one set"
    assert variant_file.read_text() == "# someone else's work\n"
    save(at, "plan", overwrite=True)
    assert (user_dir / "plan.yaml").exists()
    assert yaml.safe_load(variant_file.read_text())["name"] == "Late start"


def test_unsaved_variants_are_named_before_a_load_replaces_them():
    at = start()
    at.switch_page(WHATIF).run()
    add_lever(at, "delay_start", delay=10.0, name="Late start")
    at.switch_page(SCENARIO).run()
    picker = at.selectbox(key="library_pick")
    picker.set_value(next(o for o in picker.options if "onboarding.yaml" in o)).run()
    at.button(key="library_load").click().run()
    warning = " ".join(w.value for w in at.warning)
    assert "1 what-if variant" in warning and "Save to my scenarios" in warning, warning
    assert [v.name for v in at.session_state["variants"]] == ["Late start"]
