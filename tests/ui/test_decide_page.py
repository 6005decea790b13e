"""The Decide page through Streamlit's AppTest: load, rank, combine, decide.

The page's figures must equal :func:`simulation.decide.prioritise`'s for the same
session, runs and seed; decisions land in the store (a temporary SQLite file
per test), and two sessions deciding the same candidate keep both records.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import saved_files
from simulation import load_session, prioritise
from simulation import store as st
from simulation.store import decisions as dec
from tests.helpers import LIBRARY, ROOT, seen

APP = str(ROOT / "app.py")
DECIDE = "dashboard/pages/decide.py"
SESSION = LIBRARY / "sessions" / "grant-portal-release.yaml"
RUNS = 200
TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test saves into its own folder and records into its own database."""
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv(st.URL_ENV, url)
    return url


def open_decide() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(DECIDE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ranked(at: AppTest) -> AppTest:
    """Load the grant-portal session and rank it with RUNS futures each."""
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    at.number_input(key="decide_runs").set_value(RUNS).run()
    at.button(key="decide_rank").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, key: str):
    found = [d.value for d in at.dataframe if d.proto.id and key in d.proto.id]
    if not found:  # AppTest does not expose keys of every element: match by columns
        found = [d.value for d in at.dataframe if "Rank confidence" in d.value.columns]
    assert found, f"table {key} is shown"
    return found[-1]


def test_ranking_on_the_page_equals_the_engine():
    at = ranked(open_decide())
    ses = load_session(SESSION)
    pr = prioritise(ses, runs=RUNS, seed=ses.base.simulation.seed)
    table = frame(at, "decide_ranking")
    assert list(table["Candidate"]) == list(pr.table["name"])
    assert list(table["Δ NPV"].round(6)) == list(pr.table["npv"].round(6))
    assert list(table["Δ delivery (days)"].round(6)) == list(pr.table["delivery_days"].round(6))
    assert all(table["Δ NPV 90%"].str.startswith("["))
    assert "NPV per day of delay" in " ".join(m.value for m in at.markdown)
    assert not [w for w in at.warning if "Preliminary" in w.value], (
        "no preliminary step when the runs are that few"
    )


def test_combine_shows_the_interaction():
    at = ranked(open_decide())
    at.multiselect(key="decide_combine_ids").set_value(["saved-drafts", "installer-search"]).run()
    at.button(key="decide_combine").click().run()
    assert not at.exception
    tables = [d.value for d in at.dataframe if "Interaction" in d.value.columns]
    assert tables, "the combination table is shown"
    combo = tables[-1].set_index("Measure")
    ses = load_session(SESSION)
    pr = prioritise(ses, runs=RUNS, seed=ses.base.simulation.seed)
    c = pr.combine(["saved-drafts", "installer-search"])
    assert combo.loc["Δ NPV", "Together"] == pytest.approx(c.delta("npv"))
    assert combo.loc["Δ delivery (working days)", "Interaction"] == pytest.approx(
        c.interaction["delivery_day"]
    )


def decide_one(at: AppTest, cid: str, choice: str, who: str, why: str = "") -> AppTest:
    at.selectbox(key="decide_candidate").set_value(cid)
    at.radio(key="decide_choice").set_value(choice)
    at.text_area(key="decide_rationale").set_value(why)
    at.text_input(key="decide_who").set_value(who)
    next(b for b in at.button if b.label == "Record decision").click()
    return at.run()


def test_a_decision_is_stored_with_its_numbers_and_two_people_keep_both(isolated):
    ana = ranked(open_decide())
    ben = ranked(open_decide())  # opened before Ana decides
    decide_one(ana, "drop-mobile-app", "accept", "Ana (PMO)", "Low value for its effort")
    assert any("Recorded: accept" in s.value for s in ana.success)
    [row] = dec.list_decisions("Release scope (grant portal)", store=st.Store(isolated))
    assert (row.candidate, row.decision, row.decided_by) == (
        "drop-mobile-app",
        "accept",
        "Ana (PMO)",
    )
    assert row.numbers["verdict"] in ("gain", "trade-off", "saving", "loss")
    assert row.numbers["runs"] == RUNS
    decide_one(ben, "drop-mobile-app", "reject", "Ben (product)")
    assert any("Meanwhile Ana (PMO) decided" in seen(w) for w in ben.warning), [
        w.value for w in ben.warning
    ]
    rows = dec.list_decisions(store=st.Store(isolated))
    assert [r.decided_by for r in rows] == ["Ben (product)", "Ana (PMO)"], "both kept"
    shown = [d.value for d in ben.dataframe if "Decision" in d.value.columns][-1]
    assert shown.set_index("Name").loc["Drop the mobile app wrapper", "Decision"] == "reject"
    assert any(b.label == "Accepted set as a variant (YAML)" for b in ana.get("download_button"))


def test_a_decision_without_a_name_is_refused_and_nothing_is_written(isolated):
    at = ranked(open_decide())
    decide_one(at, "late-api", "reject", "   ")
    assert any("decided_by: required" in seen(e) for e in at.error)
    assert dec.list_decisions(store=st.Store(isolated)) == []


def test_whatif_variants_become_candidates():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page("dashboard/pages/whatif.py").run()
    next(b for b in at.button if b.label == "Add lever").click()
    at.run()
    at.switch_page(DECIDE).run()
    at.radio(key="decide_source").set_value("whatif").run()
    at.button(key="decide_use_whatif").click().run()
    at.number_input(key="decide_runs").set_value(100).run()
    at.button(key="decide_rank").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame(at, "decide_ranking")
    assert len(table) == 1 and table["Verdict"].iloc[0].split()[-1] in (
        "gain",
        "trade-off",
        "saving",
        "loss",
    )


def test_numbers_that_show_as_zero_never_read_minus_zero():
    """Summing singles leaves noise like -1e-12; the combine table showed '-0.0'."""
    from dashboard.decide import _interval, _tidy

    assert _interval(-0.04, 0.0, "+,.1f") == "[+0.0, +0.0]"
    assert _interval(-1e-12, 3.0, "+,.0f") == "[+0, +3]"
    assert f"{_tidy(-1e-12, 1):+.1f}" == "+0.0"
    assert _tidy(-0.26, 1) == -0.26, "a real shift keeps its sign and its precision"


def test_a_session_file_round_trips_through_the_page():
    """The page's session file (download) is a session file the page loads back
    by upload: same base, same candidates, same ranking; a broken upload names
    the field and changes nothing."""
    from dashboard.decide import session_file
    from simulation.decide.sessions import load_session_text, sessions_dir

    ses = load_session(SESSION)
    name, text = session_file(ses)
    again = load_session_text(text, source=name, base_dir=sessions_dir())
    assert (again.base, again.candidates, again.name) == (ses.base, ses.candidates, ses.name)

    at = open_decide()
    at.file_uploader(key="decide_upload").set_value(
        (name, text.encode(), "application/x-yaml")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Loaded “{ses.name}” from {name}" in seen(m) for m in at.success), [
        m.value for m in at.success
    ]
    assert at.session_state["decide_session"].candidates == ses.candidates
    bad = text.replace("id: ", "id: Bad Id ", 1)
    at.file_uploader(key="decide_upload").set_value(
        ("bad.yaml", bad.encode(), "application/x-yaml")
    ).run()
    errors = [seen(e) for e in at.error]
    assert any("bad.yaml" in e and "candidates[0].id" in e for e in errors), errors


def test_the_candidates_are_listed_before_ranking():
    """After Load session the candidates and their changes are on the page, in the
    engine's words (a new user found only a count there)."""
    at = open_decide()
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    ses = load_session(SESSION)
    listed = [d.value for d in at.dataframe if "Changes" in d.value.columns]
    assert listed, "the candidates table is shown"
    table = listed[0]
    assert list(table["Candidate"]) == [c.name for c in ses.candidates]
    assert list(table["Changes"]) == [
        "; ".join(ch.describe() for ch in c.changes) for c in ses.candidates
    ]
