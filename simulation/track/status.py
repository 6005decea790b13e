"""Status files: where an initiative stands on one day (``docs/reference/track.md``).

A status names the plan it tracks, the as-of date, what happened to the plan's
items (done, in progress), scope added or removed since the plan, the team today,
risks that occurred or passed, and measured adoption and outcome progress.
:func:`load_status` reads one safely and checks it against its plan, naming the
field of every problem; :func:`save_status` writes one atomically and never
replaces a file that is already there unless asked.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.schema import Day, Fraction, Item, Scenario, Team
from simulation.scenario.validation import format_errors, problems_error, suggest
from simulation.scenario.yamlio import parse_yaml_text, read_yaml_file

#: The keys a status file may have, in the order they are written.
KEYS = (
    "plan",
    "as_of",
    "items",
    "added",
    "removed",
    "team",
    "risks",
    "adoption",
    "outcome",
    "cost_to_date",
)
#: What a risk that occurred may say: when, and its size (days, or effort for extra work).
RISK_KEYS = {"occurred", "days", "effort"}


@dataclass(frozen=True)
class ItemProgress:
    """What happened to one item: done (with an optional live date) or in progress."""

    done: dt.date | None = None
    live: dt.date | None = None
    started: dt.date | None = None
    spent: float | None = None  # person-days; None: working days since started x focus


@dataclass(frozen=True)
class RiskStatus:
    """``occurred`` on a date (with its size, when stated), or ``passed``."""

    state: str
    date: dt.date | None = None
    size: float | None = None  # days for a blocker or capacity loss, person-days for extra work


@dataclass(frozen=True)
class Status:
    """A validated status: the plan it tracks and where the work and the product stand.

    Dates are calendar dates; ``spent`` is in person-days; shares are 0..1.
    """

    plan_ref: str  # the plan as the file names it
    plan: Scenario
    as_of: dt.date
    items: dict[str, ItemProgress] = field(default_factory=dict)
    added: tuple[Item, ...] = ()
    removed: tuple[str, ...] = ()
    team_size: int | None = None
    risks: dict[str, RiskStatus] = field(default_factory=dict)
    adoption: tuple[tuple[dt.date, float], ...] = ()  # (week_of, measured share)
    outcome: tuple[tuple[dt.date, float], ...] = ()  # (date, progress to the target)
    cost_to_date: float | None = None
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # the file's own form

    @property
    def done_ids(self) -> list[str]:
        return [i for i, p in self.items.items() if p.done is not None]

    @property
    def doing_ids(self) -> list[str]:
        return [i for i, p in self.items.items() if p.done is None]


# ------------------------------------------------------------------ reading
def load_status(path: str | os.PathLike) -> Status:
    """Read and check a status file; its ``plan`` is relative to the file's folder.

    Raises
    ------
    ScenarioError
        Naming the file and the field path (``items.ingest.done: ...``).
    """
    data = read_yaml_file(path)
    return status_from_data(data, base_dir=Path(path).parent, source=os.fspath(path))


def load_status_text(text: str | bytes, base_dir: Path, source: str = "<upload>") -> Status:
    """A status from text (an upload), its ``plan`` relative to ``base_dir``."""
    return status_from_data(parse_yaml_text(text, source), base_dir=base_dir, source=source)


def status_from_data(
    data: Any, base_dir: Path | None = None, source: str | None = None, plan: Scenario | None = None
) -> Status:
    """Check parsed status data against its plan (loaded from ``plan:`` unless given)."""
    try:
        return _parse(data, base_dir, plan)
    except ScenarioError as exc:
        raise (exc.with_source(source) if source else exc) from None


def _parse(data: Any, base_dir: Path | None, plan: Scenario | None) -> Status:
    if not isinstance(data, dict):
        raise ScenarioError("(top level): a status is a mapping with plan, as_of, items, ...")
    for key in data:
        if key not in KEYS:
            raise ScenarioError(
                f"{key}: not a status field (known: {', '.join(KEYS)})" + suggest(str(key), KEYS)
            )
    ref = data.get("plan")
    if plan is None:
        if not isinstance(ref, str) or not ref:
            raise ScenarioError("plan: required, the path of the plan's scenario file")
        if base_dir is None:
            raise ScenarioError("plan: a status's plan can only be read next to a file")
        try:
            plan = load_scenario(base_dir / ref)
        except ScenarioError as exc:
            raise ScenarioError(f"plan: {exc}") from None
    cal = WorkCalendar(plan.calendar, plan.start_date)
    focus = plan.team.focus
    as_of = _date(data.get("as_of"), "as_of", required=True)
    start = cal.start_date
    if as_of < start:
        raise ScenarioError(f"as_of: {as_of} is before the plan's start {start}")
    problems: list[tuple[str, str]] = []

    added: list[Item] = []
    for i, raw in enumerate(_list(data.get("added"), "added")):
        try:
            added.append(Item.model_validate(raw))
        except ValidationError as exc:
            err = format_errors(exc)
            problems += [(f"added[{i}].{p}" if p else f"added[{i}]", m) for p, m in err.problems]
    known = {it.id for _, it in plan.all_items()} | {it.id for it in added}
    for i, it in enumerate(added):
        if any(it.id == x.id for _, x in plan.all_items()):
            problems.append((f"added[{i}].id", f"'{it.id}' is already an item of the plan"))
        for j, dep in enumerate(it.depends_on):
            if dep not in known:
                problems.append(
                    (f"added[{i}].depends_on[{j}]", f"no item has id '{dep}'" + suggest(dep, known))
                )

    removed = [str(x) for x in _list(data.get("removed"), "removed")]
    for j, rid in enumerate(removed):
        if rid not in known:
            problems.append((f"removed[{j}]", f"no item has id '{rid}'" + suggest(rid, known)))

    items: dict[str, ItemProgress] = {}
    raw_items = data.get("items") or {}
    if not isinstance(raw_items, dict):
        raise ScenarioError("items: a mapping of item id to {done: DATE} or {started: DATE}")
    for iid, rec in raw_items.items():
        path = f"items.{iid}"
        if iid not in known:
            problems.append((path, f"no item has id '{iid}'" + suggest(str(iid), known)))
            continue
        if iid in removed:
            problems.append((path, f"'{iid}' is listed under removed"))
            continue
        if not isinstance(rec, dict) or not rec:
            problems.append((path, "expected {done: DATE} or {started: DATE, spent: DAYS}"))
            continue
        for key in rec:
            if key not in ("done", "live", "started", "spent"):
                problems.append(
                    (f"{path}.{key}", "not a progress field: done, live, started, spent")
                )
        try:
            done = _date(rec.get("done"), f"{path}.done")
            live = _date(rec.get("live"), f"{path}.live")
            started = _date(rec.get("started"), f"{path}.started")
        except ScenarioError as exc:
            problems.append(("", str(exc)))
            continue
        spent = rec.get("spent")
        for name, d in (("done", done), ("started", started), ("live", live)):
            if d is not None and d < start:
                problems.append((f"{path}.{name}", f"{d} is before the plan's start {start}"))
            if d is not None and d > as_of and name != "live":
                problems.append((f"{path}.{name}", f"{d} is after the as-of date {as_of}"))
        if done is None and started is None:
            problems.append((path, "give done: DATE (finished) or started: DATE (in progress)"))
        if done is not None and started is not None and started > done:
            problems.append((f"{path}.started", f"{started} is after its done date {done}"))
        if live is not None and done is not None and live < done:
            problems.append((f"{path}.live", f"{live} is before its done date {done}"))
        if live is not None and done is None:
            problems.append((f"{path}.live", "only a done item can be live"))
        if spent is not None:
            if done is not None:
                problems.append((f"{path}.spent", "only an item in progress has spent"))
            spent = _checked(_DAYS, spent, f"{path}.spent", problems)
        if done is None and started is not None and spent is None:
            spent = (cal.day_end(as_of) - cal.day_start(started)) * focus
        items[str(iid)] = ItemProgress(done, live, started, None if spent is None else float(spent))

    team_size = None
    team = data.get("team")
    if team is not None:
        size = team.get("size") if isinstance(team, dict) else None
        if not isinstance(team, dict) or set(team) != {"size"}:
            problems.append(("team", "expected {size: PEOPLE}"))
        else:
            try:
                team_size = Team.model_validate(plan.team.model_dump() | {"size": size}).size
            except ValidationError as exc:
                problems.append(("team.size", format_errors(exc).problems[0][1]))

    risks: dict[str, RiskStatus] = {}
    risk_ids = [r.id for r in plan.risks]
    raw_risks = data.get("risks") or {}
    if not isinstance(raw_risks, dict):
        raise ScenarioError("risks: a mapping of risk id to passed or {occurred: DATE}")
    for rid, rec in raw_risks.items():
        path = f"risks.{rid}"
        if rid not in risk_ids:
            problems.append((path, f"no risk has id '{rid}'" + suggest(str(rid), risk_ids)))
        elif rec == "passed":
            risks[rid] = RiskStatus("passed")
        elif isinstance(rec, dict) and "occurred" in rec and set(rec) <= RISK_KEYS:
            try:
                when = _date(rec["occurred"], f"{path}.occurred", required=True)
            except ScenarioError as exc:
                problems.append(("", str(exc)))
                continue
            if when > as_of:
                problems.append((f"{path}.occurred", f"{when} is after the as-of date {as_of}"))
            if when < start:
                problems.append((f"{path}.occurred", f"{when} is before the plan's start {start}"))
            size = rec.get("days", rec.get("effort"))
            if size is not None:
                key = "days" if "days" in rec else "effort"
                size = _checked(_DAYS, size, f"{path}.{key}", problems)
            risks[rid] = RiskStatus("occurred", when, None if size is None else float(size))
        else:
            problems.append((path, "expected passed or {occurred: DATE, days: N}"))

    adoption = _measures(data.get("adoption"), "adoption", "week_of", "share", as_of, problems)
    outcome = _measures(data.get("outcome"), "outcome", "date", "value", as_of, problems)
    cost = data.get("cost_to_date")
    if cost is not None and (
        isinstance(cost, bool) or not isinstance(cost, int | float) or not 0 <= cost < 1e15
    ):
        problems.append(("cost_to_date", f"must be an amount >= 0, got {cost!r}"))
        cost = None
    if problems:
        raise problems_error(problems)
    return Status(
        plan_ref=str(ref or ""),
        plan=plan,
        as_of=as_of,
        items=items,
        added=tuple(added),
        removed=tuple(removed),
        team_size=team_size,
        risks=risks,
        adoption=adoption,
        outcome=outcome,
        cost_to_date=None if cost is None else float(cost),
        data={k: data[k] for k in KEYS if k in data},
    )


_DAYS = TypeAdapter(Day)
_SHARE = TypeAdapter(Fraction)


def _checked(adapter: TypeAdapter, value: Any, path: str, problems: list) -> float | None:
    """``value`` through one of the schema's own types; a problem under ``path`` if it fails."""
    try:
        return float(adapter.validate_python(value))
    except ValidationError as exc:
        problems.append((path, format_errors(exc).problems[0][1]))
        return None


def _date(value: Any, path: str, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise ScenarioError(f"{path}: required, a date like 2027-03-15")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ScenarioError(f"{path}: expected a date like 2027-03-15, got {value!r}") from None


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"{path}: expected a list")
    return value


def _measures(
    value: Any, path: str, when: str, what: str, as_of: dt.date, problems: list
) -> tuple[tuple[dt.date, float], ...]:
    out = []
    for i, rec in enumerate(_list(value, path)):
        p = f"{path}[{i}]"
        if not isinstance(rec, dict) or set(rec) != {when, what}:
            problems.append((p, f"expected {{{when}: DATE, {what}: 0..1}}"))
            continue
        try:
            d = _date(rec[when], f"{p}.{when}", required=True)
        except ScenarioError as exc:
            problems.append(("", str(exc)))
            continue
        x = _checked(_SHARE, rec[what], f"{p}.{what}", problems)
        if x is None:
            continue
        if d > as_of:
            problems.append((f"{p}.{when}", f"{d} is after the as-of date {as_of}"))
            continue
        out.append((d, float(x)))
    return tuple(sorted(out))


# ------------------------------------------------------------------ writing
def status_to_yaml(status: Status) -> str:
    """The status as YAML text in the file's own form (reads back equal)."""
    data = {k: status.data[k] for k in KEYS if k in status.data}
    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=100)


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def save_status(status: Status, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``status`` to ``path`` atomically (a crash leaves the old file or the new one).

    Raises
    ------
    ScenarioError
        ``path`` exists and ``overwrite`` is false: nothing a user saved is replaced.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise ScenarioError(f"{target}: already exists; choose another name")
    fd, tmp = tempfile.mkstemp(prefix=".status-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(status_to_yaml(status))
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if someone wrote the name meanwhile
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise ScenarioError(f"{target}: already exists; choose another name") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
