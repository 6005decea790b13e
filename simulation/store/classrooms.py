"""Classes and answers of the Train page (docs/reference/train.md and store.md).

A trainer opens a class for one exercise and gets a short **class code**
(for the trainees) and a secret **trainer key** (for the trainer view). Only
the key's SHA-256 hash is stored; a key is checked with
:func:`hmac.compare_digest`. Trainees join with the code and a display name
(unique in the class, whatever the letter case), submit a prediction for
every question and may change it until the trainer reveals. A class expires
:data:`CLASS_LIFETIME` after it was opened.

Where the server signs people in (``docs/how-to/sign-people-in.md``), the class
keeps who opened it (``owner``) and each trainee's display name is their
signed-in name, each with the identity's claims beside it
(:mod:`simulation.store.authors`); a typed name has no claims.

Every write is one transaction; uniqueness (codes, names, one answer per
trainee and question) is the database's constraint, so two sessions racing
for the same code or name cannot both win, and two trainees submitting at the
same moment both keep their answers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from simulation.store import Store, add_columns, create_tables, metadata, migration, open_store
from simulation.store.authors import Identity
from simulation.train.exercises import Estimate

#: Letters and digits of a class code: none that are easily confused (no 0, O, 1, I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Characters in a class code (32^6, about a billion codes).
CODE_LENGTH = 6
#: Tries at a fresh code when a random one is already taken.
CODE_ATTEMPTS = 10
#: A class can be joined and answered for this long after it was opened.
CLASS_LIFETIME = timedelta(hours=12)
#: Longest display name, in characters.
MAX_NAME = 40

classes = sa.Table(
    "train_classes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("exercise", sa.String(255), nullable=False),  # file name in the exercise folder
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
    # Who opened it when the server signs people in (NULL otherwise), and their claims.
    sa.Column("owner", sa.String(MAX_NAME * 4), nullable=True),
    sa.Column("owner_identity", sa.JSON, nullable=True),
)

trainees = sa.Table(
    "train_trainees",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("train_classes.id"), nullable=False),
    sa.Column("name", sa.String(MAX_NAME * 4), nullable=False),
    sa.Column("name_key", sa.String(MAX_NAME * 4), nullable=False),  # name_key(name)
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    # SHA-256 of the trainee's rejoin token (kept in their browser's address, never here).
    sa.Column("token_hash", sa.String(64), nullable=True),
    # The signed-in trainee's claims (sub, iss, email); NULL: the name was typed.
    sa.Column("identity", sa.JSON, nullable=True),
    sa.UniqueConstraint("class_id", "name_key", name="uq_train_trainee_name"),
)

answers = sa.Table(
    "train_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("trainee_id", sa.Integer, sa.ForeignKey("train_trainees.id"), nullable=False),
    sa.Column("question", sa.String(64), nullable=False),
    sa.Column("choice", sa.String(16), nullable=True),  # a direction
    sa.Column("value", sa.Float, nullable=True),  # an estimate, its range
    sa.Column("low", sa.Float, nullable=True),
    sa.Column("high", sa.Float, nullable=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("trainee_id", "question", name="uq_train_answer"),
)

migration("classes", 1)(create_tables(classes, trainees, answers))


@migration("classes", 2)
def _rejoin_tokens(conn) -> None:
    """Trainees get a rejoin token (a store made before it has no such column)."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("train_trainees")}
    if "token_hash" not in have:
        conn.execute(sa.text("ALTER TABLE train_trainees ADD COLUMN token_hash VARCHAR(64)"))


@migration("classes-author", 1)
def _authors(conn) -> None:
    """Who opened a class, and the trainees' signed-in identities (older stores lack them)."""
    add_columns("train_classes", classes.c.owner, classes.c.owner_identity)(conn)
    add_columns("train_trainees", trainees.c.identity)(conn)


class ClassError(ValueError):
    """A class code, key, name or answer that cannot be used; the message says why."""


@dataclass(frozen=True)
class OpenedClass:
    """What the trainer gets once: the code to share and the key to keep."""

    code: str
    key: str
    exercise: str
    expires_at: datetime


@dataclass(frozen=True)
class ClassInfo:
    id: int
    code: str
    exercise: str
    created_at: datetime
    expires_at: datetime
    revealed: bool
    #: Who opened it (the signed-in trainer); None where nobody signs in.
    owner: str | None = None
    #: The owner's claims (sub, iss, email); None: not signed in.
    owner_identity: dict[str, str] | None = None


@dataclass(frozen=True)
class Trainee:
    """A trainee in a class. ``token`` lets them rejoin as themselves (:func:`rejoin`);
    it is only known when they join or rejoin, and is not the trainer key."""

    id: int
    name: str
    code: str
    exercise: str
    token: str = ""
    #: Whether the name is the signed-in person's (not typed).
    verified: bool = False


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(x: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return x.replace(tzinfo=UTC) if x is not None and x.tzinfo is None else x


def hash_key(key: str) -> str:
    """The stored form of a trainer key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """A code as typed (any case, spaces or a dash) in its stored form."""
    return "".join(str(code).split()).replace("-", "").upper()


def clean_name(name: str) -> str:
    """A display name with its spaces tidied; :class:`ClassError` if it is unusable."""
    text = " ".join(str(name).split())
    if not text:
        raise ClassError("Enter a display name, so the trainer knows who answered.")
    if len(text) > MAX_NAME:
        raise ClassError(f"A display name has at most {MAX_NAME} characters.")
    if any(not ch.isprintable() for ch in text):
        raise ClassError("A display name cannot contain control characters.")
    if len(name_key(text)) > MAX_NAME * 4:  # a few characters expand 18-fold in NFKC
        raise ClassError(f"A display name has at most {MAX_NAME} characters.")
    return text


def name_key(name: str) -> str:
    """What two display names are compared by: Unicode NFKC, then case folded, then
    NFKC again (folding can un-normalise), so ``Ａｎａ`` (full width), ``ANA`` and
    ``ana`` are one name and a look-alike cannot join as a classmate
    (``docs/reference/security.md``)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def _signed_in_name(who: Identity) -> str:
    """A signed-in person's display name, cut to :data:`MAX_NAME` (the claims say who)."""
    return clean_name(" ".join(who.name.split())[:MAX_NAME])


def open_class(
    exercise: str,
    store: Store | None = None,
    now: datetime | None = None,
    owner: Identity | None = None,
) -> OpenedClass:
    """Open a class on an exercise file name; returns its code and the trainer key.

    The key is shown once and never stored: only its hash is. ``owner`` is the
    signed-in trainer, kept with the class.
    """
    owned = {}
    if owner is not None:
        owned = {"owner": _signed_in_name(owner), "owner_identity": owner.claims()}
    store = store or open_store()
    created = _now(now)
    expires = created + CLASS_LIFETIME
    key = secrets.token_urlsafe(12)
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        try:
            with store.begin() as conn:
                conn.execute(
                    classes.insert().values(
                        code=code,
                        key_hash=hash_key(key),
                        exercise=str(exercise),
                        created_at=created,
                        expires_at=expires,
                        **owned,
                    )
                )
        except IntegrityError:
            continue  # the code is taken: the unique constraint said so; draw again
        return OpenedClass(code, key, str(exercise), expires)
    raise ClassError("Could not find a free class code; try again.")


def _class_row(conn, code: str, now: datetime) -> ClassInfo:
    shown = normalise_code(code)
    if not shown:
        raise ClassError("Enter the class code your trainer gave you.")
    row = conn.execute(sa.select(classes).where(classes.c.code == shown)).mappings().first()
    if row is None:
        raise ClassError(f"No class has the code {shown}; check it with your trainer.")
    expires = _aware(row["expires_at"])
    if now >= expires:
        hours = int(CLASS_LIFETIME.total_seconds() // 3600)
        raise ClassError(
            f"Class {shown} has expired (a class lasts {hours} hours); ask the "
            "trainer to open a new one."
        )
    return ClassInfo(
        row["id"],
        row["code"],
        row["exercise"],
        _aware(row["created_at"]),
        expires,
        row["revealed_at"] is not None,
        row["owner"],
        dict(row["owner_identity"]) if row["owner_identity"] else None,
    )


def find_class(code: str, store: Store | None = None, now: datetime | None = None) -> ClassInfo:
    """The open class with this code; :class:`ClassError` if none or expired."""
    store = store or open_store()
    with store.begin() as conn:
        return _class_row(conn, code, _now(now))


def trainer_class(
    code: str, key: str, store: Store | None = None, now: datetime | None = None
) -> ClassInfo:
    """The class, if ``key`` is its trainer key; otherwise :class:`ClassError`."""
    store = store or open_store()
    with store.begin() as conn:
        info = _class_row(conn, code, _now(now))
        stored = conn.execute(
            sa.select(classes.c.key_hash).where(classes.c.id == info.id)
        ).scalar_one()
    if not hmac.compare_digest(hash_key(str(key).strip()), stored):
        raise ClassError(f"That trainer key does not open class {info.code}.")
    return info


def join_class(
    code: str, name: str | Identity, store: Store | None = None, now: datetime | None = None
) -> Trainee:
    """Join a class under a display name (unique in the class, ignoring case): a typed
    one, or the signed-in person's name, kept with their claims."""
    store = store or open_store()
    signed_in = isinstance(name, Identity)
    clean = _signed_in_name(name) if signed_in else clean_name(name)
    at = _now(now)
    token = secrets.token_urlsafe(16)
    try:
        with store.begin() as conn:
            info = _class_row(conn, code, at)
            new_id = conn.execute(
                trainees.insert().values(
                    class_id=info.id,
                    name=clean,
                    name_key=name_key(clean),
                    joined_at=at,
                    token_hash=hash_key(token),
                    identity=name.claims() if signed_in else None,
                )
            ).inserted_primary_key[0]
    except IntegrityError:
        if signed_in:  # a signed-in name cannot be changed here: say what to do instead
            raise ClassError(
                f"The name '{clean}' is already in class {normalise_code(code)}: if it "
                "is you, go back to the tab or link you joined with."
            ) from None
        raise ClassError(
            f"The name '{clean}' is already taken in class "
            f"{normalise_code(code)}; add an initial or a number."
        ) from None
    return Trainee(int(new_id), clean, info.code, info.exercise, token, signed_in)


def rejoin(
    code: str, token: str, store: Store | None = None, now: datetime | None = None
) -> Trainee:
    """The trainee of class ``code`` whose rejoin token is ``token`` (after a reload).

    Raises
    ------
    ClassError
        If the class is unknown or closed, or no trainee of it has that token.
    """
    store = store or open_store()
    digest = hash_key(str(token or ""))
    with store.begin() as conn:
        info = _class_row(conn, code, _now(now))
        rows = (
            conn.execute(
                sa.select(
                    trainees.c.id, trainees.c.name, trainees.c.token_hash, trainees.c.identity
                ).where(trainees.c.class_id == info.id, trainees.c.token_hash.is_not(None))
            )
            .mappings()
            .all()
        )
    for r in rows:
        if hmac.compare_digest(r["token_hash"], digest):
            return Trainee(
                int(r["id"]),
                r["name"],
                info.code,
                info.exercise,
                str(token),
                r["identity"] is not None,
            )
    raise ClassError(
        f"This link no longer opens a place in class {info.code}; join again with a name."
    )


def submit_answers(
    trainee: Trainee,
    predictions: Mapping[str, str | Estimate],
    store: Store | None = None,
    now: datetime | None = None,
) -> None:
    """Store (or replace) a trainee's predictions, all in one transaction.

    ``predictions`` are checked ones (:func:`simulation.train.exercises.parse_predictions`).
    Refused once the trainer has revealed or the class has expired.
    """
    store = store or open_store()
    at = _now(now)
    rows = []
    for qid, p in predictions.items():
        if isinstance(p, Estimate):
            rows.append(
                {"question": qid, "choice": None, "value": p.value, "low": p.low, "high": p.high}
            )
        else:
            rows.append(
                {"question": qid, "choice": str(p), "value": None, "low": None, "high": None}
            )
    with store.begin() as conn:
        info = _class_row(conn, trainee.code, at)
        if info.revealed:
            raise ClassError("The trainer has revealed the answers; predictions are closed.")
        conn.execute(answers.delete().where(answers.c.trainee_id == trainee.id))
        if rows:
            conn.execute(
                answers.insert(), [{**r, "trainee_id": trainee.id, "answered_at": at} for r in rows]
            )


def own_answers(trainee: Trainee, store: Store | None = None) -> dict[str, str | Estimate]:
    """A trainee's stored predictions."""
    store = store or open_store()
    with store.begin() as conn:
        rows = (
            conn.execute(sa.select(answers).where(answers.c.trainee_id == trainee.id))
            .mappings()
            .all()
        )
    return {r["question"]: _prediction(r) for r in rows}


def _prediction(r: Mapping[str, Any]) -> str | Estimate:
    if r["choice"] is not None:
        return r["choice"]
    return Estimate(r["value"], r["low"], r["high"])


def reveal(
    code: str, key: str, store: Store | None = None, now: datetime | None = None
) -> ClassInfo:
    """Close predictions and show the truth (trainer key required)."""
    store = store or open_store()
    info = trainer_class(code, key, store, now)
    with store.begin() as conn:
        conn.execute(
            classes.update()
            .where(classes.c.id == info.id, classes.c.revealed_at.is_(None))
            .values(revealed_at=_now(now))
        )
    return find_class(code, store, now)


def roster(info: ClassInfo, store: Store | None = None) -> list[dict[str, Any]]:
    """Who has joined, in joining order, and how many questions each has answered."""
    store = store or open_store()
    counted = (
        sa.select(trainees.c.name, sa.func.count(answers.c.id).label("answered"))
        .select_from(trainees.outerjoin(answers, answers.c.trainee_id == trainees.c.id))
        .where(trainees.c.class_id == info.id)
        .group_by(trainees.c.id, trainees.c.name)
        .order_by(trainees.c.id)
    )
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(counted).mappings()]


def class_answers(info: ClassInfo, store: Store | None = None) -> list[dict[str, Any]]:
    """Every prediction of the class: name, question, and the choice or estimate.

    The trainer view calls it with a class from :func:`trainer_class`; a
    trainee's view only once ``info.revealed`` (names are dropped there).
    """
    store = store or open_store()
    q = (
        sa.select(
            trainees.c.id.label("trainee_id"),
            trainees.c.name,
            answers.c.question,
            answers.c.choice,
            answers.c.value,
            answers.c.low,
            answers.c.high,
        )
        .select_from(answers.join(trainees, answers.c.trainee_id == trainees.c.id))
        .where(trainees.c.class_id == info.id)
        .order_by(trainees.c.id, answers.c.id)
    )
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def revealed_answers(
    trainee: Trainee, store: Store | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The class's predictions for a trainee, only after the reveal.

    Without names; ``mine`` marks the trainee's own rows.
    """
    info = find_class(trainee.code, store, now)
    if not info.revealed:
        raise ClassError("The class's answers are shown only after the trainer reveals.")
    return [
        {
            **{k: v for k, v in r.items() if k not in ("name", "trainee_id")},
            "mine": r["trainee_id"] == trainee.id,
        }
        for r in class_answers(info, store)
    ]
