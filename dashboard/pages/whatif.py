"""What-if page: levers make variants; a paired comparison shows what each one does."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, lever_form, levers, narrative, page_tables, prose, simulate, state
from simulation import Scenario, ScenarioError
from simulation.engine.runner import with_runs
from simulation.present.markdown import escape_markdown

NEW = "A new variant"
LAST_ERROR = "lever_error"
LAST_MESSAGE = "lever_message"  # the outcome of the last Add lever, shown after the rerun
RESET = "lever_reset"  # set after a lever was added: its fields start afresh
#: Lever widgets that survive an added lever (the choice of lever and of target).
KEPT_KEYS = ("lv_which", "lv_target", "lv_approach")
#: Key prefix of this page's lever widgets.
PREFIX = "lv_"
#: Name of the variant that keeps the plan a promoted variant replaced.
ORIGINAL = "Original plan"
#: Shown while variants exist only in the session (a reload would lose them).
UNSAVED_NOTE = (
    "These variants live only in this browser session: reloading the page or "
    "loading another scenario loses them. To keep them, use **Save to my "
    "scenarios** on the Scenario page: it saves each variant as a file beside "
    "the scenario, and loading the scenario brings them back."
)


def lever_key(name: str) -> str:
    return lever_form.key(name, PREFIX)


def lever_panel(sc: Scenario) -> None:
    ss = st.session_state
    if ss.pop(RESET, False):
        # Before any lever widget exists in this run: deleting their state then is safe.
        lever_form.reset(PREFIX, KEPT_KEYS)
    variants = state.variants()
    with st.container(border=True):
        st.subheader("Levers")
        st.caption(prose.part("whatif", "levers"))
        lever = st.selectbox(
            "Lever", list(levers.LEVERS), format_func=levers.LEVERS.get, key=lever_key("which")
        )
        approach = lever_form.approach_choice(sc, PREFIX) if lever == "set_approach" else None
        names = [NEW, *[v.name for v in variants]]
        if ss.get(lever_key("target")) not in names:
            ss.pop(lever_key("target"), None)  # a variant deleted or renamed meanwhile
        with st.form("lever_form", border=False):
            values = lever_form.lever_inputs(lever, sc, approach, PREFIX)
            c1, c2 = st.columns([2, 2])
            target = c1.selectbox("Add to", names, key=lever_key("target"))
            name = c2.text_input(
                "Name of the new variant (optional)",
                key=lever_key("name"),
                max_chars=80,
                placeholder="Named after the lever",
            )
            submitted = st.form_submit_button("Add lever", type="primary", icon=":material/add:")
        if submitted:
            ok, message = add_lever(sc, lever, values, target, name)
            if ok:
                # Rerun at once: the "Add to" list above was drawn before this variant
                # existed, and the fields still hold this lever's values.
                ss[LAST_MESSAGE] = message
                ss[RESET] = True
                st.rerun()
            st.error(escape_markdown(message))
        message = ss.pop(LAST_MESSAGE, None)
        if message:
            st.success(escape_markdown(message) + " The lever's fields are back to their defaults.")
        error = ss.pop(LAST_ERROR, None)
        if error:
            st.error(escape_markdown(error))


def add_lever(
    sc: Scenario, lever: str, values: dict[str, Any], target: str, name: str
) -> tuple[bool, str]:
    """Add the lever's changes to a variant; (done, message for the page)."""
    variants = state.variants()
    existing = next((v for v in variants if v.name == target), None)
    try:
        # Build on what the variant already is (new ids, the WIP limit it has now).
        current = levers.variant_scenario(existing.base or sc, existing.changes) if existing else sc
        changes = lever_form.build_changes(lever, current, values)
        levers.variant_scenario(current, changes)
    except ScenarioError as exc:
        detail = "; ".join(f"{p}: {m}" for p, m in exc.problems) or str(exc)
        return False, f"That lever does not fit the scenario: {detail}"
    if existing is not None:
        existing.changes.extend(changes)
        return True, f"Added to “{existing.name}”. Run the comparison to see the effect."
    label = levers.unique_name(
        name or levers.short_label(changes), ["Baseline", *[v.name for v in variants]]
    )
    variants.append(state.Variant(label, changes))
    return True, f"New variant “{label}”. Run the comparison to see the effect."


# ------------------------------------------------------------------ variants
def built_variants(sc: Scenario) -> tuple[dict[str, Scenario], dict[str, str]]:
    """Each variant's scenario, and an error message for those that no longer apply."""
    out: dict[str, Scenario] = {}
    errors: dict[str, str] = {}
    for v in state.variants():
        try:
            out[v.name] = levers.variant_scenario(v.base or sc, v.changes)
        except ScenarioError as exc:
            errors[v.name] = str(exc)
    return out, errors


def _remove_change(i: int, j: int) -> None:
    variants = state.variants()
    if i < len(variants) and j < len(variants[i].changes):
        del variants[i].changes[j]
        if not variants[i].changes and not variants[i].pinned:
            del variants[i]


def _delete_variant(i: int) -> None:
    variants = state.variants()
    if i < len(variants):
        del variants[i]


def _taken_names(skip: int | None = None) -> list[str]:
    return ["Baseline", *[v.name for n, v in enumerate(state.variants()) if n != skip]]


def _duplicate(i: int) -> None:
    """A copy right after the original, to try it with a change more or less."""
    variants = state.variants()
    if i >= len(variants):
        return
    v = variants[i]
    copy = state.Variant(
        levers.unique_name(f"{v.name} (copy)", _taken_names()), list(v.changes), v.base
    )
    variants.insert(i + 1, copy)
    state.notice(f"“{copy.name}” is a copy of “{v.name}”: remove or add changes to it.")


def _rename(i: int, key: str) -> None:
    ss = st.session_state
    variants = state.variants()
    new = str(ss.get(key) or "").strip()[:80]
    if i >= len(variants) or not new or new == variants[i].name:
        return
    if new in _taken_names(skip=i):
        ss[LAST_ERROR] = f"Not renamed: “{new}” is already the name of another scenario."
        return
    old = variants[i].name
    variants[i].name = new
    state.notice(f"“{old}” is now called “{new}”.")


def promoted_text(sc: Scenario, v: state.Variant) -> tuple[str, str]:
    """The promoted scenario's name and description, saying what it was made from.

    ``Supply-chain analytics app with: Add refresh`` and the original
    description followed by each change in words.
    """
    name = f"{sc.name} with: {v.name}"
    if len(name) > 200:
        name = name[:199] + "…"
    changes = "; ".join(c.describe() for c in v.changes)
    made = f"Made from “{sc.name}” with: {changes}." if changes else ""
    description = "\n\n".join(part for part in (sc.description, made) if part)
    return name, description[:5000]


def _promote(i: int) -> None:
    sc = state.scenario()
    variants = state.variants()
    if sc is None or i >= len(variants):
        return
    v = variants[i]
    try:
        new = levers.variant_scenario(v.base or sc, v.changes)
    except ScenarioError as exc:
        st.session_state[LAST_ERROR] = f"Cannot promote “{v.name}”: {exc}"
        return
    name, description = promoted_text(v.base or sc, v)
    new = new.model_copy(update={"name": name, "description": description})
    del variants[i]
    # The plan it replaces stays comparable: pinned, since no list of changes turns
    # the new baseline back into it.
    original = levers.unique_name(ORIGINAL, _taken_names())
    variants.insert(0, state.Variant(original, [], sc))
    state.set_scenario(new, f"baseline + “{v.name}”", keep_variants=True)
    # The working scenario is no longer the file it was loaded from.
    st.session_state[state.LOADED_PATH] = None
    st.session_state.pop(state.COMPARISON, None)
    state.notice(
        f"“{v.name}” is now the baseline; the other variants build on it. The "
        f"previous baseline is kept as “{original}”."
    )


def variant_list(sc: Scenario, errors: dict[str, str]) -> None:
    variants = state.variants()
    st.subheader("Variants")
    if not variants:
        st.info(
            "No variants yet. Pick a lever, set it and press **Add lever** to make the first one."
        )
        return
    if state.variants_unsaved():
        # A page reload starts a new session: say so before it happens, not after.
        st.warning(UNSAVED_NOTE, icon=":material/warning:")
    for i, v in enumerate(variants):
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(v.name)}**")
            if v.pinned:
                st.caption(
                    f"The plan “{escape_markdown(v.base.name)}” as it was: a fixed copy, it "
                    "does not follow edits to the baseline."
                )
            for j, change in enumerate(v.changes):
                c1, c2 = st.columns([7, 1], vertical_alignment="center")
                c1.markdown(f"{j + 1}. {escape_markdown(change.describe())}")
                c2.button(
                    ":material/close:",
                    key=f"rm_{i}_{j}_{v.name}",
                    type="tertiary",
                    on_click=_remove_change,
                    args=(i, j),
                    help="Remove this change",
                )
            if v.name in errors:
                st.error(
                    f"This variant no longer fits the baseline: {escape_markdown(errors[v.name])}"
                )
            # Two rows of two: the right-hand column is narrow, and three buttons
            # side by side cut their labels ("Dupli...").
            b1, b2 = st.columns(2)
            b1.button(
                "Make baseline",
                key=f"promote_{i}_{v.name}",
                on_click=_promote,
                args=(i,),
                icon=":material/upgrade:",
                width="stretch",
                help="Apply this variant to the scenario itself; other variants then "
                "build on it, and the current baseline is kept as a variant.",
            )
            b2.button(
                "Duplicate",
                key=f"duplicate_{i}_{v.name}",
                on_click=_duplicate,
                args=(i,),
                icon=":material/content_copy:",
                width="stretch",
                help="A copy to change: try it with one change more or less.",
            )
            r1, r2, r3 = st.columns([5, 3, 1], vertical_alignment="bottom")
            rename_key = f"rename_{i}_{v.name}"
            r1.text_input(
                "Rename to",
                key=rename_key,
                max_chars=80,
                placeholder="New name",
                label_visibility="collapsed",
            )
            r3.button(
                ":material/delete:",
                key=f"delete_{i}_{v.name}",
                type="tertiary",
                on_click=_delete_variant,
                args=(i,),
                help="Delete this variant",
            )
            r2.button(
                "Rename",
                key=f"rename_btn_{i}_{v.name}",
                on_click=_rename,
                args=(i, rename_key),
                width="stretch",
            )


# ---------------------------------------------------------------- comparison
def comparison(sc: Scenario, built: dict[str, Scenario]) -> None:
    st.subheader("Comparison")
    if not built:
        st.caption("The comparison appears once there is a variant.")
        return
    scenarios = {"Baseline": sc, **built}
    ss = st.session_state
    runs = sc.simulation.runs
    if runs == "auto":
        # Paired differences need the same runs for every scenario: use the
        # number the baseline's automatic forecast settled on.
        base = simulate.forecast(sc)
        runs = base["summary"]["runs"]
        scenarios = with_runs(scenarios, runs)
    st.caption(
        f"{len(scenarios)} scenarios × {runs:,} simulated futures, seed "
        f"{sc.simulation.seed}: every scenario sees the same luck in each future."
    )
    if st.button(
        "Run comparison", type="primary", key="run_comparison", icon=":material/play_arrow:"
    ):
        ss[state.COMPARISON] = scenarios
    request = ss.get(state.COMPARISON)
    if not request:
        st.info("Press **Run comparison** to simulate the baseline and the variants.")
        return
    if request != scenarios:
        st.info(
            "The scenario or the variants changed since this comparison: press **Run "
            "comparison** to update it."
        )
    t = simulate.guarded(lambda: simulate.comparison(request), "comparison")
    if t is None:
        return
    show_comparison(t)
    # The steering-committee report of this comparison (simulation.report.document;
    # docs/reference/drivers-and-report.md).
    from dashboard import report_button
    from simulation.report import document as report

    report_button.download_report(
        ("comparison", tuple((n, simulate.scenario_key(v)) for n, v in request.items())),
        lambda: report.comparison_report(request),
        report_button.file_name(sc.name),
        "whatif_report",
        simulates=(sc.simulation.runs, len(request)),
    )


def show_comparison(t: dict[str, Any]) -> None:
    names = t["names"]
    base = t["summaries"][names[0]]
    for name in names[1:]:
        deltas = page_tables.delta_lookup(t["deltas"], name)
        st.markdown(
            narrative.delta_sentence(name, base, t["summaries"][name], deltas, t["shifts"][name])
        )
        why = narrative.why_sentences(
            t.get("why", {}).get(name),
            deltas.get("delivery_day", {}).get("mean"),
            t["shifts"][name].get("p50"),
        )
        if why:
            st.caption("**Why not earlier:** " + " ".join(why))
    # One row per scenario, in a table that wraps its cells: every scenario and every
    # measure stays readable in the page's width, however many there are (a grid
    # with a column per scenario scrolled the fifth one off).
    # st.table renders Markdown in its cells: the names people typed are escaped.
    rows = page_tables.comparison_rows(t)
    rows["Scenario"] = rows["Scenario"].map(escape_markdown)
    st.table(rows.set_index("Scenario"))
    st.caption(
        "One row per scenario, the baseline first. In brackets: the variant minus "
        "the baseline (date shifts in working days); in square brackets: the 90% "
        "interval of the mean paired difference over the same simulated futures."
    )
    specs = t["charts"]
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Delivered by each date (share of futures)**")
        st.vega_lite_chart(spec=specs["cdf"], width="stretch")
    with right:
        st.markdown("**Value earned over time (median, with the middle 50%)**")
        st.vega_lite_chart(spec=specs["value"], width="stretch")
    left, right = st.columns(2, gap="large")
    for col, (metric, label, _fmt) in zip((left, right), charts.DELTA_CHARTS, strict=True):
        with col:
            st.markdown(f"**{label}: mean and 90% interval**")
            st.vega_lite_chart(spec=specs[metric], width="stretch")


def main() -> None:
    st.title("What-if")
    sc = state.scenario()
    if sc is None:
        st.info("Load a scenario on the Scenario page first.")
        return
    st.markdown(prose.part("whatif", "intro"))
    message = state.notice()
    if message:
        st.success(escape_markdown(message))
    st.caption(f"Baseline: **{escape_markdown(sc.name)}** ({escape_markdown(state.origin())}).")
    left, right = st.columns([3, 2], gap="large")
    with left:
        lever_panel(sc)
    built, errors = built_variants(sc)
    with right:
        variant_list(sc, errors)
    comparison(sc, built)


main()
