"""The Decide page through Streamlit's AppTest: load, rank, combine, decide.

The page's figures must equal :func:`simulation.decide.prioritise`'s for the same
session, runs and seed; decisions land in the store (a temporary SQLite file
per test), and two sessions deciding the same candidate keep both records.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import decide, saved_files
from simulation import load_session, prioritise
from simulation import store as st
from simulation.present import decide as words
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
        found = [d.value for d in at.dataframe if "Ahead of next" in d.value.columns]
    assert found, f"table {key} is shown"
    return found[-1]


def test_ranking_on_the_page_equals_the_engine():
    at = ranked(open_decide())
    ses = load_session(SESSION)
    pr = prioritise(ses, runs=RUNS, seed=ses.base.simulation.seed)
    table = frame(at, "decide_ranking")
    assert list(table["Candidate"]) == list(pr.table["name"])
    assert list(table["Δ NPV"].round(6)) == list(pr.table["npv"].round(6))
    assert list(table["Δ delivery"].round(6)) == list(pr.table["delivery_days"].round(6))
    assert list(table.columns) == decide.RANKING_COLUMNS, "the short view fits 1,280 px"
    assert list(table["Ahead of next"]) == [
        words.ahead_short(c) for c in pr.table["rank_confidence"]
    ]
    text = " ".join(m.value for m in at.markdown)
    for call in words.close_calls(pr.table):
        assert call in text, "each close call explained where the ranking shows"
    assert "NPV per day of delay" in text
    assert words.RANK_RULE in text, "the rule, in the words the report uses"
    at.toggle(key="decide_more_columns").set_value(True).run()
    table = frame(at, "decide_ranking")
    assert all(table["Δ NPV 90%"].str.startswith("["))
    assert "Rank confidence" in table.columns
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
    note = words.combination_note(pr.effect(c.ids), ses.constraint)
    assert note.startswith("Together they"), "the session has a constraint to check"
    shown = [m.value for m in [*at.caption, *at.warning]]
    assert note in shown, "the page says whether the pair keeps the constraint"


def decide_one(at: AppTest, cid: str, choice: str, who: str, why: str = "") -> AppTest:
    at.selectbox(key="decide_candidate").set_value(cid)
    at.radio(key="decide_choice").set_value(choice)
    next(w for w in at.text_area if w.label == "Rationale").set_value(why)
    next(w for w in at.text_input if w.label == "Decided by").set_value(who)
    next(b for b in at.button if b.label == "Record decision").click()
    return at.run()


def test_a_decision_is_stored_with_its_numbers_and_two_people_keep_both(isolated):
    ana = ranked(open_decide())
    ben = ranked(open_decide())  # opened before Ana decides
    decide_one(ana, "drop-mobile-app", "accept", "Ana (PMO)", "Low value for its effort")
    assert any("Recorded: accept" in s.value for s in ana.success)
    [row] = dec.list_decisions(store=st.Store(isolated), session_id="grant-portal-release")
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
    assert shown.set_index("Candidate").loc["Drop the mobile app wrapper", "Decision"] == "reject"
    assert any(b.label == "Accepted set as a variant (YAML)" for b in ana.get("download_button"))


def upload_session(at: AppTest, name: str, text: str) -> AppTest:
    """Upload a session file and rank it with RUNS futures each."""
    at.file_uploader(key="decide_upload").set_value((name, text.encode(), "application/x-yaml"))
    at.run()
    at.number_input(key="decide_runs").set_value(RUNS).run()
    at.button(key="decide_rank").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def decisions_shown(at: AppTest) -> dict[str, tuple[str, str]]:
    """Candidate name -> (decision, decided by) as the page's decision table shows them."""
    shown = [d.value for d in at.dataframe if "Decided by" in d.value.columns][-1]
    return {r["Candidate"]: (r["Decision"], r["Decided by"]) for _, r in shown.iterrows()}


def test_two_uploads_with_one_name_but_not_one_id_keep_apart(isolated):
    """Ana and Eve upload session files with the same name and candidates but their own
    ids; a file of that name without an id comes third. Eve sees none of Ana's
    decisions, is not told of them, and her record does not replace Ana's; the id-less
    file gets an id of its own, says so, offers the file with it, and lists a record
    made under the name alone before ids (never Ana's or Eve's). Catches decisions
    looked up or recorded by name."""
    import yaml

    from dashboard.decide import session_file

    ses = load_session(SESSION)
    name, ana_text = session_file(replace(ses, id="team-ana-0001"))
    _, eve_text = session_file(replace(ses, id="team-eve-0002"))
    bare = yaml.safe_load(ana_text)
    bare.pop("id")
    store = st.Store(isolated)
    dec.record_decision(ses.name, "late-api", "defer", "Old record", store=store)
    drop = ses.candidate("drop-mobile-app").name

    ana = upload_session(open_decide(), name, ana_text)
    decide_one(ana, "drop-mobile-app", "accept", "Ana (PMO)")
    assert decisions_shown(ana)[drop] == ("accept", "Ana (PMO)")
    assert "Old record" not in str(decisions_shown(ana)), "id-less records are not hers"

    eve = upload_session(open_decide(), name, eve_text)
    assert {d for d, _ in decisions_shown(eve).values()} == {""}, "nothing of Ana's"
    decide_one(eve, "drop-mobile-app", "reject", "Eve")
    assert not any("Meanwhile" in seen(w) for w in eve.warning), "Ana's is not hers"
    assert decisions_shown(eve)[drop] == ("reject", "Eve")
    ana.run()
    assert decisions_shown(ana)[drop] == ("accept", "Ana (PMO)"), "Eve did not extend it"
    assert [d.decided_by for d in dec.list_decisions(store=store, session_id="team-ana-0001")] == [
        "Ana (PMO)"
    ]

    third = upload_session(open_decide(), "bare.yaml", yaml.safe_dump(bare))
    given = third.session_state["decide_session"].id
    assert given not in (None, "team-ana-0001", "team-eve-0002")
    assert any(f"gave it one: `{given}`" in w.value for w in third.warning), [
        w.value for w in third.warning
    ]
    assert any(b.label == "Session file with its id (YAML)" for b in third.get("download_button"))
    assert {d for d, _ in decisions_shown(third).values()} == {""}
    before = next(e for e in third.expander if "before sessions had ids (1)" in e.label)
    assert list(before.dataframe[0].value["decided_by"]) == ["Old record"]


def test_a_decision_without_a_name_is_refused_and_nothing_is_written(isolated):
    at = ranked(open_decide())
    decide_one(at, "late-api", "reject", "   ")
    assert any("Not recorded: Decided by: required" in seen(e) for e in at.error), [
        seen(e) for e in at.error
    ]
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
    bad = text.replace("- id: ", "- id: Bad Id ", 1)
    at.file_uploader(key="decide_upload").set_value(
        ("bad.yaml", bad.encode(), "application/x-yaml")
    ).run()
    errors = [seen(e) for e in at.error]
    assert any("bad.yaml" in e and "candidates[0].id" in e for e in errors), errors


def test_the_candidates_are_listed_before_ranking():
    """After Load session the candidates and their changes are on the page, in the
    engine's words with items by their names (a new user found only a count there,
    then ids such as 'mobile-app' a room does not know)."""
    at = open_decide()
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    ses = load_session(SESSION)
    listed = [d.value for d in at.dataframe if "Changes" in d.value.columns]
    assert listed, "the candidates table is shown"
    table = listed[0]
    assert list(table["Candidate"]) == [c.name for c in ses.candidates]
    names = {it.id: it.label for _, it in ses.base.all_items()}
    expected = []
    for c in ses.candidates:
        text = "; ".join(ch.describe() for ch in c.changes)
        for iid, name in names.items():
            text = text.replace(f"'{iid}'", f"'{name}'")
        expected.append(text)
    assert list(table["Changes"]) == expected
    assert "Removes 'Mobile app wrapper' from scope before work starts" in expected
    assert not any("'mobile-app'" in t for t in table["Changes"]), "no ids on the page"


def _lever_fields(at: AppTest, prefix: str) -> dict[str, tuple]:
    """The lever form's number fields: key without the page prefix -> (label, value,
    min, max)."""
    return {
        w.key.removeprefix(prefix): (w.label, w.value, w.min, w.max)
        for w in at.number_input
        if w.key and w.key.startswith(prefix)
    }


def test_whatif_and_decide_share_one_lever_form():
    """Every lever shows the same fields, defaults and bounds on both pages (the
    add-people lever once defaulted to 2 people on What-if and 1 on Decide)."""
    from dashboard import levers

    whatif = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    whatif.switch_page("dashboard/pages/whatif.py").run()
    dec_page = open_decide()
    dec_page.radio(key="decide_source").set_value("levers").run()
    for lever in levers.LEVERS:
        whatif.selectbox(key="lv_which").set_value(lever).run()
        dec_page.selectbox(key="decide_lever").set_value(lever).run()
        a, b = _lever_fields(whatif, "lv_"), _lever_fields(dec_page, "dl_")
        assert a == b, lever
    dec_page.selectbox(key="decide_lever").set_value("add_people").run()
    assert _lever_fields(dec_page, "dl_")["people"][1] == 2, "the What-if default"


def test_lever_candidates_clear_rename_and_remove():
    """Add two candidates: the name box is empty again after each Add; the first
    can be renamed and the second removed on their own; a remove-items candidate
    names the item, never its id."""
    at = open_decide()
    at.radio(key="decide_source").set_value("levers").run()
    at.selectbox(key="decide_lever").set_value("delay_start").run()
    at.text_input(key="dl_cand_name_0").set_value("Late start")
    next(b for b in at.button if b.label == "Add candidate").click().run()
    assert at.text_input(key="dl_cand_name_1").value == "", "the name box clears"
    at.selectbox(key="decide_lever").set_value("remove_items").run()
    at.multiselect(key="dl_remove_ids").set_value(["approvals"])
    next(b for b in at.button if b.label == "Add candidate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    built = at.session_state["decide_built"]
    assert [c[1] for c in built] == ["Late start", "Remove approvals"]
    text = " ".join(seen(m) for m in at.markdown)
    assert "Removes 'PO approval queue' from scope" in text and "'approvals'" not in text
    at.text_input(key="dl_built_name_0").set_value("Start two weeks late").run()
    assert [c[1] for c in at.session_state["decide_built"]] == [
        "Start two weeks late",
        "Remove approvals",
    ]
    at.button(key="dl_built_remove_1").click().run()
    assert [c[1] for c in at.session_state["decide_built"]] == ["Start two weeks late"]


def test_decisions_read_well_and_the_accepted_set_is_a_row(isolated):
    """After two accepts: the form is empty again, the table has readable headers
    and times ("… UTC"), and a last row with the accepted set simulated together
    (paired), equal to the engine's; the sentence above it says the same."""
    at = ranked(open_decide())
    decide_one(at, "saved-drafts", "accept", "Ana (PMO)", "Worth it")
    assert next(w for w in at.text_area if w.label == "Rationale").value == "", "it clears"
    assert next(w for w in at.text_input if w.label == "Decided by").value == ""
    decide_one(at, "installer-search", "accept", "Ana (PMO)", "Also")
    at.toggle(key="decide_more_columns").set_value(True).run()  # the Δ columns
    shown = [d.value for d in at.dataframe if "Decided at" in d.value.columns][-1]
    assert "Decided_by" not in shown.columns and "Decided by" in shown.columns
    assert shown["Decided at"].iloc[0].endswith("UTC") or shown["Decided at"].iloc[1].endswith(
        "UTC"
    )
    last = shown.iloc[-1]
    assert last["Candidate"] == "The accepted set together"
    ses = load_session(SESSION)
    pr = prioritise(ses, runs=RUNS, seed=ses.base.simulation.seed)
    effect = pr.effect(["saved-drafts", "installer-search"])
    assert last["Δ NPV"] == pytest.approx(effect["npv"])
    assert last["Δ delivery (days)"] == pytest.approx(effect["delivery_days"])
    names = {c.id: c.name for c in ses.candidates}
    assert words.accepted_sentence(effect, names) in " ".join(m.value for m in at.markdown)


def test_file_names_keep_the_whole_session_name():
    """A 60-character session name is kept whole in the downloaded files (ids stop
    at 40 characters, file names must not)."""
    name = "Quarterly scope review of the grant portal release, second pass"
    assert decide.file_stem(name, "-decisions.csv") == (
        "quarterly-scope-review-of-the-grant-portal-release-second-pass-decisions.csv"
    )


def test_the_decision_table_gives_the_rationale_room_and_numbers_on_request(isolated):
    """At 1280 px eleven columns cut the rationale to a word: by default the decision
    table shows who decided what and why, and the four Δ columns (in the ranking
    above) come back with "More columns".

    Catches: the numbers always shown (the rationale cut), or lost for good.
    """
    at = decide_one(ranked(open_decide()), "late-api", "reject", "Ana (PMO)", "Too late.")
    table = [d.value for d in at.dataframe if "Decided by" in d.value.columns][-1]
    assert "Too late." in set(table["Rationale"])
    assert not set(decide.DECISION_NUMBERS) & set(table.columns)
    at.toggle(key="decide_more_columns").set_value(True).run()
    table = [d.value for d in at.dataframe if "Decided by" in d.value.columns][-1]
    assert set(decide.DECISION_NUMBERS) <= set(table.columns)


def test_more_lever_candidates_than_a_session_holds_are_refused_in_words():
    """51 lever candidates (one more than a session file may list) made a session
    that skipped the file's bounds; now the page says why, in the file's words, and
    keeps no session."""
    from simulation.decide.sessions import MAX_CANDIDATES
    from simulation.scenario.changes import parse_changes

    at = open_decide()
    at.radio(key="decide_source").set_value("levers").run()
    slip = parse_changes([{"delay_start": {"days": 1}}])
    at.session_state["decide_built"] = [
        [f"Slip {i}", f"Slip {i}", slip] for i in range(MAX_CANDIDATES + 1)
    ]
    at.run()
    at.button(key="decide_use_built").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(seen(e) for e in at.error)
    assert "candidates: at most 50 candidates in a session, got 51" in errors, errors
    assert "decide_session" not in at.session_state
