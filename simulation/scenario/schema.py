"""The scenario schema: every section of the file format, validated.

A :class:`Scenario` is immutable once validated (frozen pydantic models and
tuples), so a what-if change always builds a new one. Every problem becomes a
:class:`~simulation.scenario.errors.ScenarioError` whose message names the field path,
e.g. ``items[2].effort.high: must be >= mode``.

Units: days are *working* days from ``start_date`` (day 0); effort is in
person-days; value is money per week; cost is money per person-day.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from simulation.scenario.distributions import Distribution
from simulation.scenario.errors import ScenarioError
from simulation.scenario.validation import (
    ID_PATTERN,
    ID_RULE,  # noqa: F401  (re-exported: the id rule is part of the schema's vocabulary)
    Number,
    WholeNumber,
    describe_input,
    field_error,
    format_errors,
    suggest,
)

# Limits: generous for real initiatives, small enough that a typo (or a hostile
# file) cannot ask the simulator for a year of computing or all the memory.
# The README (Bad input, limits and safety) lists them; every message that
# enforces one says it.
MAX_TEAM = 500  # people on the team at any time
MAX_ITEMS = 2_000  # work items in a file (planned + scheduled additions)
MAX_DAY = 5_200  # working days: 20 years, the simulated-time cap
MAX_HORIZON_WEEKS = 1_040  # 20 years
MAX_RUNS = 100_000  # replications in a scenario file, and with every table kept
MAX_RUNS_NO_TABLES = 10_000_000  # replications of a run that keeps only the summary
#: Replications a run may make for each choice of tables (``run(..., tables=)``,
#: ``--runs``): memory grows with the runs only where tables are kept
#: (docs/explanation/big-runs.md).
MAX_RUNS_WITH_TABLES = {"all": MAX_RUNS, "runs": 1_000_000, "none": MAX_RUNS_NO_TABLES}
MAX_CREEP_PER_WEEK = 20.0  # new items per week
MAX_CREEP_ITEMS = 5_000  # expected creep arrivals over the creep period
MAX_RELEASE_DAYS = 520  # working days between releases
MIN_RELEASE_DAYS = 0.1  # working days between releases
MAX_RISKS = 200  # risks in one scenario
MAX_SCOPE_CHANGES = 500  # scheduled scope changes
MAX_STAFFING_CHANGES = 500  # staffing changes
MAX_HOLIDAYS = 5_000  # holidays in the calendar
MAX_TABLE_ROWS = 20_000_000  # runs x items (or x weeks): rows in one result table
MAX_COST_PER_PERSON_DAY = 1e7  # money per person-day
MIN_COST_PER_PERSON_DAY = 0.01  # money per person-day, unless 0 (not costed)
MAX_VALUE_PER_WEEK = 1e9  # money per week, per item
MIN_BASS_Q = 1e-4  # smallest non-zero Bass imitation rate (per week)
MIN_DATE = dt.date(1900, 1, 1)  # earliest date in a scenario
MAX_DATE = dt.date(2199, 12, 31)  # latest; leaves 20+ years of simulated time to 9999

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Day = Annotated[Number, Field(ge=0, le=MAX_DAY)]
Fraction = Annotated[Number, Field(ge=0, le=1)]
ItemId = Annotated[str, Field(pattern=ID_PATTERN)]


def _nonzero(v: int) -> int:
    if v == 0:
        raise ValueError("must not be 0 (positive adds people, negative removes)")
    return v


# Field types with their bounds, shared by the sections below, the what-if
# changes (simulation.scenario.changes) and the dashboard's widgets, so each rule has
# one owner.
#: People joining (> 0) or leaving (< 0) in one staffing change.
PeopleChange = Annotated[WholeNumber, Field(ge=-MAX_TEAM, le=MAX_TEAM), AfterValidator(_nonzero)]
#: Productivity (share of an experienced person's): a newcomer's at first, the focus.
Productivity = Annotated[Number, Field(ge=0.01, le=1)]
#: Chance that finished work needs another round of rework (< 1: it must end).
ReworkProbability = Annotated[Number, Field(ge=0, le=0.95)]
#: A share of an item's effort (rework, fixes): 0 to 10 times.
EffortShare = Annotated[Number, Field(ge=0, le=10)]
#: Working days between releases.
ReleaseCadence = Annotated[Number, Field(ge=MIN_RELEASE_DAYS, le=MAX_RELEASE_DAYS)]
#: How finished items reach users (docs/reference/model.md, delivery approach).
Approach = Literal["continuous", "incremental", "big_bang"]
#: Where a scheduled addition joins the backlog.
Priority = Literal["end", "top"]


def _date_input(value: Any) -> Any:
    """Dates as YAML writes them (``2027-01-04``) or ISO text; nothing else.

    Pydantic alone reads a number as a Unix timestamp (``0`` is 1970-01-01) and
    a timestamp with a time of day as a date; both hide mistakes.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise ValueError("expected a date without a time of day, like 2027-01-04")
        value = value.date()
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) != 10:
                raise ValueError("not YYYY-MM-DD")
            value = dt.date.fromisoformat(text)
        except ValueError as exc:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                raise ValueError(f"'{text}' is not a real date ({exc})") from None
            raise ValueError(
                f"expected a date like 2027-01-04, got {describe_input(value)}"
            ) from None
    elif not isinstance(value, dt.date):
        raise ValueError(f"expected a date like 2027-01-04, got {describe_input(value)}")
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}, got {value}")
    return value


#: A calendar date in the supported range, written ``2027-01-04``.
Date = Annotated[dt.date, BeforeValidator(_date_input)]


class Strict(BaseModel):
    """Base for every section: frozen, finite numbers, unknown keys rejected with a hint."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1)
                    hint = (
                        f"; did you mean '{close[0]}'?"
                        if close
                        else (f"; known keys: {', '.join(sorted(known))}")
                    )
                    shown = "null" if key is None else str(key)
                    raise field_error(shown, f"unknown key{hint}")
        return data

    @model_validator(mode="before")
    @classmethod
    def _list_lengths(cls, data: Any) -> Any:
        # Refuse an over-long list before validating each of its entries.
        if isinstance(data, dict):
            for key, limit in _max_lengths(cls).items():
                value = data.get(key)
                if isinstance(value, list | tuple) and len(value) > limit:
                    raise field_error(key, f"at most {limit:,} entries (got {len(value):,})")
        return data


@functools.cache
def _max_lengths(cls: type[BaseModel]) -> dict[str, int]:
    """Field name -> ``max_length`` for the list fields of a model."""
    out = {}
    for name, info in cls.model_fields.items():
        for meta in info.metadata:
            limit = getattr(meta, "max_length", None)
            if isinstance(limit, int) and name != "name" and name != "description":
                out[name] = limit
    return out


# --------------------------------------------------------------------- team
class StaffingChange(Strict):
    """People joining (``add`` > 0) or leaving (``add`` < 0) on ``at_day``."""

    at_day: Day
    add: PeopleChange
    ramp_up_days: Day = 0.0
    start_productivity: Productivity = 1.0
    mentoring: Fraction = 0.0


class Team(Strict):
    size: WholeNumber = Field(ge=1, le=MAX_TEAM)
    focus: Productivity = 1.0
    cost_per_person_day: Number = Field(default=0.0, ge=0, le=MAX_COST_PER_PERSON_DAY)
    wip_limit: WholeNumber | None = Field(default=None, ge=1, le=10 * MAX_TEAM)
    changes: tuple[StaffingChange, ...] = Field(default=(), max_length=MAX_STAFFING_CHANGES)

    @field_validator("cost_per_person_day")
    @classmethod
    def _cost(cls, v: float) -> float:
        # A cost of 1e-308 makes ROI (value / cost) overflow: 0 means "not costed".
        if 0 < v < MIN_COST_PER_PERSON_DAY:
            raise ValueError(
                f"must be 0 (not costed) or at least {MIN_COST_PER_PERSON_DAY} (got {v:g})"
            )
        return v

    @model_validator(mode="after")
    def _headcount(self) -> Team:
        """The team never has fewer than 0 people nor more than :data:`MAX_TEAM`.

        A team that drops to 0 is allowed: work stops until someone joins, and a
        run that never finishes is reported as not delivered.
        """
        people = self.size
        order = sorted(range(len(self.changes)), key=lambda i: self.changes[i].at_day)
        k = 0
        while k < len(order):
            day = self.changes[order[k]].at_day
            last = k
            while last + 1 < len(order) and self.changes[order[last + 1]].at_day == day:
                last += 1
            people += sum(self.changes[order[j]].add for j in range(k, last + 1))
            where = f"changes[{order[last]}].add"
            if people < 0:
                raise field_error(
                    where,
                    f"more people leave than are on the team: it would "
                    f"have {people} people from day {day:g} (size {self.size} "
                    "plus the changes up to then); for a temporary absence "
                    "use a capacity_loss risk",
                )
            if people > MAX_TEAM:
                raise field_error(
                    where,
                    f"the team would grow to {people} people on day "
                    f"{day:g}, more than the {MAX_TEAM} limit",
                )
            k = last + 1
        return self


# -------------------------------------------------------------------- items
class ItemValue(Strict):
    per_week: Number = Field(default=0.0, ge=0, le=MAX_VALUE_PER_WEEK)


class Item(Strict):
    id: ItemId
    name: str = Field(default="", max_length=200)
    effort: Distribution
    depends_on: tuple[ItemId, ...] = Field(default=(), max_length=MAX_ITEMS)
    value: ItemValue = ItemValue()
    must_have: bool = True

    @property
    def label(self) -> str:
        return self.name or self.id


# ----------------------------------------------------------------- delivery
class Delivery(Strict):
    approach: Approach = "continuous"
    release_every_days: ReleaseCadence = 10.0
    discovery_days: Day = 0.0
    hardening_days: Day = 0.0


class Iteration(Strict):
    rework_probability: ReworkProbability = 0.0
    rework_fraction: EffortShare = 0.0
    misfit_probability: Fraction = 0.0
    misfit_value_factor: Fraction = 0.3
    feedback_lag_days: Day = 10.0
    fix_fraction: EffortShare = 0.5


# -------------------------------------------------------------------- scope
class Resize(Strict):
    """Change an item's effort: multiply by ``factor`` or redraw from ``effort``."""

    id: ItemId
    factor: Number | None = Field(default=None, ge=0.01, le=100)
    effort: Distribution | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Resize:
        if (self.factor is None) == (self.effort is None):
            raise ValueError("give exactly one of 'factor' or 'effort'")
        return self


class ScopeChange(Strict):
    at_day: Day
    add: tuple[Item, ...] = Field(default=(), max_length=MAX_ITEMS)
    priority: Priority = "end"
    remove: tuple[ItemId, ...] = Field(default=(), max_length=MAX_ITEMS)
    resize: tuple[Resize, ...] = Field(default=(), max_length=MAX_ITEMS)


class Creep(Strict):
    rate_per_week: Number = Field(ge=0, le=MAX_CREEP_PER_WEEK)
    effort: Distribution
    value: ItemValue = ItemValue()
    until_day: Day | None = None


class Scope(Strict):
    changes: tuple[ScopeChange, ...] = Field(default=(), max_length=MAX_SCOPE_CHANGES)
    creep: Creep | None = None
    change_control_days: Number = Field(default=0.0, ge=0, le=MAX_DAY)
    freeze_day: Day | None = None


# -------------------------------------------------------------------- risks
class Impact(Strict):
    kind: Literal["blocker", "extra_work", "capacity_loss"]
    days: Distribution | None = None
    items: tuple[ItemId, ...] = Field(default=(), max_length=MAX_ITEMS)
    effort: Distribution | None = None
    people: WholeNumber | None = Field(default=None, ge=1, le=MAX_TEAM)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Impact:
        need = {
            "blocker": ("days",),
            "extra_work": ("items", "effort"),
            "capacity_loss": ("people", "days"),
        }[self.kind]
        for key in need:
            if not getattr(self, key):
                raise field_error(key, f"required for kind {self.kind}")
        unused = {"days", "items", "effort", "people"} - set(need)
        for key in sorted(unused):
            if getattr(self, key):
                raise field_error(key, f"not used by kind {self.kind}")
        return self


def _window_input(value: Any) -> Any:
    if value is None:
        return value
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(
            "expected [first day, last day] the risk can strike, e.g. [0, 40]; "
            f"got {describe_input(value)}"
            + (f" of {len(value)}" if isinstance(value, list | tuple) else "")
        )
    return value


class Risk(Strict):
    id: ItemId
    name: str = Field(default="", max_length=200)
    probability: Fraction
    window: Annotated[tuple[Day, Day] | None, BeforeValidator(_window_input)] = None
    impact: Impact

    @model_validator(mode="after")
    def _window(self) -> Risk:
        if self.window is not None and self.window[1] < self.window[0]:
            raise field_error("window", "end must be >= start")
        if self.impact.kind in ("blocker", "capacity_loss") and self.window is None:
            raise field_error(
                "window",
                f"required for a {self.impact.kind} risk ([first day, last day] it can strike)",
            )
        return self

    @property
    def label(self) -> str:
        return self.name or self.id


# -------------------------------------------------------------------- value
class Adoption(Strict):
    model: Literal["instant", "linear", "bass"] = "instant"
    weeks: Number = Field(default=12.0, ge=0.1, le=MAX_HORIZON_WEEKS)
    p: Number = Field(default=0.03, ge=1e-4, le=1)
    q: Number = Field(default=0.38, ge=0, le=10)

    @field_validator("q")
    @classmethod
    def _q(cls, v: float) -> float:
        # The Bass integral loses all precision as q/p -> 0 (and is NaN for a
        # denormal q): q is 0 (pure innovation) or a real imitation rate.
        if 0 < v < MIN_BASS_Q:
            raise ValueError(f"must be 0 or at least {MIN_BASS_Q} (got {v:g})")
        return v


class Urgency(Strict):
    profile: Literal["standard", "fixed_date", "decaying"] = "standard"
    date: Date | None = None
    value_after: Fraction = 0.0
    half_life_weeks: Number = Field(default=26.0, ge=0.1, le=MAX_HORIZON_WEEKS)

    @model_validator(mode="after")
    def _date(self) -> Urgency:
        if self.profile == "fixed_date" and self.date is None:
            raise field_error("date", "required for the fixed_date profile")
        return self


class Outcome(Strict):
    name: str = Field(default="Outcome reached", max_length=200)
    target_fraction: Number = Field(default=0.8, gt=0, le=1)
    by: Date | None = None


class ValueSettings(Strict):
    horizon_weeks: WholeNumber = Field(default=104, ge=1, le=MAX_HORIZON_WEEKS)
    discount_rate_annual: Number = Field(default=0.0, ge=0, le=1)
    adoption: Adoption = Adoption()
    urgency: Urgency = Urgency()
    outcome: Outcome = Outcome()


# ------------------------------------------------------------- the scenario
class Calendar(Strict):
    workdays: tuple[Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], ...] = WEEKDAYS[:5]
    holidays: tuple[Date, ...] = Field(default=(), max_length=MAX_HOLIDAYS)

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


def _runs_input(value: Any) -> Any:
    """``runs`` is a whole number in range or ``auto``; one clear message otherwise."""
    if value == "auto" and isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RUNS:
        raise ValueError(
            f"must be a whole number from 1 to {MAX_RUNS:,} or 'auto', got {describe_input(value)}"
        )
    return value


class SimulationSettings(Strict):
    # "auto": replicate until the P85 delivery day is known to within half a day.
    runs: Annotated[
        Annotated[int, Field(ge=1, le=MAX_RUNS)] | Literal["auto"], BeforeValidator(_runs_input)
    ] = 1000
    seed: WholeNumber = Field(default=42, ge=0, le=2**63 - 1)


class Scenario(Strict):
    """A validated, immutable initiative: team, backlog, delivery, value."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    start_date: Date
    deadline: Date | None = None
    calendar: Calendar = Calendar()
    team: Team
    items: tuple[Item, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    delivery: Delivery = Delivery()
    iteration: Iteration = Iteration()
    scope: Scope = Scope()
    risks: tuple[Risk, ...] = Field(default=(), max_length=MAX_RISKS)
    value: ValueSettings = ValueSettings()
    simulation: SimulationSettings = SimulationSettings()
    #: A status the engine replays this plan from (``simulation.engine.asof``); never
    #: part of the file, set only by a re-forecast (``docs/reference/track.md``).
    _as_of: Any = PrivateAttr(default=None)

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
    """Cross-field checks: ids, references, cycles, dates, creep volume.

    Every problem is collected (one per line, ``path: message``) so a file with
    several gets them all at once; :func:`format_errors` splits the lines.
    """
    everything = sc.all_items()
    if len(everything) > MAX_ITEMS:
        raise field_error(
            "items",
            f"at most {MAX_ITEMS:,} items in one scenario, counting "
            f"scheduled additions (this one has {len(everything):,})",
        )
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, it in everything:
        if it.id in seen:
            problems.append(f"{path}.id: '{it.id}' is already used by {seen[it.id]}")
        else:
            seen[it.id] = path
    duplicates = bool(problems)
    for path, it in everything:
        reserved = _reserved_id(it.id, seen)
        if reserved:
            problems.append(f"{path}.id: '{it.id}' is reserved for {reserved}; choose another id")
    self_loop = False
    for path, it in everything:
        for j, dep in enumerate(it.depends_on):
            if dep not in seen:
                problems.append(
                    f"{path}.depends_on[{j}]: no item has id '{dep}'" + suggest(dep, seen)
                )
            elif dep == it.id and seen[dep] == path:
                self_loop = True
                problems.append(f"{path}.depends_on[{j}]: an item cannot depend on itself")
    # A self-dependency is a cycle of one, already reported; with duplicate ids the
    # graph is ambiguous, so cycles wait until the ids are fixed.
    if not self_loop and not duplicates:
        cycle = find_cycle({it.id: it.depends_on for _, it in everything})
        if cycle:
            problems.append(
                f"{seen[cycle[0]]}.depends_on: dependency cycle " + " -> ".join([*cycle, cycle[0]])
            )
    for c, change in enumerate(sc.scope.changes):
        for j, rid in enumerate(change.remove):
            if rid not in seen:
                problems.append(
                    f"scope.changes[{c}].remove[{j}]: no item has id '{rid}'" + suggest(rid, seen)
                )
        for j, rz in enumerate(change.resize):
            if rz.id not in seen:
                problems.append(
                    f"scope.changes[{c}].resize[{j}].id: no item has id "
                    f"'{rz.id}'" + suggest(rz.id, seen)
                )
    risk_ids: dict[str, int] = {}
    for r, risk in enumerate(sc.risks):
        if risk.id in risk_ids:
            problems.append(
                f"risks[{r}].id: '{risk.id}' is already used by risks[{risk_ids[risk.id]}]"
            )
        risk_ids.setdefault(risk.id, r)
        for j, iid in enumerate(risk.impact.items):
            if iid not in seen:
                problems.append(
                    f"risks[{r}].impact.items[{j}]: no item has id '{iid}'" + suggest(iid, seen)
                )
    if sc.deadline is not None and sc.deadline < sc.start_date:
        problems.append(f"deadline: must be on or after start_date ({sc.start_date})")
    by = sc.value.outcome.by
    if by is not None and by < sc.start_date:
        problems.append(f"value.outcome.by: must be on or after start_date ({sc.start_date})")
    creep = sc.scope.creep
    if creep is not None and creep.rate_per_week > 0:
        until = MAX_DAY if creep.until_day is None else creep.until_day
        weeks = until / sc.calendar.days_per_week
        expected = creep.rate_per_week * weeks
        if expected > MAX_CREEP_ITEMS:
            why = (
                f"until day {until:g}"
                if creep.until_day is not None
                else (f"with no until_day, up to the {MAX_DAY:,}-day cap")
            )
            problems.append(
                f"scope.creep.rate_per_week: {creep.rate_per_week:g} a week {why} could bring "
                f"about {expected:,.0f} new items, more than the {MAX_CREEP_ITEMS:,} limit; "
                "lower the rate or set an earlier until_day"
            )
    if isinstance(sc.simulation.runs, int):
        problem = run_size_problem(sc, sc.simulation.runs)
        if problem:
            problems.append(f"simulation.runs: {problem}")
    if problems:
        raise ValueError("\n".join(problems))


def run_size_problem(sc: Scenario, runs: int) -> str | None:
    """Why ``runs`` replications of ``sc`` would build too large a table, or None.

    The items table has one row per run and item, the weekly table one per run
    and week; :data:`MAX_TABLE_ROWS` bounds both so memory stays bounded.
    """
    items = len(sc.all_items())
    weeks = sc.value.horizon_weeks
    for rows, what in (
        (runs * items, f"{items:,} items"),
        (runs * weeks, f"a {weeks:,}-week horizon"),
    ):
        if rows > MAX_TABLE_ROWS:
            return (
                f"{runs:,} runs of {what} make {rows:,} table rows, more than the "
                f"{MAX_TABLE_ROWS:,} limit; use at most {MAX_TABLE_ROWS // (rows // runs):,} "
                "runs"
            )
    return None


def check_run_size(sc: Scenario, runs: int) -> None:
    """Raise :class:`ScenarioError` when ``runs`` of ``sc`` would be too large to hold."""
    problem = run_size_problem(sc, runs)
    if problem:
        raise ScenarioError(f"runs: {problem}", problems=[("runs", problem)])


_ENGINE_ID = re.compile(r"(creep|change-control)-[0-9]+")


def _reserved_id(item_id: str, ids: dict[str, str]) -> str | None:
    """What the simulator itself names ``item_id``, or None.

    The model names the items it creates ``creep-N``, ``change-control-N`` and
    ``fix-<id>``; a planned item with such a name would be confused with them
    (its dependents could start when the simulator's item is done).
    """
    m = _ENGINE_ID.fullmatch(item_id)
    if m:
        kind = "scope-creep requests" if m.group(1) == "creep" else "change-control work"
        return f"the {kind} the simulator adds"
    if item_id.startswith("fix-") and item_id[4:] in ids:
        return f"the fix the simulator adds when item '{item_id[4:]}' misfits"
    return None


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
                    return path[path.index(nxt) :]
                if color[nxt] == WHITE:
                    color[nxt] = GREY
                    path.append(nxt)
                    stack.append((nxt, 0))
            else:
                color[node] = BLACK
                path.pop()
                stack.pop()
    return None


def _kind(value: Any) -> str:
    return describe_input(value)


def parse_scenario(data: Any, source: str | None = None) -> Scenario:
    """Validate plain data (as read from YAML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming the field path of every problem found (``problems``).
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"the file must hold a mapping of sections, got {_kind(data)}", source=source
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise format_errors(exc, source) from None
    except RecursionError:
        raise ScenarioError(
            "the data refers to itself (a recursive structure)", source=source
        ) from None
