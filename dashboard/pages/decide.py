"""Decide page: a joint prioritisation session (docs/reference/decide.md), on top of ``prioritise``.

Candidates come from a session file, from the What-if page's variants, or from
the levers here; the ranking, the two trade-off maps, combinations and the best
set are the engine's numbers; decisions go to the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import streamlit as st

from dashboard import (
    decide,
    decide_charts,
    fmt,
    identity,
    lever_form,
    levers,
    prose,
    report_button,
    saved_files,
    server_settings,
    simulate,
    state,
    turns,
)
from dashboard.decide_order import show_best_order
from simulation import Prioritisation, ScenarioError, Session, prioritise, scenario_to_yaml
from simulation.decide.sessions import (
    load_session,
    load_session_text,
    new_session_id,
    session_files,
    sessions_dir,
)
from simulation.present import decide as words
from simulation.present import maps
from simulation.present.csv import frame_csv
from simulation.present.markdown import escape_markdown
from simulation.report import document as report
from simulation.scenario.schema import MAX_RUNS
from simulation.scenario.yamlio import MAX_FILE_BYTES
from simulation.store import StoreError
from simulation.store import decisions as store_decisions
from simulation.store.authors import Identity

LOG = logging.getLogger(__name__)

SESSION = "decide_session"  # the Session being decided
RESULT = "decide_result"  # (key, Prioritisation) of the last ranking
COMBOS = "decide_combos"  # {(key, ids): Combination}
BEST = "decide_best"  # (key, steps)
SEEN = "decide_seen"  # {candidate: newest decision id shown}
BUILT = "decide_built"  # [[first name, name, changes]] made with the levers here
LEVER_RESET = "decide_lever_reset"  # set after Add candidate: the form starts afresh
ADDED = "decide_added"  # candidates added with the levers so far (the name box's key)
ACCEPTED = "decide_accepted"  # {(ranking key, accepted ids): effect}
PREFIX = "dl_"  # key prefix of the lever form's widgets
DECIDED = "decide_decided"  # [(kind, text)] about the decision just recorded
DECISION_FORM = "decide_form_generation"  # counts records: the form's text boxes start empty
MESSAGE = "decide_message"  # (kind, text) shown once after a rerun
GIVEN_ID = "decide_given_id"  # the id the page gave a session whose file had none
BUILT_IDS = "decide_built_ids"  # {session name: id} of sessions made on this page

SOURCES = {
    "file": "A session file",
    "whatif": "The What-if variants",
    "levers": "Candidates made here with the levers",
}
DEFAULT_RUNS = 1000


def _key(ses: Session, runs: int, seed: int) -> tuple:
    """What a ranking depends on: the base's content, the candidates, runs and seed."""
    return (
        ses.name,
        ses.id,  # a ranking belongs to its session: its decisions are the id's
        scenario_to_yaml(ses.base),
        tuple((c.id, c.changes) for c in ses.candidates),
        runs,
        seed,
    )


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


# -------------------------------------------------------------------- sources
def _set_session(ses: Session, message: str) -> None:
    ss = st.session_state
    ss[SESSION] = ses
    for k in (RESULT, BEST):
        ss.pop(k, None)
    ss[COMBOS] = {}
    _say("success", message)


def source_panel() -> None:
    with st.container(border=True):
        st.subheader("Candidates")
        source = st.radio(
            "Start from",
            list(SOURCES),
            format_func=SOURCES.get,
            key="decide_source",
            horizontal=True,
        )
        if source == "file":
            files = session_files()
            if not files:
                st.info("No session files in scenarios/sessions.")
                return
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            pick = c1.selectbox(
                "Session file", files, format_func=lambda p: p.name, key="decide_file"
            )
            if c2.button(
                "Load session", key="decide_load", type="primary", icon=":material/folder_open:"
            ):
                _use_session_file(lambda: load_session(pick), "")
            upload_session()
        elif source == "whatif":
            sc = state.scenario()
            # A pinned variant ("Original plan") is a whole scenario, not changes to
            # the base, so it cannot be a candidate.
            variants = state.change_variants()
            if sc is None or not variants:
                st.info("Make variants on the What-if page first: each becomes a candidate.")
                return
            st.caption(
                f"{len(variants)} variant(s) of “{escape_markdown(sc.name)}”: "
                + escape_markdown(", ".join(v.name for v in variants))
            )
            if st.button("Use the What-if variants", key="decide_use_whatif", type="primary"):
                path = state.loaded_path()
                ref = path.name if path is not None and not state.has_edits() else None
                name = f"What-if variants of {sc.name}"
                _use_built_session(
                    lambda: decide.session_from_changes(
                        sc,
                        [(v.name, v.changes) for v in variants],
                        name,
                        base_ref=ref,
                        session_id=_built_id(name),
                    ),
                    f"{len(variants)} What-if variants are the candidates.",
                )
        else:
            lever_panel()


def upload_session() -> None:
    """A session file of the user's own; its ``base`` is found as for a library session
    (next to the bundled sessions, or a library scenario by name)."""
    ss = st.session_state
    up = st.file_uploader(
        "Or upload a session file",
        type=["yaml", "yml"],
        key="decide_upload",
        help=f"A session YAML file (up to {MAX_FILE_BYTES // 1_000_000} MB) "
        "whose base is a library scenario, e.g. "
        "base: ../supply-chain.yaml",
    )
    if up is None or ss.get("decide_upload_seen") == up.file_id:
        return
    ss["decide_upload_seen"] = up.file_id
    _use_session_file(
        lambda: load_session_text(up.getvalue(), source=up.name, base_dir=sessions_dir()),
        f" from {up.name}",
    )


def _use_session_file(load: Callable[[], Session], where: str) -> None:
    """Load a session file (library or upload) and make it the page's session, or
    say in words why it cannot be used."""
    try:
        ses = load()
    except ScenarioError as exc:
        st.error(f"That session file cannot be used: {escape_markdown(exc)}")
        return
    if ses.id is None:  # its decisions need an id of their own, never just the name
        ses = replace(ses, id=new_session_id())
        st.session_state[GIVEN_ID] = ses.id
    _set_session(
        ses, f"Loaded “{ses.name}”{where}: {len(ses.candidates)} candidates on “{ses.base.name}”."
    )
    st.rerun()


def _built_id(name: str) -> str:
    """The id of a session made on this page: one per name for the browser session, so
    using the variants again after a change keeps its decisions."""
    return st.session_state.setdefault(BUILT_IDS, {}).setdefault(name, new_session_id())


def given_id_note(ses: Session) -> None:
    """For a session whose file had no id: the id the page gave it, the file with it to
    download, and the records made under its name alone before sessions had ids."""
    if st.session_state.get(GIVEN_ID) != ses.id:
        return
    st.warning(
        f"This session file has no id, so the page gave it one: `{ses.id}`. The "
        "decisions recorded here belong to that id: only the file holding it shows "
        "them or adds to them. Download the file with its id and load that one from "
        "now on.",
        icon=":material/key:",
    )
    if ses.base_ref:
        session_download(st, ses, "Session file with its id (YAML)", "decide_given_id_download")
    try:
        before = store_decisions.list_decisions(ses.name)
    except StoreError as exc:
        st.error(f"The decisions cannot be read: {escape_markdown(exc)}")
        return
    if before:
        with st.expander(
            f"Recorded under the name “{escape_markdown(ses.name)}” alone, before sessions "
            f"had ids ({len(before)})"
        ):
            st.caption(
                "Anyone who loads a file of this name without an id sees these; they "
                "are not this session's decisions, and nothing is added to them."
            )
            st.dataframe(store_decisions.decision_rows(before), hide_index=True, width="stretch")


def session_download(where, ses: Session, label: str, key: str, help: str | None = None) -> None:
    """A download button (in ``where``: the page or a column) for the session as a file."""
    name, text = decide.session_file(ses)
    where.download_button(
        label,
        text.encode(),
        file_name=name,
        mime="application/x-yaml",
        icon=":material/download:",
        key=key,
        help=help,
    )


def _use_built_session(build: Callable[[], Session], message: str) -> None:
    """Make a session built on the page (What-if variants, lever candidates) the page's
    session, or say in words why it cannot be: it passes a session file's checks."""
    try:
        ses = build()
    except ScenarioError as exc:
        st.error(f"These candidates cannot make a session: {escape_markdown(exc)}")
        return
    _set_session(ses, message)
    st.rerun()


def _unique(name: str, skip: int | None = None) -> str:
    built = st.session_state.get(BUILT, [])
    return levers.unique_name(name, [c[1] for i, c in enumerate(built) if i != skip])


def _rename_built(i: int, key: str) -> None:
    built = st.session_state[BUILT]
    new = (st.session_state.get(key) or "").strip()
    if new:
        built[i][1] = _unique(new, skip=i)
    st.session_state[key] = built[i][1]


def _remove_built(i: int) -> None:
    st.session_state[BUILT].pop(i)
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith("dl_built_")]:
        del st.session_state[k]  # the name boxes follow the list again


def lever_panel() -> None:
    """Add candidates with the same lever form as the What-if page (its defaults and
    bounds); each candidate can be renamed or removed on its own."""
    ss = st.session_state
    sc = state.scenario()
    if sc is None:
        st.info("Load a scenario on the Scenario page first: the candidates change it.")
        return
    if ss.pop(LEVER_RESET, False):
        lever_form.reset(PREFIX)  # before the widgets exist: the form starts afresh
    built = ss.setdefault(BUILT, [])
    st.caption(f"Base: **{escape_markdown(sc.name)}**. Each candidate is one lever on the base.")
    lever = st.selectbox(
        "Lever", list(levers.LEVERS), format_func=levers.LEVERS.get, key="decide_lever"
    )
    approach = lever_form.approach_choice(sc, PREFIX) if lever == "set_approach" else None
    with st.form("decide_lever_form", border=False):
        values = lever_form.lever_inputs(lever, sc, approach, PREFIX)
        name = st.text_input(
            "Candidate name (optional)",
            # a new key after each Add: the browser draws the box empty again
            key=lever_form.key(f"cand_name_{ss.get(ADDED, 0)}", PREFIX),
            max_chars=80,
            placeholder="Named after the lever",
        )
        added = st.form_submit_button("Add candidate", icon=":material/add:")
    if added:
        try:
            changes = lever_form.build_changes(lever, sc, values)
            levers.variant_scenario(sc, changes)
        except ScenarioError as exc:
            st.error(f"That lever does not fit the scenario: {escape_markdown(exc)}")
        else:
            label = _unique(name or levers.short_label(changes))
            built.append([label, label, changes])
            ss[LEVER_RESET] = True
            ss[ADDED] = ss.get(ADDED, 0) + 1
            _say("success", f"Candidate “{label}” added.")
            st.rerun()
    names = decide.names_of(sc)
    for i, (_, label, changes) in enumerate(built):
        c1, c2, c3 = st.columns([3, 7, 1], vertical_alignment="center")
        key = f"dl_built_name_{i}"
        ss.setdefault(key, label)
        c1.text_input(
            f"Candidate {i + 1}",
            key=key,
            max_chars=80,
            on_change=_rename_built,
            args=(i, key),
            label_visibility="collapsed",
        )
        c2.markdown(escape_markdown(decide.changes_text(changes, names)))
        c3.button(
            "",
            key=f"dl_built_remove_{i}",
            icon=":material/delete:",
            help=f"Remove “{label}”",
            on_click=_remove_built,
            args=(i,),
        )
    c1, c2 = st.columns(2)
    if built and c1.button("Use these candidates", key="decide_use_built", type="primary"):
        path = state.loaded_path()
        ref = path.name if path is not None and not state.has_edits() else None
        name = f"Candidates for {sc.name}"
        _use_built_session(
            lambda: decide.session_from_changes(
                sc, [(n, ch) for _, n, ch in built], name, base_ref=ref, session_id=_built_id(name)
            ),
            f"{len(built)} candidates made with the levers.",
        )
    if built and c2.button("Clear", key="decide_clear_built"):
        ss[BUILT] = []
        st.rerun()


# -------------------------------------------------------------------- ranking
def _bar(label: str):
    update, done = simulate._bar(label)
    return update, done


def rank(ses: Session, runs: int, seed: int) -> Prioritisation | None:
    """The ranking: cached per session content; while it is simulated, a preliminary
    ranking from the first futures of each is shown, clearly marked."""
    ss = st.session_state
    key = _key(ses, runs, seed)
    cached = ss.get(RESULT)
    if cached and cached[0] == key:
        return cached[1]
    if not st.button(
        "Rank the candidates", key="decide_rank", type="primary", icon=":material/play_arrow:"
    ):
        if cached:
            st.info(
                "The candidates or the runs changed: press **Rank the candidates** to "
                "update the ranking."
            )
        return None
    early = st.empty()
    if runs > decide.PRELIMINARY_RUNS:
        update, done = _bar(f"Preliminary ranking ({decide.PRELIMINARY_RUNS} futures each)")
        pre = simulate.guarded(
            lambda: turns.take(
                "decide_preliminary",
                ("decide_preliminary", key),
                decide.PRELIMINARY_RUNS,
                len(ses.candidates) + 1,
                lambda: prioritise(
                    ses,
                    runs=decide.PRELIMINARY_RUNS,
                    seed=seed,
                    progress=update,
                    scheduler=simulate.scheduler(),
                ),
                pressed=True,
            ),
            "ranking",
        )
        done()
        if pre is None:
            return None
        with early.container():
            st.warning(
                f"**Preliminary** ranking from the first {decide.PRELIMINARY_RUNS} "
                f"simulated futures of each candidate; refining to {runs:,}…",
                icon=":material/hourglass_top:",
            )
            st.dataframe(
                decide.styled_ranking(decide.ranking_view(pre)[decide.RANKING_COLUMNS]),
                column_config=RANKING_CONFIG,
                hide_index=True,
                width="stretch",
                key="decide_preliminary",
            )
    update, done = _bar(f"Ranking ({runs:,} futures each)")
    pr = simulate.guarded(
        lambda: turns.take(
            "decide",
            ("decide", key),
            runs,
            len(ses.candidates) + 1,
            lambda: prioritise(
                ses, runs=runs, seed=seed, progress=update, scheduler=simulate.scheduler()
            ),
            pressed=True,
        ),
        "ranking",
    )
    done()
    early.empty()
    if pr is not None:
        ss[RESULT] = (key, pr)
        ss[COMBOS] = {}
        ss.pop(BEST, None)
    return pr


#: Help on the ranking's columns (what a "—" means, how to read "ahead of the next").
COLUMN_HELP = {
    "Δ delivery": "Δ mean delivery day against the base, working days.",
    "Δ P85": "Δ P85 delivery day (85% of futures deliver by then), working days.",
    "Δ on time": "Δ chance of delivering by the deadline, percentage points.",
    "Δ outcome": "Δ chance of reaching the outcome on time, percentage points.",
    "Δ NPV": "Δ mean NPV against the base.",
    "NPV / day late": "NPV per day of delay: Δ NPV / Δ mean delivery day, for a candidate "
    "that is later. " + words.NO_VALUE_PER_DAY_REASON,
    "Ahead of next": "The share of simulated futures in which this candidate ranks "
    "above the next one down by the same rule; below "
    f"{words.CLOSE_CALL:.0%} it is a close call.",
}
#: Pixel widths of the ranking's columns: the short view fits 1,280 pixels.
WIDTHS = {
    "Rank": 40,
    "Verdict": 72,
    "Δ delivery": 72,
    "Δ P85": 58,
    "Δ on time": 68,
    "Δ outcome": 72,
    "Δ NPV": 62,
    "NPV / day late": 90,
    "Ahead of next": 108,
}
#: The ranking's columns: help on each, narrow numbers.
RANKING_CONFIG = {
    "Candidate": st.column_config.TextColumn(pinned=True, width=172),
    **{k: st.column_config.Column(help=COLUMN_HELP.get(k), width=w) for k, w in WIDTHS.items()},
}


def show_ranking(pr: Prioritisation) -> None:
    st.subheader("Ranking")
    st.caption(
        f"{len(pr.table)} candidates against “{pr.session.base.name}”, "
        f"{pr.runs:,} simulated futures each, seed {pr.seed}; the base was simulated "
        "once and every candidate sees the same luck."
    )
    st.markdown(f"**The rule.** {words.RANK_RULE}")
    view = decide.ranking_view(pr).drop(columns=["id", "note"])
    more = st.toggle(
        "More columns",
        key="decide_more_columns",
        help="90% intervals, Δ P50, Δ cost and the rank confidence as a number.",
    )
    shown = view if more else view[decide.RANKING_COLUMNS]
    st.dataframe(
        decide.styled_ranking(shown),
        hide_index=True,
        width="stretch",
        column_config=RANKING_CONFIG,
        key="decide_ranking",
    )
    calls = words.close_calls(pr.table)
    if calls:
        st.markdown("**Close calls.** " + " ".join(calls))
    st.caption(decide.verdict_legend() + ". " + words.NO_VALUE_PER_DAY_REASON)
    if never := pr.never_delivers_note():  # such futures count at the cap's last day
        st.warning(never)
    st.markdown(prose.part("decide", "how to read"))


def _map_key(points) -> str:
    """The map's key: rank, verdict colour and the candidate's name."""
    lines = [
        f"{rank}. :{decide_charts.KEY_COLOURS[verdict]}[●] {name} · *{verdict}*"
        for rank, name, verdict in maps.key_rows(points)
    ]
    return "  \n".join(lines)


def show_maps(pr: Prioritisation) -> None:
    st.subheader("Trade-off maps")
    st.caption(prose.part("decide", "maps"))
    points = decide.map_points(pr)
    for title, spec in decide_charts.map_specs(points).items():
        left, right = st.columns([3, 1], gap="medium")
        with left:
            st.markdown(f"**{title}**")
            st.vega_lite_chart(spec, width="stretch")
        with right:
            st.markdown("**Key**  \n" + _map_key(points))


def show_combination(pr: Prioritisation) -> None:
    ss = st.session_state
    st.subheader("Combine")
    st.caption(prose.part("decide", "combine"))
    names = {c.id: c.name for c in pr.session.candidates}
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    ids = c1.multiselect(
        "Candidates to combine", pr.session.ids(), format_func=names.get, key="decide_combine_ids"
    )
    go = c2.button("Combine", key="decide_combine", disabled=len(ids) < 2, icon=":material/join:")
    key = (id(pr), tuple(sorted(ids)))
    combos = ss.setdefault(COMBOS, {})
    if go and key not in combos:
        update, done = _bar("Combining")
        combo = simulate.guarded(lambda: pr.combine(ids, progress=update), "combination")
        done()
        if combo is not None:
            combos[key] = combo
    combo = combos.get(key)
    if combo is None:
        if len(ids) >= 2:
            st.caption("Press **Combine** to simulate them together.")
        return
    st.markdown(
        "**"
        + escape_markdown(" + ".join(names[c] for c in combo.ids))
        + "** together, against the "
        "base and against the sum of each alone"
    )
    st.dataframe(
        decide.styled_combination(decide.combination_view(combo)),
        hide_index=True,
        width="stretch",
        key="decide_combination_table",
    )
    note = words.combination_note(pr.effect(combo.ids), pr.session.constraint)
    if note:
        (st.warning if "break" in note else st.caption)(note)
    delay = combo.interaction["delivery_day"]
    if abs(delay) > 0.05:
        word = "later" if delay > 0 else "sooner"
        st.markdown(
            f"Together they deliver **{abs(delay):.1f} working days {word}** than "
            "the single changes add up to: they share the same people and the same "
            "dates."
            if delay > 0
            else f"Together they deliver **{abs(delay):.1f} working days {word}** than the "
            "single changes add up to."
        )


def _cached_best(pr: Prioritisation) -> list[dict] | None:
    """The best set's steps found on the page for this ranking, if searched."""
    cached = st.session_state.get(BEST)
    return cached[1] if cached and cached[0] is pr else None


def show_best(pr: Prioritisation) -> None:
    ss = st.session_state
    st.subheader("Best set")
    rule = words.constraint_words(pr.session.constraint)
    st.caption(prose.part("decide", "best set") + f" Constraint: {rule}.")
    cached = ss.get(BEST)
    if not (cached and cached[0] is pr):
        simulate.say_if_stopped("best-set search", "Find the best set")
        if not st.button("Find the best set", key="decide_best_go", icon=":material/trending_up:"):
            return
        steps = simulate.search(
            "best-set search",
            "Searching",
            "sets simulated",
            lambda update: pr.best_set(progress=update),
        )
        if steps is None:
            return
        ss[BEST] = cached = (pr, steps)
    names = {c.id: c.name for c in pr.session.candidates}
    steps = cached[1]
    st.markdown(
        words.best_set_sentence(
            pr.effect(steps[-1]["ids"]), pr.left_out(steps), names, pr.session.constraint
        )
    )
    table = decide.best_steps(steps, names)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.altair_chart(decide_charts.frontier_chart(table), width="stretch")
    with right:
        st.dataframe(
            table[["step_label", "delivery_days", "npv", "on_time_probability"]]
            .rename(
                columns={
                    "step_label": "Step",
                    "delivery_days": "Δ delivery (days)",
                    "npv": "Δ NPV",
                    "on_time_probability": "On-time chance",
                }
            )
            .style.format(
                {
                    "Δ delivery (days)": decide.signed(1),
                    "Δ NPV": decide.RANKING_FORMATS["Δ NPV"],
                    "On-time chance": fmt.pct,
                }
            ),
            hide_index=True,
            width="stretch",
            key="decide_best_table",
        )


# ------------------------------------------------------------------ decisions
def accepted_effect(pr: Prioritisation, latest: dict) -> dict | None:
    """The accepted candidates together against the base (simulated once per set)."""
    ids = [c for c in pr.session.ids() if c in latest and latest[c].decision == "accept"]
    if not ids:
        return None
    cache = st.session_state.setdefault(ACCEPTED, {})
    key = (id(pr), tuple(ids))
    if key not in cache:
        update, done = _bar("Simulating the accepted set")
        effect = simulate.guarded(lambda: pr.effect(ids, progress=update), "accepted set")
        done()
        if effect is None:
            return None
        cache[key] = effect
    return cache[key]


def show_decisions(pr: Prioritisation) -> None:
    ss = st.session_state
    ses = pr.session
    st.subheader("Decide")
    seen_before = dict(ss.get(SEEN, {}))
    names = {c.id: c.name for c in ses.candidates}
    if identity.needs_sign_in():
        identity.sign_in_button("record decisions", key="decide_sign_in")
    else:
        _decision_form(pr, names, seen_before, identity.current_author())
    _decisions_recorded(pr, names)


#: The store's field names as the decision form labels them.
FORM_LABELS = {"decided_by": "Decided by", "rationale": "Rationale"}


def _in_form_words(message: str) -> str:
    """A store refusal naming the form's field by its label (``Decided by: required``)."""
    field, sep, rest = message.partition(":")
    return f"{FORM_LABELS[field]}{sep}{rest}" if field in FORM_LABELS else message


def _decision_form(
    pr: Prioritisation,
    names: dict[str, str],
    seen_before: dict[str, int],
    signed_in: Identity | None,
) -> None:
    """The form that records a decision: by the signed-in person, or by a typed name
    that the page says is not verified."""
    ss = st.session_state
    ses = pr.session
    # Recorded: new keys, so the browser draws the text boxes empty again (a refused
    # record keeps the keys, and what was typed).
    gen = ss.get(DECISION_FORM, 0)
    # Enter in "Decided by" does not record: the room presses the button (an Enter that
    # recorded and cleared the form made the next click a blank, refused record).
    with st.form("decide_form", enter_to_submit=False):
        c1, c2 = st.columns([2, 1])
        cid = c1.selectbox(
            "Candidate", pr.ranked_ids(), format_func=names.get, key="decide_candidate"
        )
        choice = c2.radio(
            "Decision", store_decisions.DECISIONS, horizontal=True, key="decide_choice"
        )
        rationale = st.text_area(
            "Rationale",
            key=f"decide_rationale_{gen}",
            max_chars=5000,
            placeholder="Why, in a sentence or two",
        )
        if signed_in is None:
            who = st.text_input(
                "Decided by",
                key=f"decide_who_{gen}",
                max_chars=200,
                placeholder="Your name (and role)",
                help=store_decisions.UNVERIFIED_NAMES,
            )
            st.caption(store_decisions.UNVERIFIED_NAMES)
        else:
            who = ""
            identity.author_caption(signed_in, "Deciding")
        submitted = st.form_submit_button(
            "Record decision", type="primary", icon=":material/gavel:"
        )
    if submitted:
        numbers = {
            k: (v.item() if hasattr(v, "item") else v)
            for k, v in pr.table.set_index("candidate").loc[cid].items()
        }
        numbers.update(runs=pr.runs, seed=pr.seed, base=ses.base.name)
        try:
            rec = store_decisions.record_decision(
                ses.name,
                cid,
                choice,
                signed_in or who,
                rationale,
                numbers,
                seen=seen_before.get(cid),
                session_id=ses.id,
            )
        except ScenarioError as exc:
            st.error(f"Not recorded: {escape_markdown(_in_form_words(str(exc)))}")
        except StoreError as exc:
            st.error(
                f"Not recorded: the store failed ({escape_markdown(exc)}). Nothing was written."
            )
        else:
            said = []
            others = [u for u in rec.unseen if u.id != rec.decision.id]
            if others:
                last = others[-1]
                said.append(("warning", decide.meanwhile_note(last, names[cid])))
            said.append(
                (
                    "success",
                    f"Recorded: {choice} “{escape_markdown(names[cid])}” "
                    f"({escape_markdown(rec.decision.decided_by)}).",
                )
            )
            ss[DECIDED] = said
            ss.pop(f"decide_rationale_{gen}", None)
            ss.pop(f"decide_who_{gen}", None)
            ss[DECISION_FORM] = gen + 1
            st.rerun()  # the table below and the accepted set include it at once


def _decisions_recorded(pr: Prioritisation, names: dict[str, str]) -> None:
    """What was just recorded, and the decisions shown with the accepted set's effect."""
    ss = st.session_state
    ses = pr.session
    for kind, text in ss.pop(DECIDED, []):
        getattr(st, kind)(text)
    try:
        latest = store_decisions.latest_decisions(ses.name, session_id=ses.id)
        every = store_decisions.list_decisions(ses.name, session_id=ses.id)
    except StoreError as exc:
        st.error(f"The decisions cannot be read: {escape_markdown(exc)}")
        return
    ss[SEEN] = {c: d.id for c, d in latest.items()}
    table = decide.decision_table(pr, latest)
    effect = accepted_effect(pr, latest)
    st.markdown(words.accepted_sentence(effect, names))
    view = decide.decisions_view(pr, latest, effect)
    if not st.session_state.get("decide_more_columns"):
        # At 1280 px the rationale and who decided need the room; the numbers are in
        # the ranking above (and here with "More columns").
        view = view.drop(columns=list(decide.DECISION_NUMBERS))
    st.dataframe(
        decide.styled_decisions(view),
        hide_index=True,
        width="stretch",
        column_config={
            "Rank": st.column_config.Column(width=45),
            "Candidate": st.column_config.TextColumn(pinned=True, width=172),
            "Verdict": st.column_config.Column(width=85),
            "Decision": st.column_config.Column(width=90),
            "Rationale": st.column_config.TextColumn(width="large"),
            "Decided by": st.column_config.TextColumn(width="medium"),
            **{k: st.column_config.Column(width=78) for k in decide.DECISION_NUMBERS},
        },
        key="decide_decisions",
    )
    if len(every) > len(latest):
        with st.expander(f"Every record ({len(every)})"):
            st.dataframe(store_decisions.decision_rows(every), hide_index=True, width="stretch")
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Decision table (CSV)",
        frame_csv(table).encode(),
        file_name=decide.file_stem(ses.name, "-decisions.csv"),
        mime="text/csv",
        icon=":material/download:",
        key="decide_csv",
    )
    if ses.base_ref:
        session_download(
            c1,
            ses,
            "Session file (YAML)",
            "decide_session_download",
            help="These candidates as a session file: put it in "
            "scenarios/sessions/ or upload it here again.",
        )
    accepted = [c for c, d in latest.items() if d.decision == "accept"]
    if not accepted:
        c2.caption("Accept a candidate to save the accepted set as a variant of the base.")
        return
    try:
        filename, text = decide.accepted_variant(ses, accepted)
    except ValueError:
        c2.caption(
            "The base is not a library file, so the accepted set cannot be saved as "
            "a variant of it; save the scenario on the Scenario page first."
        )
        return
    c2.download_button(
        "Accepted set as a variant (YAML)",
        text.encode(),
        file_name=filename,
        mime="application/x-yaml",
        icon=":material/download:",
        key="decide_variant_download",
    )
    if c3.button(
        "Save the accepted set in my folder", key="decide_variant_save", icon=":material/save:"
    ):
        try:
            path = saved_files.save_text(text, Path(filename).stem, overwrite=False)
        except saved_files.FileExists as exc:
            st.error(f"{escape_markdown(exc)}: a file of that name exists; it was left as it is.")
        except saved_files.SaveRefused as exc:
            st.error(f"Not saved: {escape_markdown(exc)}")
        else:
            st.success(
                f"Saved as {escape_markdown(path.name)} in your folder (it extends the base)."
            )


# ------------------------------------------------------------------------ page
def main() -> None:
    st.title("Decide")
    st.markdown(prose.part("decide", "intro"))
    ss = st.session_state
    message = ss.pop(MESSAGE, None)
    if message:
        getattr(st, message[0])(escape_markdown(message[1]))
    source_panel()
    ses: Session | None = ss.get(SESSION)
    if ses is None:
        st.info("Load a session file, or use the What-if variants, to start.")
        return
    base_runs = ses.base.simulation.runs
    default = base_runs if isinstance(base_runs, int) else DEFAULT_RUNS
    st.markdown(
        f"**{escape_markdown(ses.name)}**: {len(ses.candidates)} candidates on "
        f"“{escape_markdown(ses.base.name)}”"
        + (f". {escape_markdown(ses.description)}" if ses.description else "")
    )
    given_id_note(ses)
    with st.expander(
        f"The candidates and their changes ({len(ses.candidates)})", expanded=ss.get(RESULT) is None
    ):
        st.dataframe(
            decide.candidates_view(ses), hide_index=True, width="stretch", key="decide_candidates"
        )
    c1, c2 = st.columns(2)
    most = min(MAX_RUNS, server_settings.runs_limit())
    runs = int(
        c1.number_input(
            "Futures per candidate",
            10,
            most,
            min(default, most),
            100,
            key="decide_runs",
            help=f"Up to {most:,} on this server ({server_settings.RUNS_PER_SESSION_ENV}).",
        )
    )
    seed = int(
        c2.number_input("Seed", 0, 2**31 - 1, int(ses.base.simulation.seed), 1, key="decide_seed")
    )
    pr = rank(ses, runs, seed)
    if pr is None:
        return
    show_ranking(pr)
    report_button.download_report(
        None,
        lambda: report.session_report(ses, pr=pr, best=_cached_best(pr)),  # None: decisions change
        report_button.file_name(ses.name),
        "decide_report",
    )
    show_maps(pr)
    show_combination(pr)
    show_best(pr)
    show_decisions(pr)
    show_best_order(ses, runs, seed)  # Sequencing (dashboard/decide_order.py)


try:
    main()
except Exception:  # never a traceback on the page; the log has it
    LOG.exception("the Decide page failed")
    st.error("The Decide page hit an unexpected problem; the details are in the server log.")
