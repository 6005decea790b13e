"""Class mode in the store: codes, keys, names, answers, expiry, races.

See docs/reference/train.md and docs/reference/store.md.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from simulation.store import Store
from simulation.store import classrooms as cl
from simulation.store.authors import Identity
from simulation.train.exercises import Estimate


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'classes.sqlite'}")
    yield s
    s.dispose()


@pytest.fixture
def any_store(db_url):
    """A store on SQLite and, where configured, PostgreSQL (tests/db.py)."""
    s = Store(db_url)
    yield s
    s.dispose()


def test_codes_are_short_and_unambiguous():
    for _ in range(200):
        code = cl.new_code()
        assert len(code) == cl.CODE_LENGTH
        assert not set(code) & set("0O1I"), code
    assert cl.normalise_code(" abc-234 ") == "ABC234"


def test_the_key_is_stored_only_as_a_hash(store):
    opened = cl.open_class("freeze.yaml", store)
    with store.begin() as conn:
        row = conn.execute(sa.select(cl.classes)).mappings().one()
    assert opened.key not in str(dict(row)), "the trainer key itself must not be stored"
    assert row["key_hash"] == cl.hash_key(opened.key)
    assert cl.trainer_class(opened.code.lower(), opened.key, store).code == opened.code


def test_wrong_key_and_unknown_code_are_refused_with_a_message(store):
    opened = cl.open_class("freeze.yaml", store)
    with pytest.raises(cl.ClassError, match=f"That trainer key does not open class {opened.code}"):
        cl.trainer_class(opened.code, opened.key + "x", store)
    with pytest.raises(cl.ClassError, match="That trainer key"):
        cl.reveal(opened.code, "", store)
    with pytest.raises(cl.ClassError, match="No class has the code ZZZZZZ"):
        cl.join_class("zzzzzz", "Ana", store)
    with pytest.raises(cl.ClassError, match="Enter the class code"):
        cl.find_class("  ", store)


def test_a_code_collision_draws_again(store, monkeypatch):
    """The unique constraint, not a look-up first, decides that a code is free."""
    first = cl.open_class("freeze.yaml", store)
    draws = iter([first.code, first.code, "QQQQQQ"])
    monkeypatch.setattr(cl, "new_code", lambda: next(draws))
    second = cl.open_class("freeze.yaml", store)
    assert second.code == "QQQQQQ"
    monkeypatch.setattr(cl, "new_code", lambda: first.code)
    with pytest.raises(cl.ClassError, match="free class code"):
        cl.open_class("freeze.yaml", store)


def test_names_are_unique_in_a_class_whatever_the_case(store):
    a = cl.open_class("freeze.yaml", store)
    b = cl.open_class("freeze.yaml", store)
    cl.join_class(a.code, "Ana  Lopez", store)
    with pytest.raises(cl.ClassError, match="The name 'ana lopez' is already taken in class"):
        cl.join_class(a.code, " ana lopez", store)
    assert cl.join_class(b.code, "Ana Lopez", store).name == "Ana Lopez"  # other class: fine
    with pytest.raises(cl.ClassError, match="Enter a display name"):
        cl.join_class(a.code, "   ", store)
    with pytest.raises(cl.ClassError, match="at most 40"):
        cl.join_class(a.code, "x" * 41, store)


def test_an_expired_class_cannot_be_joined_or_answered(store):
    t0 = datetime(2027, 1, 4, 9, tzinfo=UTC)
    opened = cl.open_class("freeze.yaml", store, now=t0)
    ana = cl.join_class(opened.code, "Ana", store, now=t0 + timedelta(hours=1))
    late = t0 + cl.CLASS_LIFETIME + timedelta(seconds=1)
    with pytest.raises(cl.ClassError, match=f"Class {opened.code} has expired"):
        cl.join_class(opened.code, "Ben", store, now=late)
    with pytest.raises(cl.ClassError, match="has expired"):
        cl.submit_answers(ana, {"date": "later"}, store, now=late)
    with pytest.raises(cl.ClassError, match="has expired"):
        cl.trainer_class(opened.code, opened.key, store, now=late)


def test_answers_are_replaced_until_the_reveal_then_closed(store):
    opened = cl.open_class("freeze.yaml", store)
    ana = cl.join_class(opened.code, "Ana", store)
    ben = cl.join_class(opened.code, "Ben", store)
    cl.submit_answers(ana, {"date": "later", "on-time": Estimate(0.5, 0.3, 0.7)}, store)
    cl.submit_answers(ana, {"date": "earlier", "on-time": Estimate(0.8, 0.6, 0.9)}, store)
    assert cl.own_answers(ana, store) == {"date": "earlier", "on-time": Estimate(0.8, 0.6, 0.9)}
    info = cl.trainer_class(opened.code, opened.key, store)
    assert [(r["name"], r["answered"]) for r in cl.roster(info, store)] == [("Ana", 2), ("Ben", 0)]
    with pytest.raises(cl.ClassError, match="only after the trainer reveals"):
        cl.revealed_answers(ana, store)
    assert cl.reveal(opened.code, opened.key, store).revealed
    with pytest.raises(cl.ClassError, match="predictions are closed"):
        cl.submit_answers(ben, {"date": "later"}, store)
    shown = cl.revealed_answers(ben, store)
    assert len(shown) == 2 and all("name" not in r and "trainee_id" not in r for r in shown)
    assert not any(r["mine"] for r in shown), "Ben answered nothing; Ana's rows are not his"
    assert all(r["mine"] for r in cl.revealed_answers(ana, store))


def test_trainees_submitting_at_the_same_moment_all_keep_their_answers(store):
    """Eight trainees join and submit at once (threads): nothing is lost, nobody fails."""
    opened = cl.open_class("freeze.yaml", store)
    n = 8
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def trainee(i: int) -> None:
        try:
            barrier.wait()
            t = cl.join_class(opened.code, f"Trainee {i}", store)
            barrier_submit.wait()
            cl.submit_answers(t, {"date": "later", "on-time": Estimate(i / 10, 0, 0.9)}, store)
        except Exception as exc:
            errors.append(exc)

    barrier_submit = threading.Barrier(n)
    threads = [threading.Thread(target=trainee, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    info = cl.trainer_class(opened.code, opened.key, store)
    rows = cl.class_answers(info, store)
    assert len(rows) == 2 * n
    values = sorted(r["value"] for r in rows if r["question"] == "on-time")
    assert values == pytest.approx([i / 10 for i in range(n)])


def test_the_same_name_joining_twice_at_once_wins_once(store):
    opened = cl.open_class("freeze.yaml", store)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def join() -> None:
        barrier.wait()
        try:
            cl.join_class(opened.code, "Ana", store)
            outcomes.append("joined")
        except cl.ClassError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=join) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("joined") == 1, outcomes
    assert all("already taken" in o for o in outcomes if o != "joined")


def test_a_trainee_rejoins_as_themselves_with_their_answers(store):
    """The token from joining opens the same place after a reload: same id and name,
    same answers. Another trainee's token opens theirs; a made-up token, the trainer
    key or another class's code opens nothing. Only a hash is stored. Catches a rejoin
    by name (anyone could claim it) and a token that works across classes."""
    opened = cl.open_class("freeze.yaml", store)
    ana = cl.join_class(opened.code, "Ana", store)
    ben = cl.join_class(opened.code, "Ben", store)
    assert ana.token and ana.token != ben.token and ana.token != opened.key
    cl.submit_answers(ana, {"date": "later"}, store)
    back = cl.rejoin(opened.code.lower(), ana.token, store)
    assert (back.id, back.name, back.code) == (ana.id, "Ana", opened.code)
    assert cl.own_answers(back, store) == {"date": "later"}
    assert cl.rejoin(opened.code, ben.token, store).name == "Ben"
    other = cl.open_class("freeze.yaml", store)
    for code, token in (
        (opened.code, "made-up"),
        (opened.code, opened.key),
        (other.code, ana.token),
    ):
        with pytest.raises(cl.ClassError, match="no longer opens a place"):
            cl.rejoin(code, token, store)
    with store.begin() as conn:
        hashes = conn.execute(sa.select(cl.trainees.c.token_hash)).scalars().all()
    assert ana.token not in hashes and cl.hash_key(ana.token) in hashes


def test_a_store_from_before_rejoin_tokens_gets_the_column(tmp_path):
    """A store whose trainees table has no token column (made by the first version) is
    migrated on open: the column is added and joining works. Catches a migration that
    only fresh stores pass."""
    from simulation.store import schema_version

    url = f"sqlite:///{tmp_path / 'old.db'}"
    Store(url).dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # back to the first version's table
        conn.execute(sa.text("ALTER TABLE train_trainees DROP COLUMN token_hash"))
        conn.execute(
            schema_version.delete().where(
                schema_version.c.component == "classes", schema_version.c.version == 2
            )
        )
    engine.dispose()
    s = Store(url)
    try:
        cols = {c["name"] for c in sa.inspect(s.engine).get_columns("train_trainees")}
        assert "token_hash" in cols
        opened = cl.open_class("freeze.yaml", s)
        me = cl.join_class(opened.code, "Ana", s)
        assert cl.rejoin(opened.code, me.token, s).id == me.id
    finally:
        s.dispose()


def _refused(message: str):
    """``pytest.raises`` for a :class:`ClassError` whose whole message is ``message``."""
    return pytest.raises(cl.ClassError, match=f"^{re.escape(message)}$")


#: A class opened years before the test runs: every call below passes its own ``now``,
#: so a call that drops it reads the real clock and finds the class long expired.
T0 = datetime(2020, 1, 6, 9, tzinfo=UTC)


def test_a_class_lasts_twelve_hours_to_the_second(any_store):
    """docs/reference/train.md: "A class lasts 12 hours". Opened at 09:00, it expires at
    21:00 (09:00 + 12 h, by hand): a microsecond before, every call works with the given
    ``now``; at 21:00 itself it is over. The class, trainee and rejoin keep the exercise,
    the opening time and the expiry. Catches ``now > expires`` (still open at 21:00), a
    ``now`` dropped on the way (find_class, rejoin, reveal, revealed_answers: the real
    clock, years later, says expired) and an exercise or time lost (None)."""
    store = any_store
    opened = cl.open_class("freeze.yaml", store, now=T0)
    end = datetime(2020, 1, 6, 21, tzinfo=UTC)
    assert (opened.exercise, opened.expires_at) == ("freeze.yaml", end)
    just_before = end - timedelta(microseconds=1)
    info = cl.find_class(opened.code, store, now=just_before)
    assert (info.code, info.exercise, info.created_at, info.expires_at, info.revealed) == (
        opened.code,
        "freeze.yaml",
        T0,
        end,
        False,
    )
    ana = cl.join_class(opened.code, "Ana", store, now=T0 + timedelta(hours=1))
    assert (ana.code, ana.exercise, ana.verified) == (opened.code, "freeze.yaml", False)
    back = cl.rejoin(opened.code, ana.token, store, now=just_before)
    assert (back.id, back.exercise, back.token) == (ana.id, "freeze.yaml", ana.token)
    cl.submit_answers(ana, {"date": "later"}, store, now=just_before)
    assert cl.trainer_class(opened.code, opened.key, store, now=just_before).code == opened.code
    assert cl.reveal(opened.code, opened.key, store, now=just_before).revealed
    assert [r["choice"] for r in cl.revealed_answers(ana, store, now=just_before)] == ["later"]
    expired = (
        f"Class {opened.code} has expired (a class lasts 12 hours); ask the trainer to open "
        "a new one."
    )
    with _refused(expired):
        cl.find_class(opened.code, store, now=end)
    with _refused(expired):
        cl.rejoin(opened.code, ana.token, store, now=end)


def test_an_expired_class_is_not_revealed(store):
    """A reveal after the class expired is refused and leaves predictions open in the
    record (revealed_at stays empty). Catches a reveal that checks the key against the
    real clock instead of ``now`` and writes the reveal before failing."""
    opened = cl.open_class("freeze.yaml", store, now=T0)
    with pytest.raises(cl.ClassError, match="has expired"):
        cl.reveal(opened.code, opened.key, store, now=T0 + cl.CLASS_LIFETIME)
    with store.begin() as conn:
        assert conn.execute(sa.select(cl.classes.c.revealed_at)).scalar_one() is None


def test_revealing_one_class_leaves_the_others_open(store):
    """Two classes at once: the reveal of one closes only its predictions. Catches a
    reveal that updates every unrevealed class (its class id left out)."""
    first = cl.open_class("freeze.yaml", store)
    second = cl.open_class("freeze.yaml", store)
    ben = cl.join_class(second.code, "Ben", store)
    cl.reveal(first.code, first.key, store)
    assert not cl.find_class(second.code, store).revealed
    cl.submit_answers(ben, {"date": "later"}, store)  # still open: no ClassError
    assert cl.own_answers(ben, store) == {"date": "later"}


def test_every_refusal_says_exactly_why(store):
    """The messages the Train page shows, word for word (docs/reference/train.md: a wrong
    or expired code, a taken name, closed predictions each get a message). Catches a
    message emptied, re-cased or given the wrong class code (``NONE``)."""
    opened = cl.open_class("freeze.yaml", store)
    code = opened.code
    with _refused("Enter a display name, so the trainer knows who answered."):
        cl.join_class(code, " \t ", store)
    with _refused("A display name cannot contain control characters."):
        cl.join_class(code, "Ana\x07", store)
    with _refused("A display name has at most 40 characters."):
        cl.join_class(code, "\u3300" * 39 + "\ufdfa", store)
    with _refused("Enter the class code your trainer gave you."):
        cl.join_class("  - ", "Ana", store)
    ana = cl.join_class(code, "Ana", store)
    with _refused(f"The name 'ANA' is already taken in class {code}; add an initial or a number."):
        cl.join_class(code.lower(), "ANA", store)
    ada = Identity("Ada Lovelace", subject="ada-1")
    cl.join_class(code, ada, store)
    with _refused(
        f"The name 'Ada Lovelace' is already in class {code}: if it is you, go back to the "
        "tab or link you joined with."
    ):
        cl.join_class(code.lower(), ada, store)
    with _refused("The class's answers are shown only after the trainer reveals."):
        cl.revealed_answers(ana, store)
    cl.reveal(code, opened.key, store)
    with _refused("The trainer has revealed the answers; predictions are closed."):
        cl.submit_answers(ana, {"date": "later"}, store)


def test_a_taken_code_every_time_says_try_again(store, monkeypatch):
    """Ten draws all taken: the message asks to try again, word for word. Catches the
    message emptied or re-cased."""
    first = cl.open_class("freeze.yaml", store)
    monkeypatch.setattr(cl, "new_code", lambda: first.code)
    with _refused("Could not find a free class code; try again."):
        cl.open_class("freeze.yaml", store)


def test_a_code_is_read_without_spaces_or_dashes_anywhere():
    """A code typed in pieces is one code: "abc 234", "ab c-2 34" read ABC234. Catches
    the pieces joined with something in between."""
    assert cl.normalise_code("abc 234") == "ABC234"
    assert cl.normalise_code(" ab c-2\t34 ") == "ABC234"


def test_the_longest_name_is_counted_after_normalisation():
    """The stored comparison key holds at most 40 * 4 = 160 characters: "\u3300" (SQUARE
    APAATO) becomes four katakana in NFKC, so 40 of them make exactly 160 (allowed), and
    39 of them and "\ufdfa" (18 characters in NFKC) make 39 * 4 + 18 = 174 (refused).
    Catches ``>=`` for ``>`` (the 160 refused) and a larger limit (the 174 allowed)."""
    forty = "\u3300" * 40
    assert len(cl.name_key(forty)) == 160
    assert cl.clean_name(forty) == forty
    with pytest.raises(cl.ClassError, match="at most 40 characters"):
        cl.clean_name("\u3300" * 39 + "\ufdfa")


def test_timestamps_from_the_database_are_read_in_utc():
    """SQLite hands timestamps back without a zone (they were written in UTC); PostgreSQL
    hands them back with theirs, which must be kept: 09:00 at +02:00 is 07:00 UTC, not
    09:00 UTC. Catches an aware timestamp relabelled as UTC."""
    assert cl._aware(datetime(2027, 1, 4, 9)) == datetime(2027, 1, 4, 9, tzinfo=UTC)
    plus_two = datetime(2027, 1, 4, 9, tzinfo=timezone(timedelta(hours=2)))
    assert cl._aware(plus_two) == datetime(2027, 1, 4, 7, tzinfo=UTC)
    assert cl._aware(None) is None


def test_a_trainee_from_before_rejoin_tokens_does_not_break_a_rejoin(store):
    """A trainee who joined before rejoin tokens has none (NULL): the others still
    rejoin, and a made-up token gets the message. Catches the look-up comparing against
    an empty token hash (a TypeError instead of the class's trainees)."""
    opened = cl.open_class("freeze.yaml", store)
    old = cl.join_class(opened.code, "Old", store)
    ben = cl.join_class(opened.code, "Ben", store)
    with store.begin() as conn:
        conn.execute(cl.trainees.update().where(cl.trainees.c.id == old.id).values(token_hash=None))
    assert cl.rejoin(opened.code, ben.token, store).id == ben.id
    with pytest.raises(cl.ClassError, match="no longer opens a place"):
        cl.rejoin(opened.code, "made-up", store)


def test_the_class_answers_are_every_field_in_joining_then_answering_order(any_store):
    """Zed joins before Ana; Ana submits first. The trainer's rows come trainee by
    trainee in joining order (Zed, then Ana), each trainee's in the order given, with
    the name, choice and the estimate's three numbers; the revealed rows are the same
    without name and id, marking the trainee's own. Catches a column dropped or read as
    None, and rows ordered by answer or by question instead."""
    store = any_store
    opened = cl.open_class("freeze.yaml", store)
    zed = cl.join_class(opened.code, "Zed", store)
    ana = cl.join_class(opened.code, "Ana", store)
    cl.submit_answers(ana, {"on-time": Estimate(0.5, 0.3, 0.7), "date": "later"}, store)
    cl.submit_answers(zed, {"on-time": Estimate(0.8, 0.6, 0.9), "date": "earlier"}, store)
    info = cl.trainer_class(opened.code, opened.key, store)

    def row(who, question, choice=None, est=(None, None, None)):
        value, low, high = est
        return {
            "trainee_id": who.id,
            "name": who.name,
            "question": question,
            "choice": choice,
            "value": value,
            "low": low,
            "high": high,
        }

    expected = [
        row(zed, "on-time", est=(0.8, 0.6, 0.9)),
        row(zed, "date", "earlier"),
        row(ana, "on-time", est=(0.5, 0.3, 0.7)),
        row(ana, "date", "later"),
    ]
    assert cl.class_answers(info, store) == expected
    assert [(r["name"], r["answered"]) for r in cl.roster(info, store)] == [("Zed", 2), ("Ana", 2)]
    cl.reveal(opened.code, opened.key, store)
    assert cl.revealed_answers(ana, store) == [
        {k: v for k, v in r.items() if k not in ("name", "trainee_id")}
        | {"mine": r["name"] == "Ana"}
        for r in expected
    ]
