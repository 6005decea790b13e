"""Scenario <-> the editable tables and fields of the Scenario page (pure, no Streamlit).

The backlog and the risks are edited as tables with one row per item / risk.
A distribution is shown as a kind plus three numbers, ``low``, ``mode``
("most likely") and ``high``, read per kind as:

============  ==================================================
fixed         mode is the value
uniform       low, high
triangular    low, mode, high
pert          low, mode, high (beta-PERT)
lognormal     mode is the median, high the 90th percentile
normal        mode is the mean; low and high are one sd either side
exponential   mode is the mean
empirical     min, median, max of the samples (edit samples in YAML)
============  ==================================================

A row whose numbers were not touched keeps its original distribution exactly,
so loading and re-applying a scenario never changes it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from simulation.scenario.distributions import DistKind, Distribution
from simulation.scenario.schema import Impact, Scenario

from .bounds import choices, literal_values

#: The distribution kinds, in the order the editor offers them (simplest first).
DIST_KINDS = [
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "lognormal",
    "normal",
    "exponential",
    "empirical",
]
assert sorted(DIST_KINDS) == sorted(literal_values(DistKind)), "the schema's distributions"
RISK_KINDS = list(choices(Impact, "kind"))
#: What a grid shows in an empty cell, such as a number the row's distribution does not
#: use (``placeholder`` of ``st.data_editor``; Streamlit writes "None" without it).
BLANK = ""
#: The risk kinds in words, for the grid (the file keeps the schema's names).
RISK_KIND_LABELS = {
    "blocker": "Blocker: work stops",
    "extra_work": "Extra work",
    "capacity_loss": "People away",
}
assert sorted(RISK_KIND_LABELS) == sorted(RISK_KINDS), "a label for every risk kind"
ITEM_COLUMNS = [
    "id",
    "name",
    "dist",
    "low",
    "mode",
    "high",
    "value_per_week",
    "depends_on",
    "must_have",
]
RISK_COLUMNS = [
    "id",
    "name",
    "probability",
    "kind",
    "window_from",
    "window_to",
    "dist",
    "low",
    "mode",
    "high",
    "items",
    "people",
]

#: Page sections, in page order, with the scenario paths each one owns.
SECTIONS = {
    "basics": ("name", "description", "start_date", "deadline", "calendar"),
    "team": ("team",),
    "backlog": ("items",),
    "delivery": ("delivery",),
    "iteration": ("iteration",),
    "scope": ("scope",),
    "risks": ("risks",),
    "value": ("value",),
    "simulation": ("simulation",),
}

#: Field paths -> the label of the widget that edits them on the Scenario page.
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "start_date": "Start date",
    "deadline": "Deadline",
    "team.size": "People",
    "team.focus": "Focus",
    "team.cost_per_person_day": "Cost per person-day",
    "team.wip_limit": "WIP limit",
    "delivery.approach": "Approach",
    "delivery.release_every_days": "Release every",
    "delivery.discovery_days": "Discovery",
    "delivery.hardening_days": "Hardening",
    "iteration.rework_probability": "Rework chance",
    "iteration.rework_fraction": "Rework size",
    "iteration.misfit_probability": "Misfit chance",
    "iteration.misfit_value_factor": "Misfit value",
    "iteration.feedback_lag_days": "Feedback lag",
    "iteration.fix_fraction": "Fix size",
    "scope.creep.rate_per_week": "Scope creep",
    "scope.creep.until_day": "Creep until day",
    "scope.change_control_days": "Change control",
    "scope.freeze_day": "Freeze scope from day",
    "value.horizon_weeks": "Horizon",
    "value.discount_rate_annual": "Discount rate",
    "value.adoption.weeks": "Linear ramp",
    "value.adoption.p": "Bass p",
    "value.adoption.q": "Bass q",
    "value.urgency.date": "Value drops on",
    "value.urgency.value_after": "Value after that date",
    "value.urgency.half_life_weeks": "Half-life",
    "value.outcome.name": "Outcome",
    "value.outcome.target_fraction": "Target",
    "value.outcome.by": "Outcome due by",
    "simulation.runs": "Runs",
    "simulation.seed": "Seed",
}

_FIELD_WORDS = {
    "low": "low",
    "mode": "likely",
    "high": "high",
    "value": "value",
    "median": "likely (median)",
    "p90": "high (P90)",
    "mean": "likely (mean)",
    "sd": "spread (low to high)",
    "samples": "samples",
    "dist": "distribution",
    "per_week": "value per week",
    "depends_on": "depends on",
    "must_have": "must have",
    "id": "id",
    "name": "name",
    "probability": "probability",
    "window": "window",
    "kind": "impact kind",
    "people": "people",
    "items": "items",
    "days": "impact days",
    "effort": "effort",
}


# ----------------------------------------------------------- distributions
def _num(x: Any) -> float | None:
    """A finite float, or None for blanks, NaN and text that is not a number."""
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def dist_to_cells(
    d: Distribution | None,
) -> tuple[str | None, float | None, float | None, float | None]:
    """(kind, low, mode, high) as the tables show a distribution."""
    if d is None:
        return None, None, None, None
    k = d.dist
    if k == "fixed":
        return k, None, d.value, None
    if k == "uniform":
        return k, d.low, None, d.high
    if k in ("triangular", "pert"):
        return k, d.low, d.mode, d.high
    if k == "lognormal":
        return k, None, d.median, d.p90
    if k == "normal":
        return k, d.mean - d.sd, d.mean, d.mean + d.sd
    if k == "exponential":
        return k, None, d.mean, None
    s = np.asarray(d.samples, dtype=float)
    return k, float(s.min()), float(np.median(s)), float(s.max())


def _same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0]:
        return False
    for x, y in zip(a[1:], b[1:], strict=True):
        x, y = _num(x), _num(y)
        if (x is None) != (y is None):
            return False
        if x is not None and not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
            return False
    return True


def cells_to_dist(
    kind: Any, low: Any, mode: Any, high: Any, original: Distribution | None = None
) -> Any:
    """Plain data for a distribution from the table's four cells.

    Returns the original's data when the cells are unchanged; otherwise a
    mapping the schema validates (a missing number becomes ``None`` so the
    error names the field that needs it).
    """
    kind = str(kind).strip() if kind is not None and str(kind).strip() else None
    cells = (kind, low, mode, high)
    if original is not None and _same(cells, dist_to_cells(original)):
        return original.model_dump(mode="json", exclude_none=True)
    lo, mo, hi = _num(low), _num(mode), _num(high)
    if kind is None:
        # A bare number in "most likely" is the common quick entry: a fixed value.
        if lo is None and hi is None and mo is not None:
            return {"dist": "fixed", "value": mo}
        kind = "triangular"
    if kind == "fixed":
        return {"dist": "fixed", "value": mo}
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    if kind in ("triangular", "pert"):
        return {"dist": kind, "low": lo, "mode": mo, "high": hi}
    if kind == "lognormal":
        return {"dist": "lognormal", "median": mo, "p90": hi}
    if kind == "normal":
        sd = (hi - lo) / 2 if lo is not None and hi is not None else None
        return {"dist": "normal", "mean": mo, "sd": sd}
    if kind == "exponential":
        return {"dist": "exponential", "mean": mo}
    if kind == "empirical":
        # Samples cannot be typed into three cells; keep them if there were any.
        if original is not None and original.dist == "empirical":
            return original.model_dump(mode="json", exclude_none=True)
        return {"dist": "empirical", "samples": None}
    return {"dist": kind}


# ------------------------------------------------------------------ items
def _ids(cell: Any) -> list[str]:
    """Item ids from a list cell or comma/space separated text."""
    if cell is None:
        return []
    if isinstance(cell, str):
        parts = re.split(r"[,\s]+", cell)
    elif isinstance(cell, (list, tuple, np.ndarray, pd.Series)):
        parts = [str(p) for p in cell]
    else:
        if isinstance(cell, float) and math.isnan(cell):
            return []
        parts = [str(cell)]
    return [p.strip() for p in parts if p and p.strip()]


def items_frame(sc: Scenario) -> pd.DataFrame:
    """The backlog as the editor table: one row per planned item, in backlog order."""
    rows = []
    for it in sc.items:
        kind, lo, mo, hi = dist_to_cells(it.effort)
        rows.append(
            {
                "id": it.id,
                "name": it.name,
                "dist": kind,
                "low": lo,
                "mode": mo,
                "high": hi,
                "value_per_week": it.value.per_week,
                "depends_on": list(it.depends_on),
                "must_have": it.must_have,
            }
        )
    df = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    for col in ("low", "mode", "high", "value_per_week"):
        df[col] = df[col].astype(float)
    # Nullable, so a row added in the table (no value yet) does not upset pandas.
    df["must_have"] = df["must_have"].astype("boolean")
    return df


def _blank(row: dict[str, Any], columns: list[str]) -> bool:
    for c in columns:
        v = row.get(c)
        if isinstance(v, (list, tuple, np.ndarray)):
            if len(v):
                return False
        elif v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip():
            return False
    return True


def _text(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x).strip()


def items_from_frame(df: pd.DataFrame, sc: Scenario) -> tuple[list[dict[str, Any]], list[str]]:
    """Item data for the schema from the edited table, and a label per item row.

    Blank rows (a row added and left empty) are skipped. ``labels[i]`` names
    the table row that became ``items[i]``, for error messages.
    """
    original = {it.id: it for it in sc.items}
    items: list[dict[str, Any]] = []
    labels: list[str] = []
    for n, row in enumerate(df.to_dict("records")):
        if _blank(row, ["id", "name", "low", "mode", "high", "value_per_week"]):
            continue
        item_id = _text(row.get("id"))
        orig = original.get(item_id)
        effort = cells_to_dist(
            row.get("dist"),
            row.get("low"),
            row.get("mode"),
            row.get("high"),
            orig.effort if orig else None,
        )
        value = _num(row.get("value_per_week"))
        must = row.get("must_have")
        must = (
            None
            if must is None or must is pd.NA or (isinstance(must, float) and math.isnan(must))
            else must
        )
        item: dict[str, Any] = {
            "id": item_id,
            "name": _text(row.get("name")),
            "effort": effort,
            "depends_on": _ids(row.get("depends_on")),
            "value": {"per_week": value if value is not None else 0.0},
            "must_have": True if must is None else bool(must),
        }
        items.append(item)
        labels.append(row_label("items", len(items) - 1, n, item_id))
    return items, labels


def row_label(table: str, index: int, row: int | None, ident: str | None) -> str:
    """Both ways of naming a row: ``items[2] (row 3, 'tracking')``.

    The file and upload errors say ``items[2]``, the grid shows row 3 (rows
    left blank in the grid are skipped, so the two can differ).
    """
    parts = [] if row is None else [f"row {row + 1}"]
    parts.append(f"'{ident}'" if ident else "no id")
    return f"{table}[{index}] ({', '.join(parts)})"


def annotate_path(path: str, data: Any) -> str:
    """A problem path with the row and id it means: ``items[2].effort`` ->
    ``items[2] (row 3, 'tracking').effort``, from the file's data (as read)."""
    m = re.match(r"^(items|risks)\[(\d+)\](.*)$", path)
    if not m or not isinstance(data, dict):
        return path
    table, index, rest = m.group(1), int(m.group(2)), m.group(3)
    rows = data.get(table)
    ident = None
    if isinstance(rows, list) and index < len(rows) and isinstance(rows[index], dict):
        raw = rows[index].get("id")
        ident = str(raw)[:64] if raw is not None else None
    return row_label(table, index, index, ident) + rest


# ------------------------------------------------------------------ risks
def risks_frame(sc: Scenario) -> pd.DataFrame:
    """The risks as the editor table: one row per risk."""
    rows = []
    for r in sc.risks:
        imp = r.impact
        dist = imp.effort if imp.kind == "extra_work" else imp.days
        kind, lo, mo, hi = dist_to_cells(dist)
        rows.append(
            {
                "id": r.id,
                "name": r.name,
                "probability": r.probability,
                "kind": imp.kind,
                "window_from": r.window[0] if r.window else None,
                "window_to": r.window[1] if r.window else None,
                "dist": kind,
                "low": lo,
                "mode": mo,
                "high": hi,
                "items": list(imp.items),
                "people": imp.people,
            }
        )
    df = pd.DataFrame(rows, columns=RISK_COLUMNS)
    for col in ("probability", "window_from", "window_to", "low", "mode", "high", "people"):
        df[col] = df[col].astype(float)
    return df


def risks_from_frame(df: pd.DataFrame, sc: Scenario) -> tuple[list[dict[str, Any]], list[str]]:
    """Risk data for the schema from the edited table, and a label per risk row."""
    original = {r.id: r for r in sc.risks}
    risks: list[dict[str, Any]] = []
    labels: list[str] = []
    for n, row in enumerate(df.to_dict("records")):
        if _blank(row, ["id", "name", "probability", "low", "mode", "high"]):
            continue
        rid = _text(row.get("id"))
        kind = _text(row.get("kind")) or "blocker"
        orig = original.get(rid)
        orig_dist = None
        if orig is not None and orig.impact.kind == kind:
            orig_dist = orig.impact.effort if kind == "extra_work" else orig.impact.days
        dist = cells_to_dist(
            row.get("dist"), row.get("low"), row.get("mode"), row.get("high"), orig_dist
        )
        impact: dict[str, Any] = {"kind": kind}
        if kind == "extra_work":
            impact["items"] = _ids(row.get("items"))
            impact["effort"] = dist
        else:
            impact["days"] = dist
            if kind == "capacity_loss":
                people = _num(row.get("people"))
                impact["people"] = int(people) if people is not None else None
        lo, hi = _num(row.get("window_from")), _num(row.get("window_to"))
        risk: dict[str, Any] = {
            "id": rid,
            "name": _text(row.get("name")),
            "probability": _num(row.get("probability")),
            "impact": impact,
        }
        if lo is not None or hi is not None:
            risk["window"] = [lo if lo is not None else 0.0, hi if hi is not None else lo]
        risks.append(risk)
        labels.append(row_label("risks", len(risks) - 1, n, rid))
    return risks, labels


def new_item_row(
    item_id: str,
    name: str,
    low: Any,
    mode: Any,
    high: Any,
    value_per_week: Any,
    depends_on: list[str],
    must_have: bool,
) -> dict[str, Any]:
    """One backlog-table row from the "Add an item" form (the grid's columns).

    With only *likely* the effort is fixed; with low and high it is
    triangular (as a row typed into the grid is read).
    """
    kind = "fixed" if _num(low) is None and _num(high) is None else "triangular"
    return {
        "id": _text(item_id),
        "name": _text(name),
        "dist": kind,
        "low": _num(low),
        "mode": _num(mode),
        "high": _num(high),
        "value_per_week": _num(value_per_week),
        "depends_on": list(depends_on),
        "must_have": bool(must_have),
    }


def check_new_row(sc: Scenario, table: pd.DataFrame, row: dict[str, Any]) -> list[str]:
    """Problems (in the page's words) with appending ``row`` to the backlog ``table``.

    The row is checked by the schema as the item after the scenario's items
    (``sc`` is the last valid scenario), so every rule (ids, effort order,
    dependencies that exist, no cycles) is the engine's; each message names
    the row and the field: ``items[12] (row 13, 'export'), high: must be >= likely``.
    """
    from simulation.scenario.errors import ScenarioError
    from simulation.scenario.schema import parse_scenario

    if not row["id"]:
        return [
            row_label("items", len(sc.items), len(table), None)
            + ", id: missing: the new item needs an id (1-64 letters, digits, '-', '_' "
            "or '.')"
        ]
    frame = pd.DataFrame([row], columns=ITEM_COLUMNS)
    data = scenario_data(sc)
    new, _labels = items_from_frame(frame, sc)
    data["items"] = [*data["items"], *new]
    rows = {
        "items": [
            *(row_label("items", i, i, it.id) for i, it in enumerate(sc.items)),
            row_label("items", len(sc.items), len(table), row["id"]),
        ]
    }
    try:
        parse_scenario(data)
    except ScenarioError as exc:
        return [friendly(path, msg, rows) for path, msg in (exc.problems or [("", str(exc))])]
    return []


# ------------------------------------------------------------- assembling
def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data['a']['b'] = value`` for ``path='a.b'``, creating mappings on the way."""
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def scenario_data(sc: Scenario) -> dict[str, Any]:
    """Every field of the scenario as plain data (defaults included), for editing."""
    return sc.model_dump(mode="json")


def build_data(
    sc: Scenario,
    fields: dict[str, Any],
    items: pd.DataFrame | None = None,
    risks: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The edited scenario as plain data, and the row labels of the two tables.

    Parameters
    ----------
    sc : Scenario
        The scenario being edited; everything the page does not show is kept.
    fields : dict
        Dotted path -> new value (e.g. ``{"team.size": 6}``).
    items, risks : DataFrame, optional
        The edited tables (see :func:`items_frame`, :func:`risks_frame`).
    """
    data = scenario_data(sc)
    for path, value in fields.items():
        set_path(data, path, value)
    rows: dict[str, list[str]] = {}
    if items is not None:
        data["items"], rows["items"] = items_from_frame(items, sc)
    if risks is not None:
        data["risks"], rows["risks"] = risks_from_frame(risks, sc)
    return data, rows


# ----------------------------------------------------------------- errors
def section_of(path: str) -> str:
    """Which page section a problem path belongs to (``general`` if none)."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    for section, heads in SECTIONS.items():
        if head in heads:
            return section
    return "general"


def friendly(path: str, message: str, rows: dict[str, list[str]] | None = None) -> str:
    """A problem in the words of the page: ``Backlog row 3 (approvals), high: must be >= mode``."""
    rows = rows or {}
    message = _plain_message(message)
    m = re.match(r"^(items|risks)\[(\d+)\](?:\.(.*))?$", path)
    if m:
        table, index, rest = m.group(1), int(m.group(2)), m.group(3) or ""
        labels = rows.get(table, [])
        where = labels[index] if index < len(labels) else row_label(table, index, None, None)
        field = _field_words(rest)
        if rest == "id" and where.endswith("no id)"):
            message = (
                "missing: every row needs an id (1-64 letters, digits, '-', '_' or "
                "'.'), or the row is not used"
            )
        if rest.startswith(("effort", "impact")):  # name the columns, not the file's keys
            message = re.sub(
                r"(>=|<=) (low|mode|high|median|mean)\b",
                lambda m: f"{m.group(1)} {_FIELD_WORDS[m.group(2)]}",
                message,
            )
        return f"{where}{', ' + field if field else ''}: {message}"
    if path in FIELD_LABELS:
        return f"{FIELD_LABELS[path]}: {message}"
    return f"{path}: {message}" if path and path != "(top level)" else message


def _field_words(rest: str) -> str:
    if not rest:
        return ""
    parts = [p for p in re.split(r"[.\[\]]+", rest) if p and not p.isdigit()]
    if not parts:
        return ""
    if parts[0] in ("effort", "days") and len(parts) > 1:
        return _FIELD_WORDS.get(parts[-1], parts[-1])
    if parts[0] == "impact" and len(parts) > 1:
        parts = parts[1:]
        if parts[0] in ("effort", "days") and len(parts) > 1:
            return "impact " + _FIELD_WORDS.get(parts[-1], parts[-1])
    return " ".join(_FIELD_WORDS.get(p, p.replace("_", " ")) for p in parts[:2])


def _plain_message(message: str) -> str:
    if "should match pattern" in message:
        return (
            "use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit (no spaces)"
        )
    if "Input should be a valid number" in message or "must be a valid number" in message:
        return "must be a number"
    return message


def group_problems(
    problems: list[tuple[str, str]], rows: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Problems as friendly sentences, grouped by page section."""
    out: dict[str, list[str]] = {}
    for path, msg in problems:
        out.setdefault(section_of(path), []).append(friendly(path, msg, rows))
    return out
