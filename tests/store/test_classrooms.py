"""Class mode in the store: codes, keys, names, answers, expiry, races.

See docs/reference/train.md and docs/reference/store.md.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from simulation.store import Store
from simulation.store import classrooms as cl
from simulation.train.exercises import Estimate


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'classes.sqlite'}")
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
