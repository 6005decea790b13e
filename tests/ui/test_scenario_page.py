"""Scenario page and backlog grid: what a new user needs from it.

The grid itself runs in the browser: a NumberColumn with ``min_value`` drops
a typed minus sign, and a ``required``/``validate`` id column keeps a row
from ever reaching the server. So each point is checked twice: the grid's
column configuration no longer hides the input, and the page says what is
wrong with it, naming the cell.
"""

from __future__ import annotations

import json

import pytest

from simulation.scenario.schema import MAX_RUNS
from tests.helpers import ROOT, seen
from tests.ui.test_pages import clean, key, start, upload

#: The scenario file reference, which documents every field.
README = (ROOT / "docs" / "reference" / "scenario-file.md").read_text()


#: Every test saves into its own folder (tests/conftest.py), never into scenarios/user.
pytestmark = pytest.mark.usefixtures("user_dir")


def columns(at, n: int = 0) -> dict:
    """The column configuration the browser's grid gets."""
    return json.loads(at.data_editor[n].proto.columns)


def edit_items(at, **change):
    # The grid's own key: it changes when the Add-an-item form gives it a new table.
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [],
        **change,
    }
    return at.run()


# ----------------------------------------------------------------- point 11
def test_a_negative_effort_is_refused_naming_the_cell():
    at = start()
    for name in ("low", "mode", "high", "value_per_week"):
        config = columns(at)[name]["type_config"]
        assert "min_value" not in config, (
            f"{name}: a grid minimum would drop the minus sign typed in the browser"
        )
    for name in ("probability", "window_from", "window_to", "low", "mode", "high", "people"):
        assert "min_value" not in columns(at, 1)[name]["type_config"], f"risks {name}"
    before = at.session_state["scenario"]
    edit_items(at, edited_rows={2: {"low": -7.0}})
    clean(at, "after a negative effort")
    assert [e.value for e in at.error] == ["- items[2] (row 3, 'inventory'), low: must be >= 0"]
    assert at.session_state["scenario"] == before, "not applied, not turned into +7"


# ----------------------------------------------------------------- point 12
def test_a_row_without_an_id_is_flagged_in_words():
    at = start()
    config = columns(at)["id"]
    assert not config.get("required") and "validate" not in config.get("type_config", {}), (
        "a required or validated id keeps the row in the browser, never applied"
    )
    assert not columns(at, 1)["id"].get("required")
    n = len(at.session_state["scenario"].items)
    edit_items(at, added_rows=[{"name": "Tracking", "dist": "fixed", "mode": 3.0}])
    clean(at, "after a row without an id")
    message = " ".join(e.value for e in at.error)
    assert f"items[{n}] (row {n + 1}, no id), id: missing: every row needs an id" in message, (
        message
    )


# ----------------------------------------------------------------- point 14
def test_must_have_shows_its_default():
    at = start()
    config = columns(at)["must_have"]
    assert "default" in config["label"] and config["default"] is True
    assert "must_have: true" in README and "omit = true" in README, (
        "the file reference's example says what leaving must_have out means"
    )
    edit_items(at, added_rows=[{"id": "export", "dist": "fixed", "mode": 3.0}])
    assert at.session_state["scenario"].item("export").must_have


# ----------------------------------------------------------------- point 15
def test_upload_errors_name_the_row_and_the_id():
    at = start()
    text = """name: Bad
start_date: 2027-01-04
team: {size: 2}
items:
  - {id: ingest, effort: 5}
  - {id: tracking, effort: {dist: triangular, low: 8, mode: 5, high: 12}}
"""
    upload(at, text, "bad.yaml")
    clean(at, "after a bad upload")
    message = " ".join(seen(e) for e in at.error)
    assert "items[1] (row 2, 'tracking').effort.mode" in message, message
    assert "bad.yaml" in message


# ----------------------------------------------------------------- point 16
def test_the_picker_does_not_claim_a_library_file_while_an_upload_is_in_use():
    at = start()
    assert "supply-chain.yaml" in at.selectbox(key="library_pick").value
    upload(
        at,
        """name: Mine
start_date: 2027-01-04
team: {size: 2}
items: [{id: a, effort: 5}]
""",
        "mine.yaml",
    )
    clean(at, "after an upload")
    picker = at.selectbox(key="library_pick")
    assert picker.value is None, f"the picker still shows {picker.value!r}"
    assert "upload mine.yaml" in picker.placeholder
    assert at.button(key="library_load").disabled


# ----------------------------------------------------------------- point 17
def test_too_many_runs_is_said_in_words():
    at = start()
    runs = at.number_input(key=key(at, "runs"))
    assert not runs.proto.has_max, "a browser maximum shows only a red border"
    assert f"{MAX_RUNS:,}" in (runs.help or "")
    runs.set_value(1_000_000).run()
    clean(at, "after a million runs")
    message = " ".join(e.value for e in at.error)
    assert "Runs:" in message and f"{MAX_RUNS:,}" in message, message
    assert at.session_state["scenario"].simulation.runs != 1_000_000


# ------------------------------------------------------------------ point 5
def test_a_library_variant_loads_as_base_plus_variant():
    """A trainer loading supply-chain-big-bang.yaml gets the base and the big-bang variant,
    ready to compare, not the variant flattened into the baseline."""
    from dashboard import levers
    from simulation import load_scenario
    from simulation.scenario.changes import variant_changes
    from tests.helpers import LIBRARY
    from tests.ui.test_pages import WHATIF

    at = fresh()
    picker = at.selectbox(key="library_pick")
    picker.set_value(next(o for o in picker.options if "supply-chain-big-bang.yaml" in o)).run()
    at.button(key="library_load").click().run()
    clean(at, "after loading a variant file")
    base = load_scenario(LIBRARY / "supply-chain.yaml")
    assert at.session_state["scenario"] == base, "the baseline is the variant's base"
    (variant,) = at.session_state["variants"]
    assert variant.changes == list(variant_changes(LIBRARY / "supply-chain-big-bang.yaml"))
    bang = load_scenario(LIBRARY / "supply-chain-big-bang.yaml")
    assert levers.variant_scenario(base, variant.changes).delivery == bang.delivery
    at.switch_page(WHATIF).run()
    clean(at, "What-if with the loaded variant")
    assert not any("No variants yet" in i.value for i in at.info)


def fresh():
    """A new session without edits (loading asks nothing)."""
    from streamlit.testing.v1 import AppTest

    from tests.ui.test_pages import APP, TIMEOUT_S

    return AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()


# ----------------------------------------------------------------- point 13
def add_item(at, **values):
    """Fill the "Add an item" form (fields by key suffix) and press Add item."""
    for name, value in values.items():
        widget = next(
            w
            for kind in ("text_input", "number_input", "multiselect", "checkbox")
            for w in getattr(at, kind)
            if w.key == key(at, f"new_{name}")
        )
        widget.set_value(value)
    next(b for b in at.button if b.key == key(at, "new_add")).click()
    return at.run()


def test_the_add_an_item_form_appends_a_complete_row():
    at = start()
    n = len(at.session_state["scenario"].items)
    add_item(
        at,
        id="export",
        name="Export to ERP",
        low=2.0,
        mode=3.0,
        high=6.0,
        value=1500.0,
        deps=["ingest"],
        must=False,
    )
    clean(at, "after adding an item with the form")
    item = at.session_state["scenario"].item("export")
    assert [it.id for it in at.session_state["scenario"].items][-1] == "export"
    assert item.effort.model_dump(exclude_none=True) == {
        "dist": "triangular",
        "low": 2.0,
        "mode": 3.0,
        "high": 6.0,
    }
    assert (item.name, item.value.per_week, item.depends_on, item.must_have) == (
        "Export to ERP",
        1500.0,
        ("ingest",),
        False,
    )
    grid = at.data_editor[0]
    assert grid.value["id"].tolist()[-1] == "export" and len(grid.value) == n + 1
    assert any("Added “Export to ERP” to the backlog" in s.value for s in at.success)
    assert not at.error
    edit_items(at, edited_rows={0: {"high": 30.0}})
    assert at.session_state["scenario"].item("export").name == "Export to ERP", (
        "the grid edits the grown table: the added row stays"
    )
    assert at.session_state["scenario"].items[0].effort.high == 30.0


def test_a_bad_value_in_the_form_is_refused_naming_the_field():
    at = start()
    before = at.session_state["scenario"]
    add_item(at, id="export", name="Export", low=2.0, mode=5.0, high=3.0)
    message = " ".join(seen(e) for e in at.error)
    n = len(before.items)
    assert f"items[{n}] (row {n + 1}, 'export'), high: must be >= likely" in message, message
    assert at.session_state["scenario"] == before, "nothing added"
    add_item(at, id="ingest", high=6.0)
    assert (
        "ingest" in " ".join(seen(e) for e in at.error) and at.session_state["scenario"] == before
    ), "a duplicate id is refused"
    add_item(at, id="")
    assert "id: missing" in " ".join(seen(e) for e in at.error)


def test_the_grid_keeps_its_identity_across_edits_and_fits_its_rows():
    """The browser keeps a grid's selection only while its identity stays: a new id
    typed in must not change the column options; the height follows the rows."""
    at = start()
    grid_id = at.data_editor[0].proto.id
    edit_items(at, added_rows=[{"id": "export", "dist": "fixed", "mode": 3.0}])
    clean(at, "after adding a row in the grid")
    assert at.session_state["scenario"].item("export")
    at.run()  # the run after the edit draws the grid for the scenario that has it
    assert at.data_editor[0].proto.id == grid_id, "same grid: the selection survives"
    add_item(at, id="audit", mode=2.0)
    assert at.session_state["scenario"].item("audit") and at.session_state["scenario"].item(
        "export"
    ), "the form keeps the row added in the grid"
    from dashboard.pages.scenario import SPARE_ROWS, table_height

    for rows in (3, 10, 13):
        # 35 px a row (header, rows, the add line): three rows added in the grid still fit.
        assert table_height(rows) >= 35 * (rows + 2 + 3), rows
        assert table_height(rows + 1) > table_height(rows), "grows with the form's rows"
    assert SPARE_ROWS == 3 and table_height(200) == 1_100, "capped"


def test_the_grids_leave_unused_cells_blank_and_show_their_headers_whole():
    """A number a distribution does not use (a uniform's "Likely", a lognormal's "Low")
    is an empty cell, blank in both grids, not Streamlit's grey "None"; every column is
    wide enough for its header (about 6 px a character and 30 px for the edit icon);
    the risk kinds read in words.

    Catches: a grid without its placeholder, a header cut to "Chanc" or "Must have
    (defau", a kind shown by its file name (``capacity_loss``).
    """
    at = start()
    items, risks = at.data_editor[0], at.data_editor[1]
    assert items.value["mode"].isna().any(), "the library scenario has a uniform item"
    assert risks.value["window_from"].isna().any(), "and an extra-work risk without a window"
    for grid in (items, risks):
        assert grid.proto.HasField("placeholder") and grid.proto.placeholder == ""
        for config in json.loads(grid.proto.columns).values():
            if config.get("hidden"):  # the index
                continue
            label = config["label"]
            assert config["width"] >= 6 * len(label) + 30, f"{label!r} is cut at {config}"
    kinds = columns(at, 1)["kind"]["type_config"]["options"]
    assert {o["label"] for o in kinds} == {"Blocker: work stops", "Extra work", "People away"}


def test_every_bounded_field_says_its_range():
    """A browser refuses a number outside a field's range with no word of why (People 0
    only turns red): each bounded field's help ends with the range, from the schema.
    People is 1 to 500 (docs/reference/limits.md: 0-500 people, at least 1 at the
    start); focus, shown in percent, 1 to 100 (0.01..1 in the file); the cost per
    person-day 0 to 10,000,000 (the money limit); the WIP limit 1 to 5,000 (ten times
    the largest team). Catches a help that drops the field's own words, a range
    not scaled to percent, and a made-up bound."""
    at = start()
    field = {n.label: n for n in at.number_input}
    assert field["People"].help == "From 1 to 500."
    focus = field["Focus (% of time)"].help
    assert focus.startswith("Share of each person's time") and focus.endswith("From 1 to 100.")
    assert field["Cost per person-day"].help == "From 0 to 10,000,000."
    assert field["WIP limit (items)"].help == (
        "Most items in progress at once. Empty = the team size. From 1 to 5,000."
    )
