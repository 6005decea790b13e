"""The scenario schema: every section of the file format, validated.

A :class:`Scenario` is immutable once validated (frozen pydantic models and
tuples), so a what-if change always builds a new one. Every problem becomes a
:class:`~simulation.errors.ScenarioError` whose message names the field path,
e.g. ``items[2].effort.high: must be >= mode``.

Units: days are *working* days from ``start_date`` (day 0); effort is in
person-days; value is money per week; cost is money per person-day.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .distributions import Distribution, field_error
from .errors import ScenarioError

# Upper limits: generous for real initiatives, small enough that a typo cannot
# ask the simulator for a year of computing.
MAX_TEAM = 500                  # people
MAX_ITEMS = 2_000               # work items in a file (planned + scheduled additions)
MAX_DAY = 5_200                 # working days: 20 years, the simulated-time cap
MAX_HORIZON_WEEKS = 1_040       # 20 years
MAX_RUNS = 100_000              # replications
MAX_CREEP_PER_WEEK = 20.0       # new items per week
MAX_RELEASE_DAYS = 520          # working days between releases
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Day = Annotated[float, Field(ge=0, le=MAX_DAY)]
Fraction = Annotated[float, Field(ge=0, le=1)]
ItemId = Annotated[str, Field(pattern=ID_PATTERN)]


class Strict(BaseModel):
    """Base for every section: frozen, and unknown keys rejected with a hint."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else (
                        f"; known keys: {', '.join(sorted(known))}")
                    raise field_error(str(key), f"unknown key{hint}")
        return data


# --------------------------------------------------------------------- team
class StaffingChange(Strict):
    """People joining (``add`` > 0) or leaving (``add`` < 0) on ``at_day``."""

    at_day: Day
    add: int = Field(ge=-MAX_TEAM, le=MAX_TEAM)
    ramp_up_days: Day = 0.0
    start_productivity: float = Field(default=1.0, gt=0, le=1)
    mentoring: Fraction = 0.0

    @field_validator("add")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("must not be 0 (positive adds people, negative removes)")
        return v


class Team(Strict):
    size: int = Field(ge=1, le=MAX_TEAM)
    focus: float = Field(default=1.0, gt=0, le=1)
    cost_per_person_day: float = Field(default=0.0, ge=0, le=1e7)
    wip_limit: int | None = Field(default=None, ge=1, le=10 * MAX_TEAM)
    changes: tuple[StaffingChange, ...] = ()


# -------------------------------------------------------------------- items
class ItemValue(Strict):
    per_week: float = Field(default=0.0, ge=0, le=1e9)


class Item(Strict):
    id: ItemId
    name: str = Field(default="", max_length=200)
    effort: Distribution
    depends_on: tuple[ItemId, ...] = ()
    value: ItemValue = ItemValue()
    must_have: bool = True

    @property
    def label(self) -> str:
        return self.name or self.id


# ----------------------------------------------------------------- delivery
class Delivery(Strict):
    approach: Literal["continuous", "incremental", "big_bang"] = "continuous"
    release_every_days: float = Field(default=10.0, gt=0, le=MAX_RELEASE_DAYS)
    discovery_days: Day = 0.0
    hardening_days: Day = 0.0


class Iteration(Strict):
    rework_probability: float = Field(default=0.0, ge=0, le=0.95)
    rework_fraction: float = Field(default=0.0, ge=0, le=10)
    misfit_probability: Fraction = 0.0
    misfit_value_factor: Fraction = 0.3
    feedback_lag_days: Day = 10.0
    fix_fraction: float = Field(default=0.5, ge=0, le=10)


# -------------------------------------------------------------------- scope
class Resize(Strict):
    """Change an item's effort: multiply by ``factor`` or redraw from ``effort``."""

    id: ItemId
    factor: float | None = Field(default=None, gt=0, le=100)
    effort: Distribution | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Resize:
        if (self.factor is None) == (self.effort is None):
            raise ValueError("give exactly one of 'factor' or 'effort'")
        return self


class ScopeChange(Strict):
    at_day: Day
    add: tuple[Item, ...] = ()
    priority: Literal["end", "top"] = "end"
    remove: tuple[ItemId, ...] = ()
    resize: tuple[Resize, ...] = ()


class Creep(Strict):
    rate_per_week: float = Field(ge=0, le=MAX_CREEP_PER_WEEK)
    effort: Distribution
    value: ItemValue = ItemValue()
    until_day: Day | None = None


class Scope(Strict):
    changes: tuple[ScopeChange, ...] = ()
    creep: Creep | None = None
    change_control_days: float = Field(default=0.0, ge=0, le=MAX_DAY)
    freeze_day: Day | None = None


# -------------------------------------------------------------------- risks
class Impact(Strict):
    kind: Literal["blocker", "extra_work", "capacity_loss"]
    days: Distribution | None = None
    items: tuple[ItemId, ...] = ()
    effort: Distribution | None = None
    people: int | None = Field(default=None, ge=1, le=MAX_TEAM)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Impact:
        need = {"blocker": ("days",), "extra_work": ("items", "effort"),
                "capacity_loss": ("people", "days")}[self.kind]
        for key in need:
            if not getattr(self, key):
                raise field_error(key, f"required for kind {self.kind}")
        unused = {"days", "items", "effort", "people"} - set(need)
        for key in sorted(unused):
            if getattr(self, key):
                raise field_error(key, f"not used by kind {self.kind}")
        return self


class Risk(Strict):
    id: ItemId
    name: str = Field(default="", max_length=200)
    probability: Fraction
    window: tuple[Day, Day] | None = None
    impact: Impact

    @model_validator(mode="after")
    def _window(self) -> Risk:
        if self.window is not None and self.window[1] < self.window[0]:
            raise field_error("window", "end must be >= start")
        if self.impact.kind in ("blocker", "capacity_loss") and self.window is None:
            raise field_error("window", f"required for a {self.impact.kind} risk "
                              "([first day, last day] it can strike)")
        return self

    @property
    def label(self) -> str:
        return self.name or self.id


# -------------------------------------------------------------------- value
class Adoption(Strict):
    model: Literal["instant", "linear", "bass"] = "instant"
    weeks: float = Field(default=12.0, gt=0, le=MAX_HORIZON_WEEKS)
    p: float = Field(default=0.03, gt=0, le=1)
    q: float = Field(default=0.38, ge=0, le=10)


class Urgency(Strict):
    profile: Literal["standard", "fixed_date", "decaying"] = "standard"
    date: dt.date | None = None
    value_after: Fraction = 0.0
    half_life_weeks: float = Field(default=26.0, gt=0, le=MAX_HORIZON_WEEKS)

    @model_validator(mode="after")
    def _date(self) -> Urgency:
        if self.profile == "fixed_date" and self.date is None:
            raise field_error("date", "required for the fixed_date profile")
        return self


class Outcome(Strict):
    name: str = Field(default="Outcome reached", max_length=200)
    target_fraction: float = Field(default=0.8, gt=0, le=1)
    by: dt.date | None = None


class ValueSettings(Strict):
    horizon_weeks: int = Field(default=104, ge=1, le=MAX_HORIZON_WEEKS)
    discount_rate_annual: float = Field(default=0.0, ge=0, le=1)
    adoption: Adoption = Adoption()
    urgency: Urgency = Urgency()
    outcome: Outcome = Outcome()


# ------------------------------------------------------------- the scenario
class Calendar(Strict):
    workdays: tuple[Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], ...] = WEEKDAYS[:5]
    holidays: tuple[dt.date, ...] = ()

    @field_validator("workdays")
    @classmethod
    def _workdays(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("needs at least one working day")
        if len(set(v)) != len(v):
            raise ValueError("lists a day twice")
        return tuple(sorted(v, key=WEEKDAYS.index))

    @property
    def days_per_week(self) -> int:
        return len(self.workdays)


class SimulationSettings(Strict):
    # "auto": replicate until the P85 delivery day is known to within half a day.
    runs: Annotated[int, Field(ge=1, le=MAX_RUNS)] | Literal["auto"] = 1000
    seed: int = Field(default=42, ge=0, le=2**63 - 1)


class Scenario(Strict):
    """A validated, immutable initiative: team, backlog, delivery, value."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    start_date: dt.date
    deadline: dt.date | None = None
    calendar: Calendar = Calendar()
    team: Team
    items: tuple[Item, ...] = Field(min_length=1)
    delivery: Delivery = Delivery()
    iteration: Iteration = Iteration()
    scope: Scope = Scope()
    risks: tuple[Risk, ...] = ()
    value: ValueSettings = ValueSettings()
    simulation: SimulationSettings = SimulationSettings()

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        check_references(self)
        return self

    # Convenience views -------------------------------------------------
    def all_items(self) -> list[tuple[str, Item]]:
        """Every item the file defines, with its path (planned and scheduled)."""
        out = [(f"items[{i}]", it) for i, it in enumerate(self.items)]
        for c, change in enumerate(self.scope.changes):
            out += [(f"scope.changes[{c}].add[{i}]", it) for i, it in enumerate(change.add)]
        return out

    def item(self, item_id: str) -> Item:
        for _, it in self.all_items():
            if it.id == item_id:
                return it
        raise KeyError(item_id)


def check_references(sc: Scenario) -> None:
    """Cross-field checks: ids, references, cycles, dates."""
    everything = sc.all_items()
    if len(everything) > MAX_ITEMS:
        raise field_error("items", f"at most {MAX_ITEMS:,} items in one scenario "
                          f"(this one has {len(everything):,})")
    seen: dict[str, str] = {}
    for path, it in everything:
        if it.id in seen:
            raise ValueError(f"{path}.id: '{it.id}' is already used by {seen[it.id]}")
        seen[it.id] = path
    for path, it in everything:
        for j, dep in enumerate(it.depends_on):
            if dep not in seen:
                raise ValueError(f"{path}.depends_on[{j}]: no item has id '{dep}'"
                                 + _suggest(dep, seen))
            if dep == it.id:
                raise ValueError(f"{path}.depends_on[{j}]: an item cannot depend on itself")
    cycle = find_cycle({it.id: it.depends_on for _, it in everything})
    if cycle:
        raise ValueError(f"{seen[cycle[0]]}.depends_on: dependency cycle "
                         + " -> ".join([*cycle, cycle[0]]))
    for c, change in enumerate(sc.scope.changes):
        for j, rid in enumerate(change.remove):
            if rid not in seen:
                raise ValueError(f"scope.changes[{c}].remove[{j}]: no item has id '{rid}'"
                                 + _suggest(rid, seen))
        for j, rz in enumerate(change.resize):
            if rz.id not in seen:
                raise ValueError(f"scope.changes[{c}].resize[{j}].id: no item has id "
                                 f"'{rz.id}'" + _suggest(rz.id, seen))
    risk_ids: set[str] = set()
    for r, risk in enumerate(sc.risks):
        if risk.id in risk_ids:
            raise ValueError(f"risks[{r}].id: '{risk.id}' is used by another risk")
        risk_ids.add(risk.id)
        for j, iid in enumerate(risk.impact.items):
            if iid not in seen:
                raise ValueError(f"risks[{r}].impact.items[{j}]: no item has id '{iid}'"
                                 + _suggest(iid, seen))
    if sc.deadline is not None and sc.deadline < sc.start_date:
        raise ValueError("deadline: must be on or after start_date")
    by = sc.value.outcome.by
    if by is not None and by < sc.start_date:
        raise ValueError("value.outcome.by: must be on or after start_date")
    if sc.team.size + sum(ch.add for ch in sc.team.changes) > MAX_TEAM:
        raise ValueError(f"team.changes: the team may grow to at most {MAX_TEAM} people")


def _suggest(word: str, known: dict[str, str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def find_cycle(graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Return one dependency cycle as a list of ids, or None (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(graph, WHITE)
    for root in graph:
        if color[root] != WHITE:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        color[root] = GREY
        path.append(root)
        while stack:
            node, i = stack[-1]
            deps = graph.get(node, ())
            if i < len(deps):
                stack[-1] = (node, i + 1)
                nxt = deps[i]
                if nxt not in color:
                    continue
                if color[nxt] == GREY:
                    return path[path.index(nxt):]
                if color[nxt] == WHITE:
                    color[nxt] = GREY
                    path.append(nxt)
                    stack.append((nxt, 0))
            else:
                color[node] = BLACK
                path.pop()
                stack.pop()
    return None


# ------------------------------------------------------------------ errors
_TYPE_MESSAGES = {
    "dict_type": "expected a mapping (key: value pairs)",
    "model_type": "expected a mapping (key: value pairs)",
    "model_attributes_type": "expected a mapping (key: value pairs)",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "missing": "required",
    "date_from_datetime_parsing": "expected a date like 2027-01-04",
    "date_parsing": "expected a date like 2027-01-04",
    "date_type": "expected a date like 2027-01-04",
    "finite_number": "must be a finite number",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def format_errors(exc: ValidationError, source: str | None = None) -> ScenarioError:
    """Turn a pydantic error into a :class:`ScenarioError` naming each field path."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        msg = str(err.get("msg", ""))
        etype = err.get("type", "")
        if etype == "value_error":
            msg = msg.removeprefix("Value error, ")
            if msg.startswith("@"):
                field, _, msg = msg[1:].partition(": ")
                loc = (*loc, field)
            elif not loc and ": " in msg:
                # A cross-field check that already names its full path.
                path, _, msg = msg.partition(": ")
                problems.append((path, msg))
                continue
        elif etype in _TYPE_MESSAGES:
            msg = _TYPE_MESSAGES[etype]
            if etype in ("dict_type", "model_type", "model_attributes_type", "list_type",
                         "tuple_type"):
                msg += f", got {_kind(err.get('input'))}"
        elif etype == "literal_error":
            msg = msg.replace("Input should be", "must be")
        else:
            msg = msg.replace("Input should be", "must be")
        if etype in ("float_type", "int_type", "float_parsing", "int_parsing") and isinstance(
                err.get("input"), float) and not math.isfinite(err["input"]):
            msg = "must be a finite number"
        problems.append((_path(loc) or "(top level)", msg))
    # Pydantic reports a value that failed every branch of an ``A | None`` once per
    # branch; keep the first message for each path.
    unique: dict[str, str] = {}
    for path, msg in problems:
        unique.setdefault(path, msg)
    problems = list(unique.items())
    first = f"{problems[0][0]}: {problems[0][1]}"
    more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" \
        if len(problems) > 1 else ""
    return ScenarioError(first + more, source=source, problems=problems)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]


def parse_scenario(data: Any, source: str | None = None) -> Scenario:
    """Validate plain data (as read from YAML) into a :class:`Scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError(f"the file must hold a mapping of sections, got {_kind(data)}",
                            source=source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise format_errors(exc, source) from None
