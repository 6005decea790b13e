"""The Track page through Streamlit's AppTest: its figures are ``track``'s, errors are messages."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fmt
from simulation import run
from simulation.track import load_status, track
from tests.helpers import LIBRARY, ROOT, seen

APP = str(ROOT / "app.py")
TRACK = "dashboard/pages/track.py"
TIMEOUT_S = 120


def clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv("SIM_DATABASE_URL", f"sqlite:///{tmp_path / 'trail.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(TRACK).run()
    clean(at, "Track page")
    return at


def reforecast(at: AppTest, name: str) -> AppTest:
    at.selectbox(key="track_source").set_value(f"scenarios/status/{name}.yaml").run()
    at.button(key="track_run").click().run()
    clean(at, f"re-forecast of {name}")
    return at


def test_plan_vs_now_equals_track_and_the_trail_speaks(page):
    """The bundled week-10 status on the page gives ``track(status)``'s P85 date
    and outcome chance, and the plan's beside them equal a plain run of the plan
    (what the Forecast page shows); recording weeks 9 and 10 gives the sentence
    ``track --trail`` prints (2 items done, outcome chance -100 pp between them).
    Catches: the page re-implementing the re-forecast, the plan column simulated
    with other runs than the Forecast's, a record lost, or the sentence built from
    unsorted records.
    """
    status = load_status(LIBRARY / "status" / "2027-03-12.yaml")
    res = track(status)
    now, plan = res.summary(), run(status.plan).summary()
    for name in ("2027-03-05", "2027-03-12"):
        reforecast(page, name)
        page.button(key="track_record").click().run()
        clean(page, f"record {name}")
    (table,) = [d.value for d in page.dataframe if "Measure" in d.value.columns]
    table = table.set_index("Measure")
    assert table.loc["P85 delivery", "Now"] == fmt.date(now["delivery"]["p85_date"])
    assert table.loc["P85 delivery", "Plan"] == fmt.date(plan["delivery"]["p85_date"])
    assert table.loc["Outcome chance", "Now"] == fmt.pct(now["value"]["outcome_probability"])
    assert table.loc["Outcome chance", "Plan"] == fmt.pct(plan["value"]["outcome_probability"])
    text = " ".join(m.value for m in page.markdown)
    assert "Since the last record (2027-03-05): 2 items done;" in text
    assert "Value realised to date: **750**" in text
    assert "adoption fitted to 3 measurements (Bass diffusion)" in text, "the model in words"
    # The trail charts keep the plot height they give (fitted to the width only), so
    # the date axis has room for several ticks; their data sits in the layers, where
    # the first draw has it (Streamlit adds top-level data later: empty extents).
    trail = [json.loads(c.proto.spec) for c in page.get("vega_lite_chart")]
    assert len(trail) == 2, "the delivery trail and the value trail"
    for spec in trail:
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, spec["autosize"]
        assert "data" not in spec and all("data" in layer for layer in spec["layer"])


def test_a_bad_grid_is_a_message_naming_the_field(page):
    """A share of 1.5 cannot be typed (the grid caps it), but a done date after the
    as-of date can: the page shows the status error with its field path, and no
    longer the earlier re-forecast's results under it. Catches: a traceback instead
    of the message, and a stale "Plan vs now" read as this status's.
    """
    reforecast(page, "2027-02-19")
    page.date_input(key="track_as_of").set_value(page.session_state["track_as_of"]).run()
    grid = page.session_state["track_grid"].copy()
    grid.loc[grid["id"] == "approvals", ["state", "done"]] = ["done", "2027-03-30"]
    grid["done"] = grid["done"].astype("datetime64[ns]")
    page.session_state["track_grid"] = grid
    page.session_state["track_grid_editor"] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [],
    }
    page.run()
    page.button(key="track_run").click().run()
    clean(page, "bad grid")
    assert any(
        "items.approvals.done: 2027-03-30 is after the as-of date" in seen(e.value)
        for e in page.error
    )
    assert "Plan vs now" not in [h.value for h in page.subheader], "the earlier result is gone"


def test_the_progress_grid_reads_blank_where_nothing_happened(page):
    """The progress grid of the bundled week 10: an item not started has no dates and
    no person-days; those cells are blank (not Streamlit's grey "None"), and the
    columns are headed in words ("Id", "Name", not the field names).
    """
    reforecast(page, "2027-03-12")
    grid = page.data_editor[0]
    assert grid.value["started"].isna().any(), "an item not started yet"
    assert grid.proto.HasField("placeholder") and grid.proto.placeholder == ""
    labels = [c.get("label") for c in json.loads(grid.proto.columns).values() if "label" in c]
    assert labels[:2] == ["Id", "Name"], labels
    for other in page.data_editor[1:3]:
        assert other.proto.placeholder == "", "the adoption and outcome grids too"


def test_a_second_record_for_the_same_date_is_said_and_kept(page):
    """Recording week 10 twice: before the second click the page says the trail already
    has a re-forecast as of 2027-03-05 (nothing said before the first), and after it
    the store holds both rows (nothing replaced). Catches a silent second record, a
    notice shown for any date, and a second record that overwrites the first."""
    from simulation.store.trail import trail

    reforecast(page, "2027-03-05")
    assert not [i for i in page.info if "already has" in i.value], "nothing recorded yet"
    assert page.button(key="track_record").label == "Record this re-forecast"
    page.button(key="track_record").click().run()
    clean(page, "first record")
    page.button(key="track_run").click().run()  # the same status again
    clean(page, "re-forecast again")
    notices = [i.value for i in page.info if "already has" in i.value]
    assert len(notices) == 1, [i.value for i in page.info]
    assert "already has a re-forecast as of 2027-03-05" in notices[0]
    assert "nothing is replaced" in notices[0]
    assert page.button(key="track_record").label == "Record another for 2027-03-05"
    page.button(key="track_record").click().run()
    clean(page, "second record")
    assert not [i for i in page.info if "already has" in i.value], "the success says it now"
    records = trail("supply-chain.yaml")
    assert [r.as_of.isoformat() for r in records] == ["2027-03-05", "2027-03-05"]
    assert records[0].id != records[1].id
    page.run()
    notices = [i.value for i in page.info if "already has" in i.value]
    assert notices and "already has 2 re-forecasts as of 2027-03-05" in notices[0], notices


def test_the_measurement_grids_speak_percent_and_the_status_keeps_fractions(page):
    """The bundled week-10 status measured 3%, 5% and 7% adoption and 25% progress to the
    target (``share: 0.03`` ..., ``value: 0.25`` in its file): the page's grids show 3, 5,
    7 and 25, as the results show percentages; a re-forecast from the grids hands the engine the
    file's fractions back (the status equals the file's). Catches a grid in fractions
    beside percent results, and a conversion done twice or not at all."""
    from dashboard import track_view

    reforecast(page, "2027-03-12")
    status = load_status(LIBRARY / "status" / "2027-03-12.yaml")
    adoption = page.session_state["track_adoption"]
    outcome = page.session_state["track_outcome"]
    assert list(adoption["share"]) == pytest.approx([3.0, 5.0, 7.0])
    assert list(outcome["value"]) == pytest.approx([25.0])
    data = track_view.status_data(
        status.plan_ref,
        status.as_of,
        page.session_state["track_grid"],
        adoption,
        outcome,
        page.session_state["track_status"].data,
    )
    assert [m["share"] for m in data["adoption"]] == pytest.approx([s for _, s in status.adoption])
    assert [m["value"] for m in data["outcome"]] == pytest.approx([v for _, v in status.outcome])


def test_the_page_says_when_the_plan_curve_is_kept(page):
    """Week 9 (two measurements after go-live): the page says the plan's curve is kept
    until three are measured, instead of saying nothing about the measurements."""
    reforecast(page, "2027-03-05")
    text = " ".join(seen(m) for m in page.markdown)
    assert "2 adoption measurements after go-live: the plan's adoption curve is kept" in text


def test_the_sentence_compares_the_reforecast_on_screen_with_the_last_record(page):
    """Week 9 recorded, then week 10 re-forecast but not recorded: the trail's sentence
    is about the week on screen against the week-9 record (2 items done), as "since
    the last record" says; recording week 10 twice keeps it against week 9, never a
    record against its own week. Catches a sentence about the last two records only
    (none with one record), and one comparing a week with itself."""
    reforecast(page, "2027-03-05")
    page.button(key="track_record").click().run()
    reforecast(page, "2027-03-12")
    text = " ".join(seen(m) for m in page.markdown)
    assert "Since the last record (2027-03-05): 2 items done;" in text
    for _ in range(2):
        page.button(key="track_record").click().run()
        clean(page, "record week 10")
    text = " ".join(seen(m) for m in page.markdown)
    assert "Since the last record (2027-03-05): 2 items done;" in text
    assert "Since the last record (2027-03-12)" not in text
