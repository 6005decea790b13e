"""Decide page helpers without Streamlit: sessions from the page, tables for display.

The numbers come from :func:`simulation.decide.prioritise`; this module only reshapes
them (and builds a :class:`simulation.Session` from What-if variants or from
candidates added with the levers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation import Prioritisation, Scenario, Session
from simulation.decide.points import map_points  # noqa: F401  (the maps' data, for the page)
from simulation.decide.prioritise import VERDICTS
from simulation.decide.sessions import (
    MAX_TEXT,
    Candidate,
    new_session,
    new_session_id,
    session_data,
)
from simulation.present import decide as words
from simulation.present.markdown import escape_markdown
from simulation.scenario.changes import variant_data
from simulation.scenario.changes.describe import for_people
from simulation.store.authors import verified_as

from . import fmt
from .levers import new_id

#: Runs of the preliminary ranking shown while the full one is simulated: 7 x 120
#: in-process runs of the 60-item bench take about 1.6 x one 1,000-run forecast.
PRELIMINARY_RUNS = 120
#: The word shown with each verdict's colour in the table ("●" is in every font).
VERDICT_MARKS = {v: f"● {v}" for v in VERDICTS}
#: Light backgrounds of the verdict cells (the maps use the full colours).
VERDICT_BACKGROUNDS = {
    "gain": "#d9f0dd",
    "trade-off": "#d8e7f5",
    "saving": "#fcebc8",
    "loss": "#f6d5d1",
}


def signed(digits: int):
    """A formatter: ``+1.5`` / ``-0.3`` / ``0`` (never ``-0.0``), ``—`` when missing."""

    def f(x: Any) -> str:
        if fmt.is_missing(x):
            return words.NO_VALUE_PER_DAY
        return "0" if round(float(x), digits) == 0 else f"{float(x):+,.{digits}f}"

    return f


def _money(x: Any) -> str:
    return fmt.money(x, missing=words.NO_VALUE_PER_DAY, signed=True)


#: Display formats of the ranking table's number columns (the same as the
#: combination's and the decisions'): days to 0.1, points whole, money compact.
RANKING_FORMATS = {
    "Δ delivery": signed(1),
    "Δ P50": signed(1),
    "Δ P85": signed(1),
    "Δ NPV": _money,
    "NPV / day late": words.value_per_day,
    "Δ on time": signed(0),
    "Δ outcome": signed(0),
    "Δ cost": _money,
    "Rank confidence": lambda x: fmt.pct(x, missing=words.NO_VALUE_PER_DAY),
}
#: The ranking's columns shown at first (all fit 1,280 pixels); the rest under
#: "More columns".
RANKING_COLUMNS = [
    "Rank",
    "Candidate",
    "Verdict",
    "Δ delivery",
    "Δ P85",
    "Δ on time",
    "Δ outcome",
    "Δ NPV",
    "NPV / day late",
    "Ahead of next",
]


def styled_ranking(view: pd.DataFrame):
    """The ranking with each verdict cell in its colour and the numbers formatted."""
    colours = {VERDICT_MARKS[v]: c for v, c in VERDICT_BACKGROUNDS.items()}
    view = view.copy()
    formats = {}
    for col, f in RANKING_FORMATS.items():
        if col not in view.columns:
            continue
        if view[col].isna().any():  # the grid shows a missing number as "None": text instead
            view[col] = view[col].map(f)
        else:
            formats[col] = f
    return view.style.format(formats).map(
        lambda v: f"background-color: {colours.get(v, 'transparent')}", subset=["Verdict"]
    )


def names_of(sc: Scenario) -> dict[str, str]:
    """Item and risk ids of a scenario -> the names people know them by."""
    out = {it.id: it.label for _, it in sc.all_items()}
    out.update({r.id: r.label for r in sc.risks})
    return out


def changes_text(changes: Sequence[Any], names: dict[str, str]) -> str:
    """What a candidate changes, by names, never ids or field paths."""
    return "; ".join(for_people(ch, names) for ch in changes)


def session_from_changes(
    base: Scenario,
    named: Sequence[tuple[str, Sequence[Any]]],
    name: str,
    base_ref: str | None = None,
    session_id: str | None = None,
) -> Session:
    """A session whose candidates are ``(name, changes)`` pairs (What-if variants or
    lever candidates); ids are made from the names. ``session_id``: the session's own
    id (default: a new one).

    It passes a session file's checks (:func:`simulation.decide.sessions.new_session`):
    a ScenarioError names the problem, e.g. more than ``MAX_CANDIDATES`` candidates.
    """
    taken: set[str] = set()
    cands = []
    for label, changes in named:
        cid = new_id(label, taken, "candidate")[:64].strip("-") or "candidate"
        taken.add(cid)
        cands.append(Candidate(id=cid, name=label, changes=tuple(changes)))
    limit = MAX_TEXT["name"]  # "What-if variants of <a 200-character name>" is too long
    name = name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
    return new_session(
        base, cands, name, base_ref=base_ref, session_id=session_id or new_session_id()
    )


def _interval(lo: float, hi: float, spec: str) -> str:
    if fmt.is_missing(lo) or fmt.is_missing(hi):
        return ""
    digits = int(spec.rsplit(".", 1)[1][0])
    return f"[{format(_tidy(lo, digits), spec)}, {format(_tidy(hi, digits), spec)}]"


def ranking_view(pr: Prioritisation) -> pd.DataFrame:
    """The ranking for the page: sortable numbers, each beside its 90% interval."""
    d = _delta_frame(pr)
    rows = []
    names = list(pr.table["name"])
    for i, r in enumerate(pr.table.itertuples()):
        on_time, outcome = d.loc[(r.candidate, "on_time")], d.loc[(r.candidate, "outcome")]
        nxt = names[i + 1] if i + 1 < len(names) else ""
        rows.append(
            {
                "Rank": r.rank,
                "Candidate": r.name,
                "Verdict": VERDICT_MARKS[r.verdict],
                "Ahead of next": words.ahead_short(r.rank_confidence),
                "note": words.ahead_note(r.rank_confidence, nxt),
                "Δ delivery": r.delivery_days,
                "Δ delivery 90%": _interval(r.delivery_days_low, r.delivery_days_high, "+.1f"),
                "Δ NPV": r.npv,
                "Δ NPV 90%": _interval(r.npv_low, r.npv_high, "+,.0f"),
                "NPV / day late": r.value_per_day,
                "Δ on time": 100 * r.on_time,
                "Δ on time 90%": _interval(100 * on_time.ci_low, 100 * on_time.ci_high, "+.0f"),
                "Δ outcome": 100 * r.outcome,
                "Δ outcome 90%": _interval(100 * outcome.ci_low, 100 * outcome.ci_high, "+.0f"),
                "Δ P50": r.p50_days,
                "Δ P85": r.p85_days,
                "Δ cost": r.cost,
                "Rank confidence": r.rank_confidence,
                "id": r.candidate,
            }
        )
    return pd.DataFrame(rows)


def _delta_frame(pr: Prioritisation) -> pd.DataFrame:
    return pr.deltas.set_index(["variant", "metric"])[["mean", "ci_low", "ci_high"]]


#: Metric labels of the combination table.
COMBINATION_LABELS = {
    "delivery_day": "Δ delivery (working days)",
    "npv": "Δ NPV",
    "value": "Δ value to horizon",
    "cost": "Δ cost",
    "on_time": "Δ on-time chance (pp)",
    "outcome": "Δ outcome chance (pp)",
    "first_value_day": "Δ first value (working days)",
}


def _tidy(x: float, digits: int) -> float:
    """``x``, or 0 when it shows as zero at ``digits``: never "-0.0" on the page."""
    return 0.0 if round(float(x), digits) == 0 else float(x)


def combination_view(combo) -> pd.DataFrame:
    """Combined set against the base, the sum of the singles, and the interaction."""
    rows = []
    for r in combo.deltas.itertuples():
        scale = 100.0 if r.metric in ("on_time", "outcome") else 1.0
        digits = 1 if scale == 1.0 and r.metric in ("delivery_day", "first_value_day") else 0
        spec = f"+,.{digits}f"
        rows.append(
            {
                "Measure": COMBINATION_LABELS.get(r.metric, r.metric),
                "Together": _tidy(scale * r.mean, digits),
                "Together 90%": _interval(scale * r.ci_low, scale * r.ci_high, spec),
                "Sum of singles": _tidy(scale * combo.singles[r.metric], digits),
                "Interaction": _tidy(scale * combo.interaction[r.metric], digits),
            }
        )
    return pd.DataFrame(rows)


#: Formats of the combination's rows, by metric (the ranking's formats).
COMBINATION_FORMATS = {
    "delivery_day": signed(1),
    "first_value_day": signed(1),
    "npv": _money,
    "value": _money,
    "cost": _money,
    "on_time": signed(0),
    "outcome": signed(0),
}


def styled_combination(view: pd.DataFrame):
    """The combination table with each row in its metric's format (as in the ranking)."""
    styler = view.style
    labels = {COMBINATION_LABELS.get(m, m): f for m, f in COMBINATION_FORMATS.items()}
    for i, measure in enumerate(view["Measure"]):
        f = labels.get(measure, signed(1))
        styler = styler.format(
            f, subset=pd.IndexSlice[[i], ["Together", "Sum of singles", "Interaction"]]
        )
    return styler


def decided_at(when: Any) -> str:
    """``4 Dec 2026 14:31 UTC``: a decision's time as people read it."""
    if when is None:
        return ""
    return f"{fmt.date(when)} {when:%H:%M} UTC"


#: The decisions table's columns after the names (the ranking's Δs, formatted alike).
DECISION_NUMBERS = {
    "Δ delivery (days)": signed(1),
    "Δ on time (pp)": signed(0),
    "Δ NPV": _money,
    "Δ outcome (pp)": signed(0),
}


def decisions_view(
    pr: Prioritisation, latest: dict[str, Any], accepted: dict[str, Any] | None
) -> pd.DataFrame:
    """The ranking with each candidate's decision, readable headers and times, and
    (when something is accepted) a last row: the accepted set together."""
    rows = []
    for r in pr.table.itertuples():
        dec = latest.get(r.candidate)
        rows.append(
            {
                "Rank": str(r.rank),
                "Candidate": r.name,
                "Verdict": VERDICT_MARKS[r.verdict],
                "Decision": dec.decision if dec else "",
                "Δ delivery (days)": r.delivery_days,
                "Δ on time (pp)": 100 * r.on_time,
                "Δ NPV": r.npv,
                "Δ outcome (pp)": 100 * r.outcome,
                "Rationale": dec.rationale if dec else "",
                "Decided by": dec.decided_by if dec else "",
                "Decided at": decided_at(dec.decided_at) if dec else "",
            }
        )
    if accepted and accepted["ids"]:
        rows.append(
            {
                "Rank": "",
                "Candidate": "The accepted set together",
                "Verdict": "",
                "Decision": f"{len(accepted['ids'])} accepted",
                "Δ delivery (days)": accepted["delivery_days"],
                "Δ on time (pp)": 100 * accepted["on_time"],
                "Δ NPV": accepted["npv"],
                "Δ outcome (pp)": 100 * accepted["outcome"],
                "Rationale": "simulated together, paired against the base",
                "Decided by": "",
                "Decided at": "",
            }
        )
    return pd.DataFrame(rows)


def styled_decisions(view: pd.DataFrame):
    shown = {k: f for k, f in DECISION_NUMBERS.items() if k in view.columns}
    return view.style.format(shown, na_rep=words.NO_VALUE_PER_DAY)


def file_stem(name: str, suffix: str = "") -> str:
    """A file name from a session's name, whole (not cut at 40 characters like an id)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:150].strip("-") or "session"
    return stem + suffix


def best_steps(steps: list[dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """The best set's nested steps as a table (and the frontier chart's data)."""
    rows = []
    prev: list[str] = []
    for i, s in enumerate(steps):
        added = [c for c in s["ids"] if c not in prev]
        rows.append(
            {
                "step": i,
                "added": ", ".join(names.get(c, c) for c in added) if added else "the base",
                "step_label": ("+ " + ", ".join(names.get(c, c) for c in added))
                if added
                else "the base",
                "ids": " + ".join(s["ids"]) or "base",
                "names": ", ".join(names.get(c, c) for c in s["ids"]) or "(the base)",
                "delivery_days": s["delivery_days"],
                "npv": s["npv"],
                "on_time_probability": s["on_time_probability"],
                "outcome_probability": s["outcome_probability"],
            }
        )
        prev = s["ids"]
    return pd.DataFrame(rows)


def meanwhile_note(other: Any, candidate_name: str) -> str:
    """The warning when someone else decided on the same candidate since the page last
    looked: Markdown with the other person's name and words escaped, so what they
    typed reads as typed (``docs/reference/security.md``)."""
    return (
        f"Meanwhile {escape_markdown(other.decided_by)} decided "
        f"**{escape_markdown(other.decision)}** on “{escape_markdown(candidate_name)}” "
        f"({other.decided_at:%H:%M:%S} UTC). Both records are kept; yours is the newest "
        "and is shown."
    )


def decision_table(pr: Prioritisation, latest: dict[str, Any]) -> pd.DataFrame:
    """The ranking with the decision shown for each candidate (the CSV export)."""
    t = pr.table.copy()
    t.insert(0, "session", pr.session.name)
    t.insert(1, "session_id", pr.session.id or "")
    t["decision"] = [latest[c].decision if c in latest else "" for c in t["candidate"]]
    t["rationale"] = [latest[c].rationale if c in latest else "" for c in t["candidate"]]
    t["decided_by"] = [latest[c].decided_by if c in latest else "" for c in t["candidate"]]
    t["verified_as"] = [
        verified_as(latest[c].decided_by_identity) if c in latest else "" for c in t["candidate"]
    ]
    t["decided_at"] = [
        latest[c].decided_at.isoformat(timespec="seconds") if c in latest else ""
        for c in t["candidate"]
    ]
    t["runs"] = pr.runs
    t["seed"] = pr.seed
    return t


def accepted_variant(session: Session, accepted: Sequence[str]) -> tuple[str, str]:
    """The accepted set as a variant file of the base: (file name, YAML text).

    Its changes are the accepted candidates' changes in file order, so the file
    reproduces "accepted plan vs original plan" on the Scenario or What-if page.
    ``extends`` is the base's file name: variants in the user folder find
    library bases by name.
    """
    if not session.base_ref:
        raise ValueError("the base is not a file")
    ids = [c for c in session.ids() if c in set(accepted)]
    changes = [ch for c in session.candidates if c.id in ids for ch in c.changes]
    name = f"{session.name}: accepted set"
    described = ", ".join(session.candidate(c).name for c in ids) or "nothing"
    data = variant_data(
        Path(session.base_ref).name,
        name,
        changes,
        description=f"The set accepted in the session '{session.name}': {described}.",
    )
    stem = file_stem(session.name, "-accepted")
    return f"{stem}.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def candidates_view(session: Session) -> pd.DataFrame:
    """What each candidate changes, in the engine's own words, before anything is run."""
    names = names_of(session.base)
    return pd.DataFrame(
        [
            {
                "Candidate": c.name,
                "Requested by": c.requested_by or "",
                "Changes": changes_text(c.changes, names),
                "Notes": c.notes or "",
            }
            for c in session.candidates
        ]
    )


def session_file(session: Session) -> tuple[str, str]:
    """The session as a session file: (file name, YAML text) that loads back equal.

    ``base`` names the base as a library scenario seen from ``scenarios/sessions/``
    (``../supply-chain.yaml``), where the bundled sessions live.
    """
    if not session.base_ref:
        raise ValueError("the base is not a file")
    data = session_data(replace(session, base_ref=f"../{Path(session.base_ref).name}"))
    stem = file_stem(session.name)
    return f"{stem}.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def verdict_legend() -> str:
    return " · ".join(f"{VERDICT_MARKS[v]}: {meaning}" for v, meaning in VERDICTS.items())
