"""Decide page helpers without Streamlit: sessions from the page, tables for display.

The numbers come from :func:`simulation.decide.prioritise`; this module only reshapes
them (and builds a :class:`simulation.Session` from What-if variants or from
candidates added with the levers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation import Prioritisation, Scenario, Session
from simulation.decide.prioritise import VERDICTS
from simulation.decide.sessions import Candidate, session_data
from simulation.present.markdown import escape_markdown
from simulation.scenario.changes import variant_data

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
#: Display formats of the ranking table's number columns.
RANKING_FORMATS = {
    "Δ delivery (days)": "{:+.1f}",
    "Δ NPV": "{:+,.0f}",
    "NPV per day of delay": "{:,.0f}",
    "Δ on time (pp)": "{:+.0f}",
    "Δ outcome (pp)": "{:+.0f}",
    "Δ P85 (days)": "{:+.1f}",
    "Δ cost": "{:+,.0f}",
}


def styled_ranking(view: pd.DataFrame):
    """The ranking with each verdict cell in its colour and the numbers formatted."""
    colours = {VERDICT_MARKS[v]: c for v, c in VERDICT_BACKGROUNDS.items()}
    return view.style.format(RANKING_FORMATS, na_rep="–").map(
        lambda v: f"background-color: {colours.get(v, 'transparent')}", subset=["Verdict"]
    )


def session_from_changes(
    base: Scenario,
    named: Sequence[tuple[str, Sequence[Any]]],
    name: str,
    base_ref: str | None = None,
) -> Session:
    """A session whose candidates are ``(name, changes)`` pairs (What-if variants or
    lever candidates); ids are made from the names."""
    taken: set[str] = set()
    cands = []
    for label, changes in named:
        cid = new_id(label, taken, "candidate")[:64].strip("-") or "candidate"
        taken.add(cid)
        cands.append(Candidate(id=cid, name=label, changes=tuple(changes)))
    return Session(name=name, base=base, candidates=tuple(cands), base_ref=base_ref)


def _interval(lo: float, hi: float, spec: str) -> str:
    if fmt.is_missing(lo) or fmt.is_missing(hi):
        return ""
    digits = int(spec.rsplit(".", 1)[1][0])
    return f"[{format(_tidy(lo, digits), spec)}, {format(_tidy(hi, digits), spec)}]"


def ranking_view(pr: Prioritisation) -> pd.DataFrame:
    """The ranking for the page: sortable numbers, each beside its 90% interval."""
    d = _delta_frame(pr)
    rows = []
    for r in pr.table.itertuples():
        on_time, outcome = d.loc[(r.candidate, "on_time")], d.loc[(r.candidate, "outcome")]
        rows.append(
            {
                "Rank": r.rank,
                "Candidate": r.name,
                "Verdict": VERDICT_MARKS[r.verdict],
                "Δ delivery (days)": r.delivery_days,
                "Δ delivery 90%": _interval(r.delivery_days_low, r.delivery_days_high, "+.1f"),
                "Δ NPV": r.npv,
                "Δ NPV 90%": _interval(r.npv_low, r.npv_high, "+,.0f"),
                "NPV per day of delay": r.value_per_day,
                "Δ on time (pp)": 100 * r.on_time,
                "Δ on time 90%": _interval(100 * on_time.ci_low, 100 * on_time.ci_high, "+.0f"),
                "Δ outcome (pp)": 100 * r.outcome,
                "Δ outcome 90%": _interval(100 * outcome.ci_low, 100 * outcome.ci_high, "+.0f"),
                "Δ P85 (days)": r.p85_days,
                "Δ cost": r.cost,
                "Rank confidence": r.rank_confidence,
                "id": r.candidate,
            }
        )
    return pd.DataFrame(rows)


def _delta_frame(pr: Prioritisation) -> pd.DataFrame:
    return pr.deltas.set_index(["variant", "metric"])[["mean", "ci_low", "ci_high"]]


def map_points(pr: Prioritisation) -> pd.DataFrame:
    """One row per candidate: the means and 90% intervals the two maps plot
    (probabilities in percentage points)."""
    d = _delta_frame(pr)
    rows = []
    for r in pr.table.itertuples():
        row = {"candidate": r.candidate, "name": r.name, "verdict": r.verdict}
        for metric, col, scale in (
            ("delivery_day", "delivery", 1.0),
            ("npv", "npv", 1.0),
            ("on_time", "on_time", 100.0),
            ("outcome", "outcome", 100.0),
        ):
            m = d.loc[(r.candidate, metric)]
            row[col] = scale * m["mean"]
            row[f"{col}_low"] = scale * (m["mean"] if math.isnan(m["ci_low"]) else m["ci_low"])
            row[f"{col}_high"] = scale * (m["mean"] if math.isnan(m["ci_high"]) else m["ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)


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


def best_steps(steps: list[dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """The best set's nested steps as a table (and the frontier chart's data)."""
    rows = []
    prev: list[str] = []
    for i, s in enumerate(steps):
        added = [c for c in s["ids"] if c not in prev]
        rows.append(
            {
                "step": i,
                "added": ", ".join(added) if added else "base",
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
    t["decision"] = [latest[c].decision if c in latest else "" for c in t["candidate"]]
    t["rationale"] = [latest[c].rationale if c in latest else "" for c in t["candidate"]]
    t["decided_by"] = [latest[c].decided_by if c in latest else "" for c in t["candidate"]]
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
    stem = new_id(f"{session.name}-accepted", set(), "accepted")
    return f"{stem}.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def candidates_view(session: Session) -> pd.DataFrame:
    """What each candidate changes, in the engine's own words, before anything is run."""
    return pd.DataFrame(
        [
            {
                "Candidate": c.name,
                "Id": c.id,
                "Requested by": c.requested_by or "",
                "Changes": "; ".join(ch.describe() for ch in c.changes),
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
    stem = new_id(session.name, set(), "session")
    return f"{stem}.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def verdict_legend() -> str:
    return " · ".join(f"{VERDICT_MARKS[v]}: {meaning}" for v, meaning in VERDICTS.items())
