"""Session files at their bounds (docs/reference/decide.md): what is refused, what is not.

Bounds, each exactly at the edge and one past it:

* a candidate needs at least one change (``changes: []`` is the base itself, nothing
  to rank);
* a constraint is a probability from 0 to 1, both ends included (0 asks for nothing,
  1 for every future);
* at most ``MAX_CANDIDATES`` (50) candidates: 50 load, 51 are refused.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from dashboard.decide import session_from_changes
from simulation import ScenarioError, load_scenario
from simulation.decide.sessions import (
    CANDIDATE_ID_RULE,
    MAX_CANDIDATES,
    SESSION_ID,
    Candidate,
    Session,
    load_session,
    load_session_text,
    new_session,
    new_session_id,
    parse_session,
    read_session_key,
    session_data,
    session_files,
    sessions_dir,
)
from simulation.scenario.changes import parse_changes
from tests.helpers import LIBRARY, ROOT

DATA = ROOT / "tests" / "data"


def _load(tmp_path, edit):
    data = yaml.safe_load((DATA / "hand-session.yaml").read_text())
    edit(data)
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    path = tmp_path / "bounds.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_session(path), path


def _refused(tmp_path, edit) -> str:
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, edit)
    return str(info.value).removeprefix(f"{tmp_path / 'bounds.yaml'}: ")


def _many(n: int):
    def edit(d):
        d["candidates"] = [
            {"id": f"slip-{i}", "changes": [{"delay_start": {"days": i % 5 + 1}}]} for i in range(n)
        ]

    return edit


@pytest.mark.parametrize("changes", [[], None])
def test_a_candidate_without_changes_is_refused(tmp_path, changes):
    """Catches a check on the key's presence only: ``changes: []`` would rank the base
    against itself (Δ 0 everywhere, a "loss" ranked with the rest)."""

    def edit(d):
        d["candidates"].append({"id": "nothing", "changes": changes})

    message = _refused(tmp_path, edit)
    got = "an empty list" if changes == [] else "nothing"
    assert message == f"candidates[6].changes: list at least one change, got {got}"


@pytest.mark.parametrize("floor", [0, 0.0, 1, 1.0, 0.7])
def test_a_constraint_from_0_to_1_is_accepted_ends_included(tmp_path, floor):
    """Catches ``0 < v`` or ``v < 1`` in place of ``0 <= v <= 1``."""
    ses, _ = _load(tmp_path, lambda d: d.update(constraint={"on_time_probability": floor}))
    assert ses.constraint == {"on_time_probability": float(floor)}


@pytest.mark.parametrize("floor", [-0.01, 1.01, True, "0.5"])
def test_a_constraint_outside_0_to_1_is_refused_with_the_value(tmp_path, floor):
    message = _refused(tmp_path, lambda d: d.update(constraint={"outcome_probability": floor}))
    assert message == (
        f"constraint.outcome_probability: must be a probability from 0 to 1, got {floor!r}"
    )


def test_exactly_the_maximum_of_candidates_loads_one_more_is_refused(tmp_path):
    """50 candidates load; 51 are refused naming the bound and the count. Catches
    ``>=`` in place of ``>`` (50 refused) and a missing bound (51 accepted)."""
    assert MAX_CANDIDATES == 50
    ses, _ = _load(tmp_path, _many(MAX_CANDIDATES))
    assert len(ses.candidates) == 50
    assert _refused(tmp_path, _many(MAX_CANDIDATES + 1)) == (
        "candidates: at most 50 candidates in a session, got 51"
    )


# ------------------------------------------------------------------ messages
HAND_IDS = "extra, report, polish, drop-d, slip, third-person"


def test_an_unknown_candidate_names_the_close_one_or_lists_them_all(tmp_path):
    ses, _ = _load(tmp_path, lambda d: None)
    with pytest.raises(ScenarioError) as close:
        ses.candidate("extr")
    assert (
        str(close.value)
        == "no candidate 'extr' in session 'Hand-worked session'; did you mean 'extra'?"
    )
    with pytest.raises(ScenarioError) as far:
        ses.candidate("zzz")
    assert (
        str(far.value) == f"no candidate 'zzz' in session 'Hand-worked session' (known: {HAND_IDS})"
    )


def test_candidates_that_do_not_combine_name_each_other_and_the_change(tmp_path):
    """extra adds item e; extra-too adds another e: applied in file order, the second
    fails after the first, and the message names both, the order and the field."""

    def edit(d):
        d["candidates"].append(
            {"id": "extra-too", "changes": [{"add_items": {"items": [{"id": "e", "effort": 3}]}}]}
        )

    ses, _ = _load(tmp_path, edit)
    with pytest.raises(ScenarioError) as info:
        ses.scenario_of(["extra-too", "extra"])
    msg = str(info.value)
    assert msg.startswith(
        "candidates extra, extra-too do not combine: after extra: "
        "extra-too.changes[0].add_items.items[0].id:"
    ), msg
    assert info.value.problems and info.value.problems[0][0].startswith("extra-too.changes[0]")
    assert ses.scenario_of([]) is ses.base, "no candidate: the base itself"


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("name"), "name: required"),
        (
            lambda d: d.update(name="   "),
            "name: expected text of 1 to 200 characters, got other text",
        ),
        (lambda d: d.update(name=5), "name: expected text of 1 to 200 characters, got int 5"),
        (
            lambda d: d.update(name="x" * 201),
            "name: expected text of 1 to 200 characters, got other text",
        ),
        (
            lambda d: d.update(description=["a"]),
            "description: expected text of 1 to 5,000 characters, got a list",
        ),
        (
            lambda d: d["candidates"][0].update(notes={"a": 1}),
            "candidates[0].notes: expected text of 1 to 5,000 characters, got a mapping",
        ),
        (
            lambda d: d.update(tags=1),
            "tags: unknown key; known keys: id, name, base, description, candidates, constraint",
        ),
        (
            lambda d: d["candidates"][0].update(requestd_by="Ana"),
            "candidates[0].requestd_by: unknown key; did you mean 'requested_by'?",
        ),
        (lambda d: d["candidates"][0].pop("id"), "candidates[0].id: required"),
        (
            lambda d: d["candidates"].__setitem__(0, "extra"),
            "candidates[0]: expected a candidate like {id: x, changes: [...]}, got str 'extra'",
        ),
        (
            lambda d: d.update(candidates={"a": 1}),
            "candidates: list at least one candidate (id and changes), got a mapping",
        ),
        (
            lambda d: d.update(constraint=[0.5]),
            "constraint: expected a mapping like {on_time_probability: 0.7}, got a list",
        ),
        (
            lambda d: d.update(constraint={"zzz": 0.5}),
            "constraint.zzz: unknown key; known keys: on_time_probability, outcome_probability",
        ),
        (
            lambda d: d.update(constraint={"on_time_probabilty": 0.5}),
            "constraint.on_time_probabilty: unknown key; did you mean 'on_time_probability'?",
        ),
        (
            lambda d: d.update(constraint={"on_time_probability": 2}),
            "constraint.on_time_probability: must be a probability from 0 to 1, got 2",
        ),
        (
            lambda d: d.pop("base"),
            "base: required: the scenario file the candidates change, e.g. ../supply-chain.yaml",
        ),
        (
            lambda d: d.update(base=5),
            "base: expected the base file's name, like supply-chain.yaml, got int 5",
        ),
        (
            lambda d: d.update(candidates=[]),
            "candidates: list at least one candidate (id and changes), got an empty list",
        ),
        (
            lambda d: d.update(candidates=None),
            "candidates: list at least one candidate (id and changes), got nothing",
        ),
        (
            lambda d: d.update(candidates=[{}] * 51),  # counted before any is read
            "candidates: at most 50 candidates in a session, got 51",
        ),
        (
            lambda d: d["candidates"][1].update(id="extra"),
            "candidates[1].id: duplicate id 'extra' (also candidates[0])",
        ),
        (
            lambda d: d["candidates"][0].update(id="Extra!"),
            f"candidates[0].id: must be {CANDIDATE_ID_RULE}, got 'Extra!'",
        ),
        (
            lambda d: d["candidates"][0].update(id=7),
            f"candidates[0].id: must be {CANDIDATE_ID_RULE}, got 7",
        ),
        (
            lambda d: d["candidates"][0].update(changes=[]),
            "candidates[0].changes: list at least one change, got an empty list",
        ),
        (
            lambda d: d["candidates"][0].update(changes={}),
            "candidates[0].changes: list at least one change, got a mapping",
        ),
        (
            lambda d: d["candidates"][0].update(changes="x"),
            "candidates[0].changes: expected a list of changes, got the text 'x'",
        ),
        (
            lambda d: d["candidates"][3].update(changes=[{"remove_items": ["zz"]}]),
            "candidates[3].changes[0].remove_items.ids[0]: no item has id 'zz'",
        ),
        (
            lambda d: d["candidates"][1].update(name=""),
            "candidates[1].name: expected text of 1 to 200 characters, got other text",
        ),
        (
            lambda d: d["candidates"][1].update(requested_by=5),
            "candidates[1].requested_by: expected text of 1 to 200 characters, got int 5",
        ),
        (
            lambda d: d.update(description=" "),
            "description: expected text of 1 to 5,000 characters, got other text",
        ),
    ],
)
def test_messages_name_the_field_and_what_was_given(tmp_path, edit, message):
    """Each message as documented: the field path, the rule, what the file had."""
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, edit)
    path = str(tmp_path / "bounds.yaml")
    assert str(info.value) == f"{path}: {message}"
    assert info.value.source == path
    field, _, rule = message.partition(": ")
    assert info.value.problems == [(field, rule)]


def test_text_fields_are_kept_trimmed_and_at_their_limit(tmp_path):
    """200 characters of name (spaces included) and 5,000 of notes are accepted, trimmed."""

    def edit(d):
        d["name"] = " " + "n" * 198 + " "  # the limit counts the spaces too
        d["candidates"][0].update(notes="x" * 5_000, requested_by=" Ana ")

    ses, _ = _load(tmp_path, edit)
    assert ses.name == "n" * 198
    assert ses.candidates[0].notes == "x" * 5_000
    assert ses.candidates[0].requested_by == "Ana"
    assert ses.candidates[1].name == "Second report (25 days, 100/week)"
    assert ses.candidates[1].requested_by is None


def test_a_long_value_is_cut_in_the_message(tmp_path):
    """What the file had is shown in at most 60 characters."""
    message = _refused(tmp_path, lambda d: d["candidates"].__setitem__(0, "y" * 100))
    assert message.endswith("got str '" + "y" * 55)  # "str '" and 55 y: 60


def test_the_base_is_named_as_the_base(tmp_path):
    """Missing, not found, and the base's own name kept (not "name (session file)")."""
    assert _refused(tmp_path, lambda d: d.pop("base")) == (
        "base: required: the scenario file the candidates change, e.g. ../supply-chain.yaml"
    )
    missing = _refused(tmp_path, lambda d: d.update(base="nowhere.yaml"))
    assert missing.startswith("base: base file 'nowhere.yaml' not found")
    ses, _ = _load(tmp_path, lambda d: None)
    assert ses.base.name == "Four serial steps" and ses.base_ref == "hand-base.yaml"


def test_text_form_file_form_and_the_folder(tmp_path):
    """An upload reads like a file; the file form keeps every optional field it had and
    leaves out the ones it did not; a folder lists .yaml and .yml files by name."""
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    text = (DATA / "hand-session.yaml").read_text()
    ses = load_session_text(text, "up.yaml", tmp_path)
    assert ses.source == "up.yaml" and len(ses.candidates) == 6
    data = yaml.safe_load(text)
    data["description"] = "Q2 review"
    data["candidates"][0].update(requested_by="Ana", notes="Sales asks")
    full = session_data(parse_session(data, "f.yaml", tmp_path))
    assert full["description"] == "Q2 review" and full["base"] == "hand-base.yaml"
    assert full["candidates"][0]["requested_by"] == "Ana"
    assert full["candidates"][0]["notes"] == "Sales asks"
    assert full["constraint"] == {"on_time_probability": 0.7}
    assert "requested_by" not in full["candidates"][1] and "notes" not in full["candidates"][1]
    data.pop("constraint")
    data.pop("description")
    bare = session_data(parse_session(data, "f.yaml", tmp_path))
    assert "constraint" not in bare and "description" not in bare
    for name in ("b.yml", "a.yaml", "c.txt"):
        (tmp_path / "lib" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "lib" / name).write_text("x")
    assert [p.name for p in session_files(tmp_path / "lib")] == ["a.yaml", "b.yml"]
    assert sessions_dir() == LIBRARY / "sessions"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("q2", "'q2'"),  # 7 characters at most is too short to be anyone's own
        ("Q2-scope-review", "'Q2-scope-review'"),
        ("q2 scope review", "'q2 scope review'"),
        ("-leading-hyphen", "'-leading-hyphen'"),
        ("x" * 65, "'" + "x" * 65 + "'"),
        (20270104, "int 20270104"),
        (["a"], "a list"),
    ],
)
def test_a_bad_session_id_is_refused_naming_the_field(tmp_path, value, shown):
    """The id rule at its edges: 8 to 64 characters, lower-case letters, digits and '-',
    not starting with '-'. Catches an id not checked (a name with spaces, upper case or
    a number would key the store) and a message without the field."""
    assert _refused(tmp_path, lambda d: d.update(id=value)) == (
        "id: must be 8-64 lower-case letters, digits or '-', starting with a letter or "
        f"digit, got {shown}"
    )


def test_the_session_id_is_read_kept_and_written_first(tmp_path):
    """8 and 64 characters load; the file form writes the id first and reads back
    equal; a file without an id has none and writes none; a fresh id fits the rule and
    differs each time; the bundled sessions have fixed ids of their own."""
    for value in ("q2-scope", "a" * 64):
        ses, path = _load(tmp_path, lambda d, v=value: d.update(id=v))
        assert ses.id == value and read_session_key(path) == ("Hand-worked session", value)
        assert next(iter(session_data(ses))) == "id" and session_data(ses)["id"] == value
        again = parse_session(yaml.safe_load(yaml.safe_dump(session_data(ses))), "a.yaml", tmp_path)
        assert again.id == value
    bare, path = _load(tmp_path, lambda d: d.pop("id", None))
    assert bare.id is None and "id" not in session_data(bare)
    assert read_session_key(path) == ("Hand-worked session", None)
    fresh = {new_session_id() for _ in range(3)}
    assert len(fresh) == 3 and all(SESSION_ID.fullmatch(i) for i in fresh)
    ids = [load_session(f).id for f in session_files()]
    assert all(ids) and len(set(ids)) == len(ids), ids


# ------------------------------------------------- sessions built on the page
def _slips(n: int) -> list[tuple[str, tuple]]:
    """``n`` lever candidates as the Decide page builds them: (name, typed changes)."""
    return [(f"Slip {i}", parse_changes([{"delay_start": {"days": i % 5 + 1}}])) for i in range(n)]


def test_a_session_from_the_levers_has_a_session_files_candidate_bound():
    """The page's lever and What-if sessions skipped the file's bounds: 51 candidates
    made a session (51 simulations and a 51-row map). Now 50 make one and 51 are
    refused with the file's message, field path and all; no file, so no file name."""
    base = load_scenario(DATA / "hand-base.yaml")
    ses = session_from_changes(base, _slips(MAX_CANDIDATES), "Candidates for Four serial steps")
    assert [c.id for c in ses.candidates][:2] == ["slip-0", "slip-1"]
    assert len(ses.candidates) == 50 and ses.source is None
    with pytest.raises(ScenarioError) as info:
        session_from_changes(base, _slips(MAX_CANDIDATES + 1), "Too many")
    assert str(info.value) == "candidates: at most 50 candidates in a session, got 51"
    assert info.value.problems == [("candidates", "at most 50 candidates in a session, got 51")]
    with pytest.raises(ScenarioError) as none:
        session_from_changes(base, [], "Nothing")
    assert str(none.value) == (
        "candidates: list at least one candidate (id and changes), got an empty list"
    )


def test_a_session_from_the_page_gets_a_session_files_other_checks():
    """The same checks as a file, worded as for a file: a candidate with no change,
    one that does not apply to the base (item 'zz' is not in the hand base), a
    constraint outside [0, 1], a duplicate id, and a text field over its limit."""
    base = load_scenario(DATA / "hand-base.yaml")
    slip = parse_changes([{"delay_start": {"days": 5}}])
    cases = [
        (
            [Candidate("a", "A", ())],
            {},
            "candidates[0].changes: list at least one change, got an empty list",
        ),
        (
            [Candidate("a", "A", parse_changes([{"remove_items": ["zz"]}]))],
            {},
            "candidates[0].changes[0].remove_items.ids[0]: no item has id 'zz'",
        ),
        (
            [Candidate("a", "A", slip)],
            {"constraint": {"on_time_probability": 1.5}},
            "constraint.on_time_probability: must be a probability from 0 to 1, got 1.5",
        ),
        (
            [Candidate("a", "A", slip), Candidate("a", "B", slip)],
            {},
            "candidates[1].id: duplicate id 'a' (also candidates[0])",
        ),
        (
            [Candidate("A b", "A", slip)],
            {},
            f"candidates[0].id: must be {CANDIDATE_ID_RULE}, got 'A b'",
        ),
        (
            [Candidate("a", "A", slip, notes="x" * 5_001)],
            {},
            "candidates[0].notes: expected text of 1 to 5,000 characters, got other text",
        ),
        (
            [Candidate("a", "", slip)],
            {},
            "candidates[0].name: expected text of 1 to 200 characters, got other text",
        ),
    ]
    one = [Candidate("a", "A", slip)]
    cases += [
        (one, {"name": ""}, "name: expected text of 1 to 200 characters, got other text"),
        (one, {"name": None}, "name: required"),
        (
            one,
            {"description": " "},
            "description: expected text of 1 to 5,000 characters, got other text",
        ),
        ([Candidate("a", None, slip)], {}, "candidates[0].name: required"),
        (
            [Candidate(f"c{i}", "C", slip) for i in range(MAX_CANDIDATES + 1)],
            {},
            "candidates: at most 50 candidates in a session, got 51",
        ),
    ]
    for candidates, extra, message in cases:
        with pytest.raises(ScenarioError) as info:
            new_session(base, candidates, **{"name": "Page session", **extra}, source="page")
        assert str(info.value) == f"page: {message}"
        assert info.value.source == "page"


def test_a_session_from_the_page_keeps_what_it_was_given():
    """Name trimmed as a file's, the constraint as floats, the reference and the source."""
    base = load_scenario(DATA / "hand-base.yaml")
    cand = Candidate("a", "A", parse_changes([{"delay_start": {"days": 5}}]), notes="N")
    ses = new_session(
        base,
        [cand],
        "  Page session ",
        base_ref="hand-base.yaml",
        description=" D ",
        constraint={"outcome_probability": 1},
        source="page",
    )
    assert (ses.name, ses.description, ses.base_ref, ses.source) == (
        "Page session",
        "D",
        "hand-base.yaml",
        "page",
    )
    assert ses.constraint == {"outcome_probability": 1.0}
    assert ses.candidates == (cand,) and ses.base is base


def test_a_long_scenario_name_still_makes_a_session_from_the_levers():
    """ "Candidates for " + a 200-character scenario name is 215 characters, over a
    session name's 200: the page shortens it to 199 characters and an ellipsis, so the
    session (and the file saved from it) keeps within the file's bound."""
    base = load_scenario(DATA / "hand-base.yaml")
    ses = session_from_changes(base, _slips(1), "Candidates for " + "n" * 200)
    assert ses.name == "Candidates for " + "n" * 184 + "…"
    assert len(ses.name) == 200
    exact = "Candidates for " + "n" * 185
    assert session_from_changes(base, _slips(1), exact).name == exact, "200: kept whole"


# ------------------------------------------------- where a message points
def test_a_file_that_is_not_a_mapping_is_named():
    with pytest.raises(ScenarioError) as info:
        parse_session(["name"], "list.yaml")
    assert str(info.value) == (
        "list.yaml: a session file holds a mapping (name, base, candidates), got a list"
    )
    assert info.value.source == "list.yaml"


def test_a_base_not_found_is_the_sessions_base_field(tmp_path):
    """The variant machinery says ``extends``; a session file says ``base``, in the
    message and in the problems a form shows (the folder looked in is named too)."""
    message = _refused(tmp_path, lambda d: d.update(base="nowhere.yaml"))
    rule = f"base file 'nowhere.yaml' not found (looked in {tmp_path} and scenarios)"
    assert message == f"base: {rule}"
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, lambda d: d.update(base="nowhere.yaml"))
    assert info.value.problems == [("base", rule)]
    assert info.value.source == str(tmp_path / "bounds.yaml")


def test_a_problem_inside_the_base_file_names_the_base_file(tmp_path):
    """A base file missing its required sections: the message is the base file's own,
    naming it, not the session file (whose ``base`` field is fine)."""
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "base.yaml").write_text("name: x\n")
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, lambda d: d.update(base="bad/base.yaml"))
    base_file = str(tmp_path / "bad" / "base.yaml")
    assert str(info.value) == f"{base_file}: start_date: required (and 2 more problems)"
    assert info.value.source == base_file
    assert info.value.problems == [
        ("start_date", "required"),
        ("team", "required"),
        ("items", "required"),
    ]


def test_without_a_file_the_session_and_the_upload_are_named_so(tmp_path, monkeypatch):
    """Data without a source is ``<session>``, text without one ``<upload>``; with no
    folder given the base is looked for in the working folder."""
    data = yaml.safe_load((DATA / "hand-session.yaml").read_text())
    shutil.copy(DATA / "hand-base.yaml", tmp_path / "hand-base.yaml")
    with pytest.raises(ScenarioError) as info:
        parse_session({**data, "name": None}, base_dir=tmp_path)
    assert str(info.value) == "<session>: name: required"
    assert info.value.source == "<session>"
    with pytest.raises(ScenarioError) as upload:
        load_session_text("name: x\nbase: hand-base.yaml\n", base_dir=tmp_path)
    assert str(upload.value) == (
        "<upload>: candidates: list at least one candidate (id and changes), got nothing"
    )
    assert load_session_text(yaml.safe_dump(data), base_dir=tmp_path).source == "<upload>"
    monkeypatch.chdir(tmp_path)
    ses = parse_session(data)
    assert ses.base.name == "Four serial steps" and ses.source == "<session>"


def test_each_candidate_reads_as_its_changes_and_the_ids_keep_file_order(tmp_path):
    """Worked from the hand session file: one line per change, in the words of the
    change descriptions (25 person-days, 300/week, before work starts)."""
    ses, _ = _load(tmp_path, lambda d: None)
    assert ses.ids() == ["extra", "report", "polish", "drop-d", "slip", "third-person"]
    assert ses.candidate("extra").describe() == [
        "Adds 'e' (25 person-days, 300/week) before work starts"
    ]
    assert ses.candidate("slip").describe() == ["Delays the start of build work by 5 working days"]
    assert ses.candidate("drop-d").name == "Drop step d"


def test_a_third_candidate_that_does_not_combine_names_both_before_it(tmp_path):
    """extra, report, then extra-too (a second item 'e'): the message lists the two
    applied before it, comma-separated, in file order."""

    def edit(d):
        d["candidates"].append(
            {"id": "extra-too", "changes": [{"add_items": {"items": [{"id": "e", "effort": 3}]}}]}
        )

    ses, _ = _load(tmp_path, edit)
    with pytest.raises(ScenarioError) as info:
        ses.scenario_of(["extra-too", "report", "extra"])
    assert str(info.value).startswith(
        "candidates extra, report, extra-too do not combine: after extra, report: "
        "extra-too.changes[0].add_items.items[0].id:"
    ), str(info.value)


def test_a_session_made_by_hand_names_the_base_when_a_candidate_alone_fails(tmp_path):
    """A Session constructed directly (the dataclass, no checks) with a candidate
    that removes an item the base lacks: applying it alone fails "after the base"."""
    ses, _ = _load(tmp_path, lambda d: None)
    odd = Candidate("odd", "Odd", parse_changes([{"remove_items": ["zz"]}]))
    by_hand = Session(name="By hand", base=ses.base, candidates=(odd,))
    with pytest.raises(ScenarioError) as info:
        by_hand.scenario_of(["odd"])
    assert str(info.value) == (
        "candidates odd do not combine: after the base: "
        "odd.changes[0].remove_items.ids[0]: no item has id 'zz'"
    )


def test_an_upload_that_is_not_yaml_is_named_by_its_file_name():
    with pytest.raises(ScenarioError) as info:
        load_session_text("name: [unclosed", source="q2.yaml")
    assert str(info.value).startswith("q2.yaml: "), str(info.value)
    assert info.value.source == "q2.yaml"
