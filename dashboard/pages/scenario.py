"""Scenario page: pick, upload or edit the scenario; download or save it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import editor, fmt, prose, saved_files, server_settings, state, variant_files
from dashboard.bounds import choices, field_bounds
from simulation import ScenarioError, load_scenario, load_scenario_text, scenario_to_yaml
from simulation.present.markdown import escape_markdown
from simulation.present.sentences import ADOPTION_MODELS
from simulation.scenario.changes import variant_base, variant_changes
from simulation.scenario.library import LIBRARY_DIR, list_library
from simulation.scenario.schema import (
    MAX_DATE,
    MAX_RUNS,
    MIN_DATE,
    Adoption,
    Creep,
    Delivery,
    Iteration,
    Outcome,
    Scope,
    SimulationSettings,
    Team,
    Urgency,
    ValueSettings,
    parse_scenario,
)
from simulation.scenario.yamlio import parse_yaml_text, read_yaml_file

LOG = logging.getLogger(__name__)
#: Largest whole number a browser number field holds exactly (2**53 - 1).
MAX_WIDGET_INT = 2**53 - 1
SEED = field_bounds(SimulationSettings, "seed")
#: The backlog's must-have column says its default (an item without the key is one).
MUST_HAVE_LABEL = "Must have (default ✓)"
ADOPTION = ADOPTION_MODELS
URGENCY = {
    "standard": "Standard (value constant over time)",
    "fixed_date": "Fixed date (value drops after a date)",
    "decaying": "Decaying (value halves every so often)",
}
assert tuple(ADOPTION) == choices(Adoption, "model"), "the schema's adoption models"
assert tuple(URGENCY) == choices(Urgency, "profile"), "the schema's urgency profiles"


def limits(
    model, name: str, scale: float = 1.0, whole: bool = False, help: str | None = None
) -> dict[str, Any]:
    """``min_value``/``max_value`` for a widget editing ``model.name``, from the schema,
    and its ``help`` ending with the range in words ("From 1 to 500.").

    ``scale`` is 100 for a share shown as a percentage. Being the schema's own
    bounds, a valid file's value always fits the widget, and the widget never
    refuses what the schema accepts. The range is said in the help because a
    browser refuses a number outside it with no word of why.
    """
    lo, hi, _default = field_bounds(model, name)
    conv = int if whole else float
    low = None if lo is None else conv(lo * scale)
    high = None if hi is None else conv(hi * scale)
    return {
        "min_value": low,
        "max_value": high,
        "help": " ".join(x for x in (help, range_words(low, high)) if x) or None,
    }


def range_words(low: float | None, high: float | None) -> str:
    """A field's accepted range in words: "From 1 to 500.", "At least 0.", or ""."""

    def num(x: float) -> str:
        return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"

    if low is not None and high is not None:
        return f"From {num(low)} to {num(high)}."
    if low is not None:
        return f"At least {num(low)}."
    if high is not None:
        return f"At most {num(high)}."
    return ""


def key(name: str) -> str:
    """Widget keys carry the editor version, so a newly loaded scenario starts afresh."""
    return f"sc_{name}_{state.version()}"


def pct_in(
    label: str,
    value: float,
    name: str,
    help: str | None = None,
    field: tuple[Any, str] | None = None,
    disabled: bool = False,
) -> float:
    """A share edited as a percentage; returned as a fraction (0-1), rounded to stay exact.

    ``field`` is the schema's ``(model, field name)``: its bounds, times 100.
    """
    bounds = (
        limits(*field, scale=100.0, help=help)
        if field
        else {"min_value": 0.0, "max_value": 100.0, "help": help}
    )
    v = st.number_input(
        label,
        **bounds,
        step=5.0,
        value=round(float(value) * 100, 4),
        key=key(name),
        format="%.1f",
        disabled=disabled,
    )
    return round(float(v) / 100, 6)


# ------------------------------------------------------------------ sources
def load_message(exc: ScenarioError, name: str, data: Any = None) -> str:
    """A load failure in words: the file, then each problem with its field path.

    With the file's ``data`` (as read), a backlog or risk path also names the
    row and id it means, ``items[2] (row 3, 'tracking').effort.high``, as the
    editor's messages do.
    The result is Markdown: the file's name, paths and messages (which quote what
    the file holds) are escaped, the list of problems is a list.
    """
    md = escape_markdown
    problems = [(editor.annotate_path(path, data), message) for path, message in exc.problems]
    if len(problems) > 1:
        return f"{md(name)} has {len(problems)} problems:" + "".join(
            f"\n- **{md(path)}**: {md(message)}" for path, message in problems
        )
    if problems and data is not None:
        path, message = problems[0]
        return md(f"{name}: {path}: {message}")
    return md(exc)


def _data_of(read) -> Any:
    """The file's data for :func:`load_message`, or None if it cannot even be read."""
    try:
        return read()
    except (ScenarioError, OSError, ValueError):
        return None


def _load_path(path: Path, origin: str) -> None:
    try:
        sc = load_scenario(path)
        changes = variant_changes(path)
        base_path = variant_base(path) if changes else path
        base = load_scenario(base_path) if changes else sc
    except ScenarioError as exc:
        st.session_state[state.LOAD_ERROR] = load_message(
            exc, path.name, _data_of(lambda: read_yaml_file(path))
        )
        return
    if not changes:
        # Variants saved with this scenario (``<stem>--<variant>.yaml``) load with it.
        saved, problems = variant_files.load_variants(path)
        message = f"Loaded “{sc.name}”."
        if saved:
            n = len(saved)
            message = (
                f"Loaded “{sc.name}” with its {n} saved what-if variant"
                f"{'s' if n > 1 else ''} ({', '.join(v.name for v in saved)}): "
                "compare them on the What-if page."
            )
        if problems:
            message += " Not loaded: " + "; ".join(problems) + "."
        state.request_load(sc, origin, message, path, saved)
        return
    # A variant file: its base is the scenario, the variant a What-if variant, so a
    # lesson shows the two side by side (not the variant flattened into a baseline).
    variant = state.Variant(sc.name if sc.name != base.name else path.stem, list(changes))
    state.request_load(
        base,
        f"library file {base_path.name}"
        if base_path.parent.resolve() == LIBRARY_DIR.resolve()
        else f"saved file {base_path.name}",
        f"Loaded “{base.name}” with the variant “{variant.name}” from "
        f"{path.name}: compare them on the What-if page.",
        base_path,
        [variant],
    )


def pending_load_box() -> None:
    """Ask before a load replaces edits or variants that would otherwise be lost."""
    pending = state.pending_load()
    if pending is None:
        return
    with st.container(border=True):
        advice = []
        if state.has_edits():
            advice.append("Save or download the scenario first to keep your edits.")
        if state.variants_unsaved():
            advice.append(
                "*Save to my scenarios* keeps the what-if variants too (each as a "
                "variant file beside the scenario)."
            )
        st.warning(
            f"Loading **{escape_markdown(pending.scenario.name)}** replaces "
            f"{state.unsaved_work()}. " + " ".join(advice)
        )
        c1, c2, _ = st.columns([2, 2, 5])
        c1.button(
            "Replace it",
            key="pending_replace",
            type="primary",
            on_click=state.confirm_load,
            icon=":material/swap_horiz:",
        )
        c2.button("Keep editing", key="pending_cancel", on_click=state.cancel_load)


def _choices() -> list[tuple[str, Path, str]]:
    rows = [
        (f"{r['name']}  ·  {r['file']}", LIBRARY_DIR / r["file"], f"library file {r['file']}")
        for r in list_library()
        if r["kind"] != "invalid"
    ]
    for path in saved_files.list_saved():
        rows.append((f"Saved: {path.stem}", path, f"saved file {path.name}"))
    return rows


def source_picker() -> None:
    choices = _choices()
    labels = [c[0] for c in choices]
    # Open on the file last loaded (the widget forgets its pick when the page is left).
    loaded = state.loaded_path()
    in_use = state.scenario()
    if loaded is None and in_use is not None:
        # An upload (or nothing from a file): no entry of the list is in use, so
        # none is shown as picked.
        default = None
    else:
        default = next(
            (i for i, c in enumerate(choices) if loaded and c[1] == loaded),
            next((i for i, c in enumerate(choices) if c[1].name == state.DEFAULT_SCENARIO), 0),
        )
    pick = st.selectbox(
        "Library and saved scenarios",
        labels,
        index=default if labels else None,
        key=state.PICK,
        placeholder=f"In use: {state.origin()} (not from this list)",
        help="The library is read-only; your saved scenarios are listed after it.",
    )
    chosen = next((c for c in choices if c[0] == pick), None)
    st.button(
        "Load",
        key="library_load",
        disabled=chosen is None,
        on_click=_load_path,
        args=(chosen[1], chosen[2]) if chosen else (None, ""),
        help="Replaces the scenario being edited (and its what-if variants); "
        "asks first if you have changed either.",
    )


def uploader() -> None:
    up = st.file_uploader(
        "Upload a scenario file",
        type=["yaml", "yml"],
        key="upload",
        help="A scenario YAML file (up to 1 MB). Variant files that "
        "'extend' another file must be loaded from the library.",
    )
    if up is None or st.session_state.get("upload_seen") == up.file_id:
        return
    st.session_state["upload_seen"] = up.file_id
    try:
        sc = load_scenario_text(up.getvalue(), source=up.name, base_dir=None)
    except ScenarioError as exc:
        st.session_state[state.LOAD_ERROR] = load_message(
            exc, up.name, _data_of(lambda: parse_yaml_text(up.getvalue(), up.name))
        )
        return
    state.request_load(sc, f"upload {up.name}", f"Loaded “{sc.name}” from {up.name}.")
    st.rerun()


def save_box(sc) -> None:
    """Save the scenario and, beside it, each What-if variant as a variant file."""
    folder = saved_files.user_dir()
    with st.expander("Save to my scenarios"):
        name = st.text_input("File name", value=sc.name, key=key("save_name"), max_chars=120)
        if not name.strip():  # it would save as a made-up "scenario.yaml"
            st.caption("Type a file name to save under.")
            st.button("Save", key=key("save"), type="primary", disabled=True)
            return
        target = saved_files.target_path(name, folder)
        files = [
            (target.name, scenario_to_yaml(sc)),
            *variant_files.variant_texts(name, state.variants()),
        ]
        shown = _shown(folder)
        if len(files) > 1:
            st.caption(
                f"Saves as `{target.name}` in `{shown}`, with its "
                f"{len(files) - 1} what-if variant{'s' if len(files) > 2 else ''} as "
                + ", ".join(f"`{f}`" for f, _ in files[1:])
                + " (variant files that extend it; loading it loads them too)."
            )
        else:
            st.caption(f"Saves as `{target.name}` in `{shown}`.")
        existing = [f for f, _ in files if (folder / f).exists()]
        overwrite = st.checkbox(
            f"Overwrite the existing {', '.join(existing)}"
            if existing
            else "Overwrite (no saved file has this name yet)",
            key=key("overwrite"),
            value=False,
            disabled=not existing,
            help="Needed only when a saved file has one of these names.",
        )
        if st.button("Save", key=key("save"), type="primary"):
            save_files(files, folder, shown, existing, overwrite and bool(existing))


def save_files(
    files: list[tuple[str, str]], folder: Path, shown: str, existing: list[str], overwrite: bool
) -> None:
    """Write the base first, then its variants; nothing at all without the Overwrite
    tick when any of them exists (a half-replaced set would mix two saves)."""
    if existing and not overwrite:
        st.warning(
            f"{', '.join(f'“{f}”' for f in existing)} already exist"
            f"{'s' if len(existing) == 1 else ''}; tick 'Overwrite' to replace "
            f"{'it' if len(existing) == 1 else 'them'}. Nothing was saved."
        )
        return
    written: list[Path] = []
    for file_name, text in files:
        try:
            written.append(saved_files.save_file(text, file_name, folder, overwrite=overwrite))
        except saved_files.FileExists as exc:
            st.warning(f"{escape_markdown(exc)}. " + _written(written))
            return
        except saved_files.SaveRefused as exc:
            st.error(f"Not saved: {escape_markdown(exc)}. " + _written(written))
            return
    base = written[0]
    state.mark_saved(base)
    extra = ""
    others = [p.name for p in saved_files.variant_files(base) if p not in written]
    if others:
        extra = (
            " Variant files from an earlier save are kept and load with it too: "
            + ", ".join(f"`{f}`" for f in others)
            + "."
        )
    n = len(written) - 1
    state.notice(
        f"Saved as `{base.name}` in `{shown}`"
        + (f", with {n} what-if variant{'s' if n > 1 else ''}." if n else ".")
        + extra
    )
    st.rerun()


def _written(paths: list[Path]) -> str:
    return (
        ("Already written: " + ", ".join(p.name for p in paths) + ".")
        if paths
        else "Nothing was saved."
    )


def _shown(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(LIBRARY_DIR.parent.resolve()))
    except ValueError:
        return str(folder)


# ------------------------------------------------------------------ sections
def basics(sc, fields: dict[str, Any]) -> None:
    c1, c2, c3 = st.columns([2, 1, 1])
    fields["name"] = c1.text_input("Name", value=sc.name, key=key("name"), max_chars=200)
    fields["start_date"] = c2.date_input(
        "Start date",
        value=sc.start_date,
        key=key("start"),
        min_value=MIN_DATE,
        max_value=MAX_DATE,
        format=fmt.DATE_INPUT,
    )
    fields["deadline"] = c3.date_input(
        "Deadline (optional)",
        value=sc.deadline,
        key=key("deadline"),
        min_value=MIN_DATE,
        max_value=MAX_DATE,
        format=fmt.DATE_INPUT,
        help="Leave empty for no deadline.",
    )
    fields["description"] = st.text_area(
        "Description", value=sc.description, key=key("description"), height=90, max_chars=5000
    )
    cal = sc.calendar
    holidays = f"{len(cal.holidays)} holiday{'s' if len(cal.holidays) != 1 else ''}"
    st.caption(
        f"Working days: {', '.join(cal.workdays)}; {holidays} (edit the calendar in the YAML file)."
    )


def team(sc, fields: dict[str, Any]) -> None:
    t = sc.team
    c1, c2, c3, c4 = st.columns(4)
    fields["team.size"] = int(
        c1.number_input(
            "People",
            **limits(Team, "size", whole=True, help=None),
            value=t.size,
            step=1,
            key=key("size"),
        )
    )
    fields["team.focus"] = pct_in_col(
        c2,
        "Focus (% of time)",
        t.focus,
        "focus",
        (Team, "focus"),
        "Share of each person's time spent on this initiative.",
    )
    fields["team.cost_per_person_day"] = c3.number_input(
        "Cost per person-day",
        **limits(Team, "cost_per_person_day", help=None),
        value=float(t.cost_per_person_day),
        step=50.0,
        key=key("cost"),
        format="%.0f",
    )
    wip = c4.number_input(
        "WIP limit (items)",
        **limits(
            Team,
            "wip_limit",
            whole=True,
            help="Most items in progress at once. Empty = the team size.",
        ),
        value=t.wip_limit,
        step=1,
        key=key("wip"),
    )
    fields["team.wip_limit"] = int(wip) if wip is not None else None
    size = fields["team.size"]
    if wip is not None and size > wip:
        st.caption(
            f":orange[At most {int(wip)} items can be in progress at once, so "
            f"{size - int(wip)} of the {size} people wait for work at any time. Raise "
            "the WIP limit (or leave it empty) to put everyone to work.]"
        )
    if t.changes:
        text = "; ".join(
            f"{'+' if c.add > 0 else ''}{c.add} on day {c.at_day:g}" for c in t.changes
        )
        st.caption(f"Scheduled staffing changes (from the file): {text}.")


def pct_in_col(
    col, label: str, value: float, name: str, field: tuple[Any, str], help: str | None = None
) -> float:
    with col:
        return pct_in(label, value, name, help, field)


def backlog(sc) -> Any:
    st.caption(prose.part("scenario", "backlog"))
    editor_key, base = state.table_base("items", lambda: editor.items_frame(sc))
    # The options come from the grid's input, not the live scenario: anything that
    # changes between reruns gives the browser a new grid, which loses the selection
    # (new ids can still be typed in, and the Add-an-item form rebuilds the input).
    ids = [i for i in base["id"].tolist() if isinstance(i, str) and i]
    cfg = st.column_config
    table = st.data_editor(
        base,
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        height=table_height(len(base)),
        placeholder=editor.BLANK,
        column_config={
            # Not required, no validate, no min_value below: the grid would silently
            # drop such a row or the minus sign; the page names the cell instead.
            "id": cfg.TextColumn(
                "Id",
                max_chars=64,
                width=95,
                help="Short unique id: letters, digits, '-', '_' or '.'",
            ),
            "name": cfg.TextColumn("Name", width=135),
            "dist": cfg.SelectboxColumn(
                "Effort",
                options=editor.DIST_KINDS,
                default="triangular",
                required=True,
                width=85,
                help="How uncertain the effort is (see the note above)",
            ),
            "low": cfg.NumberColumn("Low", format="%.1f", width=55, help="Person-days"),
            "mode": cfg.NumberColumn(
                "Likely",
                format="%.1f",
                width=66,
                help="Most likely person-days (the median for lognormal)",
            ),
            "high": cfg.NumberColumn(
                "High",
                format="%.1f",
                width=58,
                help="Person-days (the 90th percentile for lognormal)",
            ),
            "value_per_week": cfg.NumberColumn(
                "Value / week",
                format="localized",
                width=110,
                help="Money per week once live and adopted",
            ),
            "depends_on": cfg.MultiselectColumn(
                "Depends on",
                options=ids,
                accept_new_options=True,
                width=120,
                help="Items that must be done first",
            ),
            "must_have": cfg.CheckboxColumn(
                MUST_HAVE_LABEL,
                default=True,
                width=170,
                help="Counts towards the outcome target. "
                "A new row starts ticked, as an item "
                "without must_have in a file is one.",
            ),
        },
    )
    add_item_form(sc, table)
    return table


def add_item_form(sc, table) -> None:
    """A complete backlog row in one go, checked by the schema before it joins the grid."""
    with (
        st.expander("Add an item", icon=":material/add:"),
        st.form(key("add_item"), clear_on_submit=False, border=False),
    ):
        c1, c2 = st.columns([1, 2])
        item_id = c1.text_input(
            "Id",
            key=key("new_id"),
            max_chars=64,
            placeholder="e.g. export",
            help="Short unique id: letters, digits, '-', '_' or '.'",
        )
        name = c2.text_input("Name", key=key("new_name"), max_chars=200)
        c1, c2, c3, c4 = st.columns(4)
        # No min_value: a typed negative is named by the schema's message, not clamped.
        low = c1.number_input(
            "Low",
            value=None,
            step=1.0,
            key=key("new_low"),
            format="%g",
            help="Person-days; leave Low and High empty for a fixed effort.",
        )
        mode = c2.number_input(
            "Likely", value=None, step=1.0, key=key("new_mode"), format="%g", help="Person-days"
        )
        high = c3.number_input(
            "High", value=None, step=1.0, key=key("new_high"), format="%g", help="Person-days"
        )
        value = c4.number_input(
            "Value / week", value=0.0, step=500.0, key=key("new_value"), format="%g"
        )
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        deps = c1.multiselect(
            "Depends on",
            [it.id for it in sc.items],
            key=key("new_deps"),
            format_func=lambda i: sc.item(i).label,
        )
        must = c2.checkbox("Must have", value=True, key=key("new_must"))
        submitted = st.form_submit_button("Add item", key=key("new_add"), type="primary")
    if not submitted:
        return
    row = editor.new_item_row(item_id, name, low, mode, high, value, deps, must)
    problems = editor.check_new_row(sc, table, row)
    if problems:
        st.error("Not added: " + escape_markdown("; ".join(problems)))
        return
    grown = pd.concat([table, pd.DataFrame([row], columns=editor.ITEM_COLUMNS)], ignore_index=True)
    grown["must_have"] = grown["must_have"].astype("boolean")
    state.replace_table("items", grown)
    state.notice(f"Added “{row['name'] or row['id']}” to the backlog (row {len(grown)}).")
    st.rerun()


#: Grid rows of air below the last row, so a few rows added in the grid do not make
#: it scroll inside itself (rows added with the form resize it).
SPARE_ROWS = 3
#: Tallest grid in pixels (about 30 rows); longer backlogs scroll inside it.
MAX_TABLE_PX = 1_100


def table_height(rows: int) -> int:
    """Pixels for a data editor showing every row, the "add row" line and a few spare
    lines (capped)."""
    return min(35 * (rows + 2 + SPARE_ROWS) + 3, MAX_TABLE_PX)


def delivery(sc, fields: dict[str, Any]) -> None:
    d = sc.delivery
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    fields["delivery.approach"] = c1.selectbox(
        "Approach",
        list(fmt.APPROACHES),
        index=list(fmt.APPROACHES).index(d.approach),
        format_func=fmt.approach_label,
        key=key("approach"),
    )
    fields["delivery.release_every_days"] = c2.number_input(
        "Release every (days)",
        **limits(
            Delivery, "release_every_days", help="Incremental only: working days between releases."
        ),
        value=float(d.release_every_days),
        step=5.0,
        key=key("release"),
        format="%g",
        disabled=fields["delivery.approach"] != "incremental",
    )
    fields["delivery.discovery_days"] = c3.number_input(
        "Discovery (days)",
        **limits(Delivery, "discovery_days", help="Up-front phase before any build work."),
        value=float(d.discovery_days),
        step=1.0,
        key=key("discovery"),
        format="%g",
    )
    fields["delivery.hardening_days"] = c4.number_input(
        "Hardening (days)",
        **limits(
            Delivery,
            "hardening_days",
            help="Before each release (incremental) or once before launch (big bang).",
        ),
        value=float(d.hardening_days),
        step=1.0,
        key=key("hardening"),
        format="%g",
        disabled=fields["delivery.approach"] == "continuous",
    )


def iteration(sc, fields: dict[str, Any]) -> None:
    it = sc.iteration
    c1, c2, c3 = st.columns(3)
    with c1:
        fields["iteration.rework_probability"] = pct_in(
            "Rework chance (%)",
            it.rework_probability,
            "rework_p",
            "Chance that finished work needs another round (at most 95%).",
            (Iteration, "rework_probability"),
        )
        fields["iteration.rework_fraction"] = pct_in(
            "Rework size (% of effort)",
            it.rework_fraction,
            "rework_f",
            "Each rework round costs this share of the item's effort.",
            (Iteration, "rework_fraction"),
        )
    with c2:
        fields["iteration.misfit_probability"] = pct_in(
            "Misfit chance (%)",
            it.misfit_probability,
            "misfit_p",
            "Chance an item is built as specified but not what users need.",
            (Iteration, "misfit_probability"),
        )
        fields["iteration.misfit_value_factor"] = pct_in(
            "Misfit value (% of full)",
            it.misfit_value_factor,
            "misfit_v",
            "What a misfit item earns until its fix is live.",
            (Iteration, "misfit_value_factor"),
        )
    with c3:
        fields["iteration.feedback_lag_days"] = st.number_input(
            "Feedback lag (days)",
            **limits(
                Iteration,
                "feedback_lag_days",
                help="Working days after go-live until a misfit is discovered.",
            ),
            value=float(it.feedback_lag_days),
            step=1.0,
            key=key("lag"),
            format="%g",
        )
        fields["iteration.fix_fraction"] = pct_in(
            "Fix size (% of effort)",
            it.fix_fraction,
            "fix_f",
            "The fix for a misfit costs this share of the item's effort.",
            (Iteration, "fix_fraction"),
        )


def scope(sc, fields: dict[str, Any]) -> None:
    s = sc.scope
    c1, c2, c3, c4 = st.columns(4)
    rate = c1.number_input(
        "Scope creep (items/week)",
        **limits(Creep, "rate_per_week", help="New small requests arriving at random, on average."),
        value=float(s.creep.rate_per_week) if s.creep else 0.0,
        step=0.1,
        key=key("creep"),
        format="%g",
    )
    until = c2.number_input(
        "Creep until day",
        **limits(Creep, "until_day", help="Empty = creep never stops."),
        value=float(s.creep.until_day) if s.creep and s.creep.until_day is not None else None,
        step=5.0,
        key=key("creep_until"),
        format="%g",
    )
    fields["scope.change_control_days"] = c3.number_input(
        "Change control (days per change)",
        **limits(Scope, "change_control_days", help="Team effort spent accepting each change."),
        value=float(s.change_control_days),
        step=0.5,
        key=key("cc"),
        format="%g",
    )
    fields["scope.freeze_day"] = c4.number_input(
        "Freeze scope from day",
        **limits(Scope, "freeze_day", help="Empty = no freeze. Later changes are deferred."),
        value=float(s.freeze_day) if s.freeze_day is not None else None,
        step=5.0,
        key=key("freeze"),
        format="%g",
    )
    if s.creep is not None:
        fields["scope.creep.rate_per_week"] = float(rate)
        fields["scope.creep.until_day"] = until
    elif rate > 0:
        fields["scope.creep"] = {
            "rate_per_week": float(rate),
            "until_day": until,
            "effort": {"dist": "lognormal", "median": 3, "p90": 8},
        }
        st.caption("New creep requests take 3 person-days (median), 8 in 1 of 10 cases.")
    if s.changes:
        st.caption(
            f"{len(s.changes)} scheduled scope change(s) from the file are kept "
            "(edit them in YAML or add levers on the What-if page)."
        )


def risks(sc) -> Any:
    st.caption(prose.part("scenario", "risks"))
    ids = [it.id for _, it in sc.all_items()]
    editor_key, base = state.table_base("risks", lambda: editor.risks_frame(sc))
    cfg = st.column_config
    return st.data_editor(
        base,
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        height=table_height(len(base)),
        placeholder=editor.BLANK,
        column_config={
            "id": cfg.TextColumn("Id", max_chars=64, width=95),
            "name": cfg.TextColumn("Name", width=120),
            "probability": cfg.NumberColumn(
                "Chance", format="%.2f", step=0.05, width=80, help="0 to 1: how likely it strikes"
            ),
            "kind": cfg.SelectboxColumn(
                "Kind",
                options=editor.RISK_KINDS,
                format_func=editor.RISK_KIND_LABELS.get,
                default="blocker",
                required=True,
                width=150,
            ),
            "window_from": cfg.NumberColumn(
                "From", format="%g", width=65, help="First working day the risk can strike"
            ),
            "window_to": cfg.NumberColumn(
                "To", format="%g", width=55, help="Last working day the risk can strike"
            ),
            "dist": cfg.SelectboxColumn(
                "Impact",
                options=editor.DIST_KINDS,
                default="triangular",
                width=85,
                help="Days stopped (blocker) or away (people away), or person-days "
                "added (extra work)",
            ),
            "low": cfg.NumberColumn("Low", format="%.1f", width=55),
            "mode": cfg.NumberColumn("Likely", format="%.1f", width=66),
            "high": cfg.NumberColumn("High", format="%.1f", width=58),
            "items": cfg.MultiselectColumn(
                "Items", options=ids, width=100, help="Extra work only: the items that grow"
            ),
            "people": cfg.NumberColumn(
                "People", step=1, format="%d", width=75, help="People away only: how many"
            ),
        },
    )


def value(sc, fields: dict[str, Any]) -> None:
    v = sc.value
    c1, c2, c3 = st.columns(3)
    fields["value.horizon_weeks"] = int(
        c1.number_input(
            "Horizon (weeks)",
            **limits(
                ValueSettings,
                "horizon_weeks",
                whole=True,
                help="Value and cost are counted up to here.",
            ),
            value=v.horizon_weeks,
            step=4,
            key=key("horizon"),
        )
    )
    fields["value.discount_rate_annual"] = pct_in_col(
        c2,
        "Discount rate (% a year)",
        v.discount_rate_annual,
        "discount",
        (ValueSettings, "discount_rate_annual"),
    )
    fields["value.adoption.model"] = c3.selectbox(
        "Adoption",
        list(ADOPTION),
        index=list(ADOPTION).index(v.adoption.model),
        format_func=ADOPTION.get,
        key=key("adoption"),
    )
    # Fields of the models not chosen stay visible (their values are kept in the
    # file) but greyed out, so it is clear which numbers the forecast uses.
    model = fields["value.adoption.model"]
    a1, a2, a3 = st.columns(3)
    fields["value.adoption.weeks"] = a1.number_input(
        "Linear ramp (weeks)",
        **limits(Adoption, "weeks", help="Linear adoption only."),
        value=float(v.adoption.weeks),
        step=1.0,
        key=key("adopt_weeks"),
        format="%g",
        disabled=model != "linear",
    )
    fields["value.adoption.p"] = a2.number_input(
        "Bass p (innovation / week)",
        **limits(Adoption, "p", help="Bass adoption only."),
        value=float(v.adoption.p),
        step=0.01,
        key=key("bass_p"),
        format="%.3f",
        disabled=model != "bass",
    )
    fields["value.adoption.q"] = a3.number_input(
        "Bass q (imitation / week)",
        **limits(Adoption, "q", help="Bass adoption only."),
        value=float(v.adoption.q),
        step=0.05,
        key=key("bass_q"),
        format="%.3f",
        disabled=model != "bass",
    )
    u1, u2, u3, u4 = st.columns([3, 2, 2, 2])
    fields["value.urgency.profile"] = u1.selectbox(
        "Urgency",
        list(URGENCY),
        index=list(URGENCY).index(v.urgency.profile),
        format_func=URGENCY.get,
        key=key("urgency"),
    )
    profile = fields["value.urgency.profile"]
    fields["value.urgency.date"] = u2.date_input(
        "Value drops on",
        value=v.urgency.date,
        key=key("urgency_date"),
        min_value=MIN_DATE,
        max_value=MAX_DATE,
        format=fmt.DATE_INPUT,
        help="Fixed-date urgency only.",
        disabled=profile != "fixed_date",
    )
    with u3:
        fields["value.urgency.value_after"] = pct_in(
            "Value after that date (%)",
            v.urgency.value_after,
            "value_after",
            "Fixed-date urgency only.",
            (Urgency, "value_after"),
            disabled=profile != "fixed_date",
        )
    fields["value.urgency.half_life_weeks"] = u4.number_input(
        "Half-life (weeks)",
        **limits(Urgency, "half_life_weeks", help="Decaying urgency only."),
        value=float(v.urgency.half_life_weeks),
        step=1.0,
        key=key("half_life"),
        format="%g",
        disabled=profile != "decaying",
    )
    o1, o2, o3 = st.columns([2, 1, 1])
    o = v.outcome
    fields["value.outcome.name"] = o1.text_input(
        "Outcome", value=o.name, key=key("outcome"), max_chars=200
    )
    with o2:
        fields["value.outcome.target_fraction"] = pct_in(
            "Target (% of must-have run-rate)",
            o.target_fraction,
            "target",
            "Reached when the value run-rate is at least this share of the planned "
            "must-have items' full value per week.",
            (Outcome, "target_fraction"),
        )
    fields["value.outcome.by"] = o3.date_input(
        "Outcome due by",
        value=o.by,
        key=key("outcome_by"),
        min_value=MIN_DATE,
        max_value=MAX_DATE,
        format=fmt.DATE_INPUT,
        help="Empty = by the end of the horizon.",
    )


def simulation_settings(sc, fields: dict[str, Any]) -> None:
    s = sc.simulation
    limit = server_settings.runs_limit()
    c1, c2, c3 = st.columns([1, 1, 2])
    auto = c3.checkbox(
        "Automatic number of runs",
        value=s.runs == "auto",
        key=key("auto"),
        help="Keep simulating until the P85 date is known within half a "
        "working day (up to 20,000 runs).",
    )
    # No max_value: the browser would only draw a red border round 1,000,000; the
    # schema's message under the section names the field and the limit instead.
    runs = c1.number_input(
        "Runs (simulated futures)",
        min_value=1,
        max_value=None,
        value=1000 if s.runs == "auto" else int(s.runs),
        step=100,
        key=key("runs"),
        disabled=auto,
        help=f"From 1 to {MAX_RUNS:,} simulated futures in the file; this server "
        f"simulates up to {limit:,} at a time.",
    )
    st.caption(f"Runs: 1 to {MAX_RUNS:,} in the file; up to {limit:,} on this server.")
    # Over the file's own limit the schema's message under the section says so; this
    # server's limit only speaks for a number the file can keep.
    over = (
        ""
        if not auto and int(runs) > MAX_RUNS
        else server_settings.over_limit("auto" if auto else int(runs))
    )
    if over:
        st.warning(
            f"{over[0].upper()}{over[1:]}: the Forecast and What-if pages will not simulate "
            "it here. The file keeps it, for the command line.",
            icon=":material/speed:",
        )
    fields["simulation.runs"] = "auto" if auto else int(runs)
    if s.seed > MAX_WIDGET_INT:
        # Browsers cannot hold larger whole numbers exactly: keep the file's seed as is.
        c2.text_input("Seed (from the file)", value=str(s.seed), disabled=True, key=key("seed"))
        return
    fields["simulation.seed"] = int(
        c2.number_input(
            "Seed",
            min_value=0,
            max_value=min(SEED.le, MAX_WIDGET_INT),
            value=int(s.seed),
            step=1,
            key=key("seed"),
            help="Same seed, same futures: results are reproducible.",
        )
    )


# ----------------------------------------------------------------------- page
def section(title: str, name: str) -> tuple[Any, Any]:
    box = st.container(border=True)
    box.subheader(title)
    return box, box.container()


def show_problems(slot, items: list[str]) -> None:
    if items:
        slot.error("\n".join(f"- {p}" for p in items))


def main() -> None:
    st.title("Scenario")
    st.markdown(prose.part("scenario", "intro"))
    message = state.notice()
    if message:
        st.success(escape_markdown(message))

    c1, c2, c3 = st.columns([3, 3, 2], gap="medium")
    with c1:
        source_picker()
    with c2:
        uploader()
    actions = c3.container()
    save_slot = st.container()  # full width: the open form does not push the editor down
    pending_load_box()
    load_error = st.session_state.get(state.LOAD_ERROR)
    if load_error:
        st.error(f"Could not load that scenario. {load_error}")  # Markdown: load_message

    sc = state.scenario()
    if sc is None:
        st.info("Load a library scenario or upload a file to begin.")
        return
    status = st.container()
    general = st.container()

    fields: dict[str, Any] = {}
    slots: dict[str, Any] = {}
    box, slots["basics"] = section("Basics", "basics")
    with box:
        basics(sc, fields)
    box, slots["team"] = section("Team", "team")
    with box:
        team(sc, fields)
    box, slots["backlog"] = section("Backlog", "backlog")
    with box:
        items_df = backlog(sc)
    box, slots["delivery"] = section("Delivery", "delivery")
    with box:
        delivery(sc, fields)
    box, slots["scope"] = section("Scope changes", "scope")
    with box:
        scope(sc, fields)
    box, slots["iteration"] = section("Iteration and rework", "iteration")
    with box:
        iteration(sc, fields)
    box, slots["risks"] = section("Risks", "risks")
    with box:
        risks_df = risks(sc)
    box, slots["value"] = section("Value and outcome", "value")
    with box:
        value(sc, fields)
    box, slots["simulation"] = section("Simulation", "simulation")
    with box:
        simulation_settings(sc, fields)

    rows: dict[str, list[str]] = {}
    try:
        data, rows = editor.build_data(sc, fields, items_df, risks_df)
        new = parse_scenario(data)
    except ScenarioError as exc:
        found = editor.group_problems(exc.problems or [("", str(exc))], rows)
    except Exception:  # a value no check foresaw: say so, keep the last valid scenario
        LOG.exception("editing the scenario failed")
        found = {
            "general": [
                "This edit could not be read; the last valid scenario stays "
                "in use (details are in the server log)."
            ]
        }
    else:
        found = {}
        state.update_scenario(new)
        sc = new
    state.set_problems(found)
    for name, items in found.items():
        show_problems(slots.get(name, general), items)
    if found:
        n = sum(len(v) for v in found.values())
        general.warning(
            f"{n} problem{'s' if n > 1 else ''} to fix (each in red under its "
            "section). "
            "Until then the forecast uses the last valid version of the scenario."
        )
    status.markdown(f"Editing **{sc.name}**: {state.origin()}.")

    with actions:
        st.download_button(
            "Download YAML",
            data=scenario_to_yaml(sc),
            file_name=saved_files.safe_filename(sc.name),
            mime="application/x-yaml",
            key=key("download"),
            icon=":material/download:",
        )
    with save_slot:
        save_box(sc)


main()
