"""Train page (docs/reference/train.md): predict, reveal, debrief, score; alone or as a class.

The page only draws: exercises, answers, checks and scores come from
``simulation.train.exercises``, classes and answers from ``simulation.store.classrooms``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, identity, page_tables, prose, simulate, train_charts, turns
from simulation import ScenarioError, SimulationError
from simulation.present.markdown import escape_markdown
from simulation.store import StoreError, StoreValueError
from simulation.store import classrooms as cl
from simulation.store.authors import Identity
from simulation.store.decisions import UNVERIFIED_NAMES
from simulation.train import exercises as E

LOG = logging.getLogger(__name__)
SOLO, JOIN, TRAINER = "On my own", "Join a class", "Run a class (trainer)"
# Session keys (st.session_state): one trainee's own progress and class memberships.
PROGRESS = "tr_progress"  # {file: {"title", "points", "max"}}
SOLO_PREDICTIONS = "tr_solo"  # {file: checked predictions}, set on reveal
TRAINEE = "tr_trainee"  # cl.Trainee once joined
TRAINER_CLASS = "tr_trainer"  # (code, key) once the key was accepted
OPENED = "tr_opened"  # cl.OpenedClass just opened (to show the key once)
SHOW_KEY = "tr_show_key"  # True for the one run after "Show the trainer key"
KEY_SHOWN = "tr_key_shown"  # the class whose new key has been shown once
CLASSES_SEEN = "tr_classes_seen"  # {class code: exercise file} joined in this session
# The trainee's place in the address (survives a reload): the class code and their
# rejoin token. Never the trainer key.
CLASS_PARAM, TOKEN_PARAM = "class", "as"
#: Seconds between live updates of the trainer's counts and a trainee's wait.
LIVE_EVERY_S = 3


# ----------------------------------------------------------------- data
@st.cache_data(ttl=300, show_spinner=False)
def exercise_rows() -> list[dict[str, Any]]:
    """The exercise library (validated, nothing simulated)."""
    return E.list_exercises()


def load(file: str) -> E.Exercise | None:
    """An exercise of the library by file name, or None with the reason shown."""
    try:
        return E.load_exercise(E.EXERCISE_DIR / Path(file).name)
    except ScenarioError as exc:
        st.error(f"This exercise cannot be used: {escape_markdown(exc)}")
        return None


def solution(ex: E.Exercise) -> E.Solution | None:
    """The exercise's answers, simulated once per server for everybody (a progress bar
    shows only for whoever runs it)."""
    slot = st.empty()

    def update(done: int, total: int) -> None:
        turns.between_chunks()  # a cancelled run stops here; a big one may pause
        slot.progress(
            min(done / total, 1.0) if total else 1.0,
            text=f"Simulating the exercise: {done:,} of {total:,} futures",
        )

    def compute() -> E.Solution:
        return E.solve(ex, progress=update)

    if E.is_solved(ex):  # answers at hand never wait in the server's line
        return simulate.guarded(compute, "exercise")
    runs = ex.base.simulation.runs
    try:
        return simulate.guarded(
            lambda: turns.take("exercise", ("exercise", ex.key(), runs), runs, 2, compute),
            "exercise",
        )
    finally:
        slot.empty()


@st.cache_data(max_entries=16, ttl=simulate.CACHE_TTL_S, show_spinner=False)
def comparison_specs(key: str, runs: int, seed: int, _sol: E.Solution) -> dict[str, dict]:
    """The What-if comparison charts of an exercise (built once per exercise and seed)."""
    tables = page_tables.comparison_tables(_sol.comparison)
    return charts.specs(charts.comparison_charts(tables))


# ------------------------------------------------------------- the parts
def situation(ex: E.Exercise, sol: E.Solution) -> None:
    """Title, the situation with the base's numbers only, what the variant changes."""
    st.subheader(ex.title)
    st.markdown(E.render(ex, ex.situation, base_summary=sol.summaries["base"]))
    b = sol.summaries["base"]
    d, v = b["delivery"], b["value"]
    m = st.columns(4)
    m[0].metric("P50 delivery (base)", fmt.date(d.get("p50_date")))
    m[1].metric("On time (base)", fmt.pct(d.get("on_time_probability")))
    m[2].metric("NPV mean (base)", fmt.money(v.get("npv_mean")))
    m[3].metric("Outcome chance (base)", fmt.pct(v.get("outcome_probability")))
    st.markdown("**What changes**\n" + "\n".join(f"- {line}" for line in ex.change_lines()))
    st.caption(f"{sol.runs:,} simulated futures, seed {sol.seed}, the same luck for both.")


def _unit(q: E.Question) -> str:
    return {"probability": " (%)", "day": " (working day)"}.get(q.metric_kind, "")


def prediction_form(ex: E.Exercise, key: str, button: str) -> dict[str, Any] | None:
    """The predictions form; returns checked predictions once submitted, else None."""
    with st.form(f"{key}_form"):
        st.markdown("**Your predictions**")
        raw: dict[str, Any] = {}
        for i, q in enumerate(ex.questions, 1):
            if q.kind == "direction":
                raw[q.id] = st.radio(
                    f"{i}. {q.ask}", q.choices, index=None, horizontal=True, key=f"{key}_{q.id}"
                )
                continue
            st.markdown(f"{i}. {q.ask}")
            c = st.columns(3)
            parts = {
                name: c[j].number_input(
                    f"{label}{_unit(q)}",
                    value=None,
                    key=f"{key}_{q.id}_{name}",
                    step=_step(q),
                    format="%g",
                )
                for j, (name, label) in enumerate(
                    (("value", "Best guess"), ("low", "Low end"), ("high", "High end"))
                )
            }
            raw[q.id] = (
                None
                if any(x is None for x in parts.values())
                else {
                    name: (x / 100 if q.metric_kind == "probability" else x)
                    for name, x in parts.items()
                }
            )
        if not st.form_submit_button(button, type="primary"):
            return None
    try:
        return E.parse_predictions(ex, raw)
    except E.PredictionError as exc:
        st.error(f"{escape_markdown(exc)}. Nothing was submitted.")
        return None


def _step(q: E.Question) -> float:
    return {"probability": 1.0, "day": 1.0, "money": 1000.0}.get(q.metric_kind, 0.1)


def _said(q: E.Question, p: Any) -> str:
    if isinstance(p, E.Estimate):
        low, value, high = (E.format_value(q.metric_kind, x) for x in (p.low, p.value, p.high))
        return f"{value} ({low} to {high})"
    return str(p)


def _verdict(qs: E.QuestionScore, q: E.Question) -> str:
    if qs.kind == "direction":
        return "✓ right" if qs.right else "✗ wrong"
    off = E.format_change(q.metric_kind, qs.distance, signed=False)
    return ("✓ inside your range" if qs.inside else "✗ outside your range") + f", {off} off"


def reveal_view(
    ex: E.Exercise,
    sol: E.Solution,
    preds: dict[str, Any],
    class_rows: list[dict[str, Any]] | None = None,
) -> E.Score:
    """Truth beside prediction, charts with the prediction marked, debrief, score."""
    result = E.score(ex, sol.answers, preds)
    st.markdown(f"### Score: {result.points} of {result.max_points}")
    table = []
    for q, qs in zip(ex.questions, result.questions, strict=True):
        table.append(
            {
                "Question": q.ask,
                "You said": _said(q, preds[q.id]),
                "Truth": E.format_answer(q, sol.answers[q.id]),
                "Result": _verdict(qs, q),
            }
        )
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    for q in ex.questions:
        st.markdown(f"**{q.ask}**")
        p = preds[q.id]
        if q.kind == "estimate":
            guesses = pd.DataFrame([{"who": "You", "value": p.value, "low": p.low, "high": p.high}])
            if class_rows:
                others = [r for r in class_rows if not r.get("mine")]
                guesses = pd.concat(
                    [guesses, _class_guesses(q, others, "Classmate")], ignore_index=True
                )
            base = sol.base_values[q.id] if q.of == "variant" else None
            st.vega_lite_chart(
                spec=charts.spec(
                    train_charts.estimate_chart(
                        guesses, sol.answers[q.id], base, q.metric_kind, q.label
                    )
                ),
                width="stretch",
            )
        else:
            st.vega_lite_chart(
                spec=charts.spec(
                    train_charts.shift_chart(
                        sol.base_values[q.id],
                        sol.variant_values[q.id],
                        q.metric_kind,
                        p,
                        sol.answers[q.id],
                        q.label,
                    )
                ),
                width="stretch",
            )
            if class_rows:
                st.vega_lite_chart(
                    spec=charts.spec(
                        train_charts.direction_chart(
                            _class_counts(q, class_rows), sol.answers[q.id], "The class's calls"
                        )
                    ),
                    width="stretch",
                )
    st.markdown("### Why")
    st.markdown(E.render(ex, ex.debrief, sol))
    if ex.try_next:
        st.markdown(
            "**Try next** (on the What-if page)\n" + "\n".join(f"- {t}" for t in ex.try_next)
        )
    with st.expander("The comparison charts"):
        specs = comparison_specs(ex.key(), sol.runs, sol.seed, sol)
        st.markdown("**Share of futures delivered by each date**")
        st.vega_lite_chart(spec=specs["cdf"], width="stretch")
        st.markdown("**Median value earned over time**")
        st.vega_lite_chart(spec=specs["value"], width="stretch")
    return result


def _class_guesses(q: E.Question, rows: list[dict[str, Any]], label: str | None) -> pd.DataFrame:
    """Estimates of one question; named rows (trainer) or numbered ones (trainees)."""
    mine = [r for r in rows if r["question"] == q.id and r["value"] is not None]
    return pd.DataFrame(
        [
            {
                "who": r.get("name") if label is None else f"{label} {i}",
                "value": r["value"],
                "low": r["low"],
                "high": r["high"],
            }
            for i, r in enumerate(mine, 1)
        ],
        columns=["who", "value", "low", "high"],
    )


def _class_counts(q: E.Question, rows: list[dict[str, Any]]) -> pd.DataFrame:
    calls = [r["choice"] for r in rows if r["question"] == q.id]
    return pd.DataFrame({"choice": list(q.choices), "count": [calls.count(c) for c in q.choices]})


def record_progress(ex: E.Exercise, result: E.Score) -> None:
    st.session_state.setdefault(PROGRESS, {})[ex.file] = {
        "Exercise": ex.title,
        "Points": result.points,
        "Of": result.max_points,
    }


def progress_table() -> None:
    done = st.session_state.get(PROGRESS, {})
    if not done:
        return
    st.markdown("### Your progress this session")
    df = pd.DataFrame(list(done.values()))
    st.dataframe(df, hide_index=True, width="content")
    st.caption(
        f"{df['Points'].sum()} of {df['Of'].sum()} points over {len(df)} exercise"
        f"{'s' if len(df) > 1 else ''}."
    )


def _store_call(action, what: str):
    """Run a store action; a ClassError or StoreError becomes a message, never a traceback.

    A value the store refuses (a control character, a number too large) is the
    person's input, said as such; only a store that fails is "not available".
    """
    try:
        return action()
    except cl.ClassError as exc:
        st.error(escape_markdown(exc))
    except StoreValueError as exc:
        st.error(f"Not saved ({what}): {escape_markdown(exc)}")
    except StoreError as exc:
        LOG.exception("store failed")
        st.error(f"The class store is not available ({what}): {escape_markdown(exc)}")
    return None


# ------------------------------------------------------------------ modes
def solo() -> None:
    rows = [r for r in exercise_rows() if not r["error"]]
    if not rows:
        st.warning("No exercises found in scenarios/exercises/.")
        return
    titles = {r["file"]: r["title"] for r in rows}
    file = st.selectbox("Exercise", list(titles), format_func=titles.get, key="tr_pick")
    blocked = _class_unrevealed(file)
    if blocked is not None:
        st.warning(
            f"Your class **{blocked}** is playing this exercise: it opens here on your own "
            "once the trainer has revealed. Pick another one, or go back to the class."
        )
        progress_table()
        return
    ex = load(file)
    sol = solution(ex) if ex else None
    if sol is None:
        return
    situation(ex, sol)
    done = st.session_state.setdefault(SOLO_PREDICTIONS, {})
    if file not in done:
        preds = prediction_form(ex, f"tr_solo_{Path(file).stem}", "Reveal")
        if preds is None:
            progress_table()
            return
        done[file] = preds
    result = reveal_view(ex, sol, done[file])
    record_progress(ex, result)
    if st.button("Try this exercise again", key="tr_again"):
        done.pop(file, None)
        st.rerun()
    progress_table()


def _class_unrevealed(file: str) -> str | None:
    """The code of a class joined in this session that plays ``file`` and has not
    revealed yet (so the exercise must not be revealed on one's own), or None."""
    for code, exercise in st.session_state.get(CLASSES_SEEN, {}).items():
        if exercise != file:
            continue
        try:
            if not cl.find_class(code).revealed:
                return code
        except (cl.ClassError, StoreError):
            continue  # a class that has closed no longer guards its exercise
    return None


def _joined(me: cl.Trainee) -> None:
    """Remember the trainee in the session and their place in the address."""
    st.session_state[TRAINEE] = me
    st.session_state.setdefault(CLASSES_SEEN, {})[me.code] = me.exercise
    st.query_params[CLASS_PARAM] = me.code
    st.query_params[TOKEN_PARAM] = me.token


def _rejoin_from_address() -> None:
    """After a reload: the class code and token in the address bring the trainee back."""
    code, token = st.query_params.get(CLASS_PARAM), st.query_params.get(TOKEN_PARAM)
    if not code or not token:
        return
    me = _store_call(lambda: cl.rejoin(code, token), "rejoining")
    if me is None:
        st.query_params.clear()
        return
    _joined(me)


@st.fragment(run_every=LIVE_EVERY_S)
def _wait_for_reveal(code: str) -> None:
    """Polls the class; the page redraws by itself when the trainer reveals."""
    try:
        revealed = cl.find_class(code).revealed
    except (cl.ClassError, StoreError):
        return
    if revealed:
        st.rerun(scope="app")


def trainee() -> None:
    if st.session_state.get(TRAINEE) is None:
        _rejoin_from_address()
    me: cl.Trainee | None = st.session_state.get(TRAINEE)
    if me is None:
        st.markdown(prose.part("train", "class"))
        if identity.needs_sign_in():
            identity.sign_in_button("join a class", key="tr_join_sign_in")
            return
        who = identity.current_author()
        with st.form("tr_join"):
            c = st.columns(2)
            code = c[0].text_input("Class code", max_chars=12, key="tr_join_code")
            if who is None:
                name = c[1].text_input(
                    "Your display name", max_chars=cl.MAX_NAME, key="tr_join_name"
                )
                st.caption(UNVERIFIED_NAMES)
            else:
                name = ""
                with c[1]:
                    identity.author_caption(who, "Joining")
            if st.form_submit_button("Join", type="primary"):
                joined = _store_call(lambda: cl.join_class(code, who or name), "joining")
                if joined is not None:
                    _joined(joined)
                    st.rerun()
        return
    info = _store_call(lambda: cl.find_class(me.code), "class")
    top = st.columns([3, 1])
    signed = " (signed in)" if me.verified else ""
    top[0].markdown(
        f"In class **{escape_markdown(me.code)}** as **{escape_markdown(me.name)}**{signed}."
    )
    if top[1].button("Leave the class", key="tr_leave"):
        st.session_state.pop(TRAINEE, None)
        st.query_params.clear()
        st.rerun()
    if info is None:
        return
    ex = load(info.exercise)
    sol = solution(ex) if ex else None
    if sol is None:
        return
    situation(ex, sol)
    mine = _store_call(lambda: cl.own_answers(me), "answers") or {}
    if not info.revealed:
        if len(mine) == len(ex.questions):
            st.success(
                "Your predictions are in. Wait for the trainer to reveal; you can "
                "still change them until then."
            )
        preds = prediction_form(ex, f"tr_class_{me.code}", "Submit predictions")
        if preds is not None and _store_call(lambda: _submit(me, preds), "saving"):
            st.rerun()
        st.button("Check for the reveal", key="tr_check")
        st.caption("This page also updates by itself when the trainer reveals.")
        _wait_for_reveal(me.code)
        return
    if len(mine) != len(ex.questions):
        st.info("The trainer has revealed; you did not submit predictions in time.")
        st.markdown(E.render(ex, ex.debrief, sol))
        return
    rows = _store_call(lambda: cl.revealed_answers(me), "answers") or []
    result = reveal_view(ex, sol, mine, class_rows=rows)
    record_progress(ex, result)
    progress_table()


def _submit(me: cl.Trainee, preds: dict[str, Any]) -> bool:
    cl.submit_answers(me, preds)
    return True


@st.fragment(run_every=LIVE_EVERY_S)
def live_roster(info: cl.ClassInfo, n_questions: int) -> None:
    """Who joined and who answered, redrawn every few seconds by itself."""
    people = _store_call(lambda: cl.roster(info), "roster") or []
    n_all = sum(1 for p in people if p["answered"] >= n_questions)
    st.markdown(f"### {len(people)} joined, {n_all} answered")
    if people:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Trainee": p["name"],
                        "Answered": "✓" if p["answered"] >= n_questions else "…",
                    }
                    for p in people
                ]
            ),
            hide_index=True,
            width="content",
        )


def _open_form(where, titles: dict[str, str], owner: Identity | None) -> None:
    """Open a new class on an exercise, owned by the signed-in trainer where there is one."""
    with where.form("tr_open"):
        st.markdown("**Open a new class**")
        file = st.selectbox("Exercise", list(titles), format_func=titles.get, key="tr_open_pick")
        if owner is not None:
            identity.author_caption(owner, "Opening it")
        if st.form_submit_button("Open class", type="primary") and file:
            opened = _store_call(lambda: cl.open_class(file, owner=owner), "opening")
            if opened is not None:
                st.session_state[OPENED] = opened
                st.session_state[TRAINER_CLASS] = (opened.code, opened.key)
                st.rerun()


def trainer() -> None:
    held = st.session_state.get(TRAINER_CLASS)
    if held is None:
        st.markdown(prose.part("train", "trainer"))
        hours = int(cl.CLASS_LIFETIME.total_seconds() // 3600)
        st.caption(f"A class can be joined and answered for {hours} hours after it opens.")
        rows = [r for r in exercise_rows() if not r["error"]]
        titles = {r["file"]: r["title"] for r in rows}
        c = st.columns(2)
        owner = identity.current_author()
        if identity.needs_sign_in():
            with c[0]:
                st.markdown("**Open a new class**")
                identity.sign_in_button("open a class", key="tr_open_sign_in")
        else:
            _open_form(c[0], titles, owner)
        with c[1].form("tr_return"):
            st.markdown("**Return to a class**")
            code = st.text_input("Class code", max_chars=12, key="tr_t_code")
            key = st.text_input("Trainer key", type="password", key="tr_t_key")
            if st.form_submit_button("Open the trainer view"):
                info = _store_call(lambda: cl.trainer_class(code, key), "checking the key")
                if info is not None:
                    st.session_state[TRAINER_CLASS] = (info.code, key.strip())
                    st.rerun()
        return
    code, key = held
    # Checked on every run, not once: a key stays the only way into this view.
    info = _store_call(lambda: cl.trainer_class(code, key), "checking the key")
    if info is None:
        st.session_state.pop(TRAINER_CLASS, None)
        return
    opened = st.session_state.get(OPENED)
    st.markdown(f"## Class code: `{info.code}`")
    first = opened is not None and opened.code == info.code
    first = first and st.session_state.get(KEY_SHOWN) != info.code
    if first or st.session_state.pop(SHOW_KEY, False):
        st.session_state[KEY_SHOWN] = info.code
        st.info(
            f"Trainer key: `{key}`. Keep it to yourself; it opens this view again. It is "
            "hidden at the next click, so it is not on the screen the class sees."
        )
    elif st.button("Show the trainer key", key="tr_show_key"):
        st.session_state[SHOW_KEY] = True
        st.rerun()
    by = f"Opened by {escape_markdown(info.owner)}. " if info.owner else ""
    st.caption(f"{by}Open until {info.expires_at:%H:%M} UTC on {fmt.date(info.expires_at)}.")
    ex = load(info.exercise)
    sol = solution(ex) if ex else None
    if sol is None:
        return
    situation(ex, sol)
    live_roster(info, len(ex.questions))
    c = st.columns([1, 1, 3])
    c[0].button("Refresh", key="tr_refresh")
    if not info.revealed and c[1].button("Reveal to the class", type="primary", key="tr_reveal"):
        _store_call(lambda: cl.reveal(code, key), "revealing")
        st.rerun()
    if c[2].button("Leave the trainer view", key="tr_t_leave"):
        st.session_state.pop(TRAINER_CLASS, None)
        st.session_state.pop(OPENED, None)
        st.rerun()
    if not info.revealed:
        st.caption("Predictions stay hidden until you reveal.")
        return
    rows = _store_call(lambda: cl.class_answers(info), "answers") or []
    st.markdown("### The class against the truth")
    for q in ex.questions:
        truth = sol.answers[q.id]
        st.markdown(f"**{q.ask}** Truth: **{E.format_answer(q, truth)}**")
        if q.kind == "direction":
            counts = _class_counts(q, rows)
            right = int(counts.loc[counts["choice"] == truth, "count"].sum())
            st.caption(f"{right} of {int(counts['count'].sum())} called it.")
            st.vega_lite_chart(
                spec=charts.spec(train_charts.direction_chart(counts, truth, "Trainees")),
                width="stretch",
            )
        else:
            guesses = _class_guesses(q, rows, None)
            inside = int(((guesses["low"] <= truth) & (truth <= guesses["high"])).sum())
            st.caption(f"The truth was inside {inside} of {len(guesses)} ranges.")
            if len(guesses):
                base = sol.base_values[q.id] if q.of == "variant" else None
                st.vega_lite_chart(
                    spec=charts.spec(
                        train_charts.estimate_chart(guesses, truth, base, q.metric_kind, q.label)
                    ),
                    width="stretch",
                )
    st.markdown("### Why")
    st.markdown(E.render(ex, ex.debrief, sol))


# ------------------------------------------------------------------- page
st.title("Train")
st.markdown(prose.part("train", "intro"))
mode = st.radio(
    "How are you training?",
    (SOLO, JOIN, TRAINER),
    index=1 if st.query_params.get(CLASS_PARAM) else 0,  # a reload in a class rejoins it
    horizontal=True,
    key="tr_mode",
)
try:
    {SOLO: solo, JOIN: trainee, TRAINER: trainer}[mode]()
except (ScenarioError, SimulationError, E.PredictionError) as exc:
    st.error(escape_markdown(exc))
