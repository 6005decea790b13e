"""Per-session state: the scenario being worked on, its variants, editor bookkeeping.

Everything lives in ``st.session_state`` (one per browser session), never in
module globals, so two people using the same server never see each other's
scenario or variants. Pages read and write state only through these helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from simulation import Scenario, ScenarioError, load_scenario
from simulation.present.markdown import escape_markdown
from simulation.scenario.library import LIBRARY_DIR

#: The scenario a new session opens with (``make run`` shows a forecast at once).
DEFAULT_SCENARIO = "supply-chain.yaml"

SCENARIO = "scenario"  # the working (baseline) Scenario, always valid
ORIGIN = "scenario_origin"  # where it came from, in words
EDITED = "scenario_edited"  # True once edited after loading
VERSION = "editor_version"  # bumps on every load: editor widgets start afresh
PROBLEMS = "editor_problems"  # {section: [sentence]} from the last edit, if invalid
LOAD_ERROR = "load_error"  # message of the last failed load/upload
VARIANTS = "variants"  # list[Variant]
SAVED_VARIANTS = "variants_saved"  # the variants as last saved or loaded from files
COMPARISON = "comparison_request"  # the variants the last comparison was run for
NOTICE = "notice"  # one-shot success message shown after a rerun
PENDING = "pending_load"  # a load waiting for confirmation (it would lose work)
LOADED_PATH = "loaded_path"  # the library or saved file last loaded, if any
PICK = "library_pick"  # the picker widget; dropped to show LOADED_PATH again
TABLE_BASE_PREFIX = "table_base_"  # input tables of the data editors (see table_base)
TABLE_REV_PREFIX = "table_rev_"  # how often a data editor's input was replaced
FUTURES_OPEN = "forecast_futures_open"  # the Forecast's futures table is open (drawn only then)


@dataclass
class Variant:
    """A named what-if: the baseline plus an ordered list of change objects.

    ``base`` is None for an ordinary variant (it follows the working scenario,
    edits included). A variant with its own ``base`` is pinned to that scenario:
    "Original plan" after *Make baseline* keeps the plan as it was, because the
    changes that made the new baseline cannot be undone by other changes.
    """

    name: str
    changes: list[Any] = field(default_factory=list)
    base: Scenario | None = None

    @property
    def pinned(self) -> bool:
        """True when the variant builds on its own fixed scenario, not the baseline."""
        return self.base is not None


def default_scenario() -> Scenario:
    """The library scenario a new session starts with (:data:`DEFAULT_SCENARIO`)."""
    return load_scenario(LIBRARY_DIR / DEFAULT_SCENARIO)


def init() -> None:
    """Fill a new session's state; load the default library scenario once."""
    ss = st.session_state
    ss.setdefault(VERSION, 0)
    ss.setdefault(VARIANTS, [])
    ss.setdefault(PROBLEMS, {})
    if SCENARIO not in ss:
        ss[SCENARIO] = None
        try:
            set_scenario(
                default_scenario(),
                f"library file {DEFAULT_SCENARIO}",
                keep_variants=True,
            )
            ss[LOADED_PATH] = LIBRARY_DIR / DEFAULT_SCENARIO
        except ScenarioError as exc:
            ss[LOAD_ERROR] = escape_markdown(exc)  # shown as Markdown


@dataclass
class PendingLoad:
    """A scenario picked or uploaded while the current one holds unsaved work."""

    scenario: Scenario
    origin: str
    message: str
    path: Path | None = None
    variants: list[Variant] = field(default_factory=list)  # loaded with it (a variant file)


def has_edits() -> bool:
    """The scenario was edited (or holds an invalid edit) since it was loaded or saved."""
    ss = st.session_state
    return bool(ss.get(EDITED) or ss.get(PROBLEMS))


def unsaved_work() -> str | None:
    """What a load would throw away, in words, or None if nothing would be lost."""
    ss = st.session_state
    parts = []
    if has_edits():
        sc = ss.get(SCENARIO)
        parts.append(f"your edits to “{sc.name}”" if sc is not None else "your edits")
    n = len(ss.get(VARIANTS, [])) if variants_unsaved() else 0
    if n:
        parts.append(f"{n} what-if variant{'s' if n > 1 else ''}")
    return " and ".join(parts) or None


def _snapshot(variants: list[Variant]) -> tuple:
    """What the variants are, for telling whether they changed since they were saved."""
    return tuple((v.name, tuple(v.changes), v.base) for v in variants)


def variants_unsaved() -> bool:
    """There are variants that exist only in this browser session (not as files)."""
    ss = st.session_state
    current = ss.get(VARIANTS, [])
    return bool(current) and _snapshot(current) != ss.get(SAVED_VARIANTS, ())


def request_load(
    sc: Scenario,
    origin: str,
    message: str,
    path: Path | None = None,
    with_variants: list[Variant] | None = None,
) -> None:
    """Load ``sc`` now, or, if that would lose work, hold it until the user confirms.

    ``with_variants`` become the What-if variants (a variant file loads as its
    base plus the variant, so the two can be compared side by side).
    """
    st.session_state.pop(LOAD_ERROR, None)  # this file read fine: the last error is old
    pending = PendingLoad(sc, origin, message, path, list(with_variants or []))
    if unsaved_work():
        st.session_state[PENDING] = pending
    else:
        _apply(pending)


def pending_load() -> PendingLoad | None:
    return st.session_state.get(PENDING)


def confirm_load() -> None:
    pending = st.session_state.pop(PENDING, None)
    if pending is not None:
        _apply(pending)


def cancel_load() -> None:
    st.session_state.pop(PENDING, None)
    st.session_state.pop(PICK, None)  # back to the file actually in use


def _apply(pending: PendingLoad) -> None:
    st.session_state.pop(PENDING, None)
    set_scenario(pending.scenario, pending.origin)
    st.session_state[VARIANTS] = list(pending.variants)
    # They came from files (a variant file, or those saved beside a base): not unsaved.
    st.session_state[SAVED_VARIANTS] = _snapshot(pending.variants)
    st.session_state[LOADED_PATH] = pending.path
    st.session_state.pop(PICK, None)
    notice(pending.message)


def mark_saved(path: Path) -> None:
    """The working scenario and its variants now live in ``path`` and the variant files
    beside it: nothing of them is unsaved any more."""
    ss = st.session_state
    ss[SAVED_VARIANTS] = _snapshot(ss.get(VARIANTS, []))
    ss[ORIGIN] = f"saved file {path.name}"
    ss[EDITED] = False
    ss[LOADED_PATH] = path
    ss.pop(PICK, None)


def loaded_path() -> Path | None:
    return st.session_state.get(LOADED_PATH)


def scenario() -> Scenario | None:
    """The working scenario (the baseline of every comparison), or None."""
    return st.session_state.get(SCENARIO)


def set_scenario(sc: Scenario, origin: str, keep_variants: bool = False) -> None:
    """Replace the working scenario (load, upload, promote) and reset the editors."""
    ss = st.session_state
    ss[SCENARIO] = sc
    ss[ORIGIN] = origin
    ss[EDITED] = False
    ss[VERSION] = ss.get(VERSION, 0) + 1
    ss[PROBLEMS] = {}
    ss.pop(LOAD_ERROR, None)
    for key in [
        k for k in ss if isinstance(k, str) and k.startswith((TABLE_BASE_PREFIX, TABLE_REV_PREFIX))
    ]:
        del ss[key]
    if not keep_variants:
        ss[VARIANTS] = []
        ss[SAVED_VARIANTS] = ()
        ss.pop(COMPARISON, None)


def update_scenario(sc: Scenario) -> None:
    """An edit on the Scenario page produced a new valid scenario."""
    ss = st.session_state
    if sc != ss.get(SCENARIO):
        ss[SCENARIO] = sc
        ss[EDITED] = True


def version() -> int:
    return int(st.session_state.get(VERSION, 0))


def set_problems(problems: dict[str, list[str]]) -> None:
    st.session_state[PROBLEMS] = problems


def problems() -> dict[str, list[str]]:
    return st.session_state.get(PROBLEMS, {})


def variants() -> list[Variant]:
    return st.session_state.setdefault(VARIANTS, [])


def change_variants() -> list[Variant]:
    """The variants that are the baseline plus changes (not pinned to their own scenario):
    the ones a session can take as candidates."""
    return [v for v in variants() if not v.pinned]


def notice(message: str | None = None) -> str | None:
    """Set a one-shot message (with an argument) or take it (without)."""
    if message is not None:
        st.session_state[NOTICE] = message
        return message
    return st.session_state.pop(NOTICE, None)


def table_base(name: str, build) -> tuple[str, Any]:
    """The editor widget key and the fixed input table it edits.

    ``st.data_editor`` stores edits relative to its input, so the input must
    not change while the widget lives. It is rebuilt from the working scenario
    only when the widget is new: after a load, or on returning to the page
    (Streamlit drops the state of widgets that were not on the last page).
    """
    ss = st.session_state
    rev = int(ss.get(f"{TABLE_REV_PREFIX}{name}_{version()}", 0))
    # Revision 0 keeps the plain key; each replace_table gives a fresh widget.
    suffix = f"_{version()}" + (f".{rev}" if rev else "")
    key = f"{name}_editor{suffix}"
    base_key = f"{TABLE_BASE_PREFIX}{name}{suffix}"
    replaced = ss.pop(f"{TABLE_REV_PREFIX}new_{name}", None)
    if replaced is not None:
        ss[base_key] = replaced  # from replace_table: the widget is new on purpose
    elif key not in ss or base_key not in ss:
        ss[base_key] = build()
    return key, ss[base_key]


def replace_table(name: str, frame: Any) -> None:
    """Give the editor ``name`` a new input table (the next run draws a fresh widget).

    For a row added outside the grid: the grid's own edits are relative to its
    input, so the new input must already hold them (``frame`` is the edited
    table plus the row).
    """
    ss = st.session_state
    rev_key = f"{TABLE_REV_PREFIX}{name}_{version()}"
    rev = int(ss.get(rev_key, 0)) + 1
    ss[rev_key] = rev
    ss[f"{TABLE_REV_PREFIX}new_{name}"] = frame


def origin() -> str:
    ss = st.session_state
    text = ss.get(ORIGIN, "")
    return text + (", edited" if ss.get(EDITED) else "")
