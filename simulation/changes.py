"""What-if changes: typed levers that turn one scenario into another.

A change is a small frozen object (``AddItems``, ``DelayStart``, ``SetApproach``,
...) with two methods:

* ``apply(scenario) -> Scenario`` returns a NEW validated scenario; the base is
  never touched, and the result goes through every cross-field check again;
* ``describe() -> str`` gives a stable one-line description for people, e.g.
  ``Adds 'Near-real-time refresh' (8-25 person-days, 2,500/week) on day 30``.

The same objects come from three places: a variant file's ``changes:`` list
(:func:`parse_changes`), the dashboard's what-if panel (built directly), and
code. :func:`change_to_data` writes one back in the file form.

How each lever maps onto the model (DESIGN section 3):

* ``add_items`` / ``remove_items`` / ``resize_items`` become a scheduled scope
  change (``scope.changes``) at ``at_day``, including day 0 (before work
  starts). So an addition is counted as *added* scope, the outcome target stays
  the base plan's, and each accepted change pays ``change_control_days``.
* ``delay_start`` adds to ``delivery.discovery_days``: day 0 stays the start
  date, so dates and deltas stay comparable, and the team is paid while it waits.
* ``add_people`` appends a staffing change (ramp-up and mentoring: Brooks' law).
* ``set_approach``, ``freeze_scope``, ``set_iteration`` set those sections.
* ``set`` sets any single field by path (``team.size``,
  ``items[2].value.per_week``, ``items[approvals].effort``) and re-validates.

Variant files (``extends:``) are resolved here too: see :func:`load_variant_data`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from .distributions import Distribution, field_error
from .errors import ScenarioError
from .schema import (
    MAX_RELEASE_DAYS,
    MAX_TEAM,
    Day,
    Fraction,
    Item,
    ItemId,
    Resize,
    Risk,
    Scenario,
    Strict,
    format_errors,
    parse_scenario,
)
from .yamlio import read_yaml_file

#: Longest chain of variants extending variants.
MAX_EXTENDS_DEPTH = 10
#: Most changes one variant file may list.
MAX_CHANGES = 500
#: Keys a variant file may have; everything else is changed through ``changes``.
VARIANT_KEYS = ("extends", "name", "description", "changes")

_PATH_RE = re.compile(r"[A-Za-z_]\w*(\[[^\[\]]+\])*(\.[A-Za-z_]\w*(\[[^\[\]]+\])*)*")
_TOKEN_RE = re.compile(r"([A-Za-z_]\w*)|\[([^\[\]]+)\]")


# ------------------------------------------------------------------- text
def _num(x: float) -> str:
    """A number for people: thousands separators, no trailing zeros."""
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(p: float) -> str:
    return f"{round(p * 100, 1):g}%"


def _span(d: Distribution) -> str:
    """The range of a distribution in a few characters: ``8-25``, ``6``, ``about 4``."""
    k = d.dist
    if k == "fixed":
        return _num(d.value)
    if k in ("triangular", "pert", "uniform"):
        return _num(d.low) if d.low == d.high else f"{_num(d.low)}-{_num(d.high)}"
    if k == "empirical":
        lo, hi = min(d.samples), max(d.samples)
        return _num(lo) if lo == hi else f"{_num(lo)}-{_num(hi)}"
    return f"about {_num(round(d.expected(), 1))}"


def _when(at_day: float) -> str:
    return "before work starts" if at_day == 0 else f"on day {_num(at_day)}"


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _quoted(ids: Iterable[str]) -> str:
    return _and([f"'{i}'" for i in ids])


def _item_text(it: Item) -> str:
    worth = f"{_num(it.value.per_week)}/week" if it.value.per_week else "no direct value"
    return f"'{it.label}' ({_span(it.effort)} person-days, {worth})"


def _risk_text(risk: Risk) -> str:
    imp = risk.impact
    window = ""
    if risk.window and risk.window[0] == risk.window[1]:
        window = f", on day {_num(risk.window[0])}"
    elif risk.window:
        window = f", some time in days {_num(risk.window[0])}-{_num(risk.window[1])}"
    if imp.kind == "blocker":
        effect = f"stops all work for {_span(imp.days)} days{window}"
    elif imp.kind == "extra_work":
        effect = f"adds {_span(imp.effort)} person-days to {_quoted(imp.items)}"
    else:
        who = "1 person" if imp.people == 1 else f"{imp.people} people"
        effect = f"takes {who} away for {_span(imp.days)} days{window}"
    return f"'{risk.label}' ({_pct(risk.probability)} chance: {effect})"


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


# ----------------------------------------------------------------- errors
def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path or path == "(top level)":
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _error(problems: list[tuple[str, str]], source: str | None = None) -> ScenarioError:
    """A ScenarioError whose message is the first problem (and a count of the rest)."""
    first = f"{problems[0][0]}: {problems[0][1]}" if problems[0][0] else problems[0][1]
    extra = len(problems) - 1
    more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
    return ScenarioError(first + more, source=source, problems=problems)


def _prefixed(exc: ScenarioError, prefix: str, source: str | None = None) -> ScenarioError:
    """The same problems, with their paths moved under ``prefix`` (e.g. ``changes[2]``)."""
    source = exc.source or source
    if not exc.problems:
        body = str(exc)
        if exc.source:
            body = body.removeprefix(f"{exc.source}: ")
        return _error([(prefix, body)], source)
    return _error([(_join(prefix, p), m) for p, m in exc.problems], source)


def _validation(exc: ValidationError, prefix: str, strip: str | None = None,
                source: str | None = None) -> ScenarioError:
    """A pydantic error as a ScenarioError under ``prefix``.

    ``strip`` is the field a shorthand filled in (``{delay_start: 10}`` fills
    ``days``): paths under it are reported as the user wrote them.
    """
    raw = format_errors(exc).problems
    problems = []
    for path, msg in raw:
        if msg.startswith("Tuple should have at least") and any(
                other.startswith(path + "[") for other, _ in raw):
            continue   # an element failed, so the list came out short: one problem
        if strip and (path == strip or path.startswith((strip + ".", strip + "["))):
            path = path[len(strip):].lstrip(".")
        problems.append((_join(prefix, path), msg))
    return _error(problems, source)


def _rebuild(data: dict[str, Any], kind: str) -> Scenario:
    """Validate changed scenario data; a failure names the change and the field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [(kind, f"the changed scenario is invalid: {p}: {m}")
                    for p, m in format_errors(exc).problems]
        raise _error(problems) from None


def _dump(sc: Scenario) -> dict[str, Any]:
    """Plain, mutable data for a scenario (every list a list), ready to re-validate."""
    return sc.model_dump(mode="json", exclude_none=True)


def _item_data(it: BaseModel) -> dict[str, Any]:
    return it.model_dump(mode="json", exclude_none=True)


def _known_ids(sc: Scenario) -> set[str]:
    return {it.id for _, it in sc.all_items()}


# ---------------------------------------------------------------- changes
class ChangeBase(Strict):
    """Common behaviour: frozen, unknown keys rejected, file-form shorthands."""

    #: The field a bare value fills in (``{delay_start: 10}`` -> ``days``).
    shorthand: ClassVar[str | None] = None
    #: The Python types that count as that bare value.
    shorthand_types: ClassVar[tuple[type, ...]] = ()

    @classmethod
    def expand(cls, body: Any) -> tuple[Any, str | None]:
        """Turn a file-form body into keyword data; returns (data, shorthand field)."""
        if cls.shorthand and isinstance(body, cls.shorthand_types) and \
                not isinstance(body, bool):
            return {cls.shorthand: body}, cls.shorthand
        return body, None

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        # As Strict's check, but the hint leaves out 'kind' (the file key says it).
        if isinstance(data, dict):
            known = [k for k in cls.model_fields if k != "kind"]
            for key in data:
                if key not in known and key != "kind":
                    close = difflib.get_close_matches(str(key), known, n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else (
                        f"; known keys: {', '.join(known)}")
                    raise field_error(str(key), f"unknown key{hint}")
        return data

    def apply(self, sc: Scenario) -> Scenario:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _fail(self, path: str, message: str) -> ScenarioError:
        return _error([(_join(self.kind, path), message)])


class AddItems(ChangeBase):
    """New items arrive at ``at_day`` (end of the backlog, or the top)."""

    kind: Literal["add_items"] = "add_items"
    at_day: Day = 0.0
    items: tuple[Item, ...] = Field(min_length=1)
    priority: Literal["end", "top"] = "end"

    shorthand: ClassVar[str | None] = "items"
    shorthand_types: ClassVar[tuple[type, ...]] = (list, tuple)

    @model_validator(mode="after")
    def _unique(self) -> AddItems:
        seen: set[str] = set()
        for i, it in enumerate(self.items):
            if it.id in seen:
                raise field_error(f"items[{i}].id", f"'{it.id}' is listed twice")
            seen.add(it.id)
        return self

    def apply(self, sc: Scenario) -> Scenario:
        known = _known_ids(sc)
        for i, it in enumerate(self.items):
            if it.id in known:
                raise self._fail(f"items[{i}].id",
                                 f"'{it.id}' is already used by an item of the scenario")
        data = _dump(sc)
        data["scope"]["changes"].append({
            "at_day": self.at_day, "priority": self.priority,
            "add": [_item_data(it) for it in self.items]})
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        if len(self.items) <= 3:
            what = _and([_item_text(it) for it in self.items])
        else:
            effort = sum(it.effort.expected() for it in self.items)
            value = sum(it.value.per_week for it in self.items)
            what = (f"{len(self.items)} items (about {_num(round(effort))} person-days, "
                    f"{_num(value)}/week)")
        top = ", at the top of the backlog" if self.priority == "top" else ""
        return f"Adds {what} {_when(self.at_day)}{top}"


class RemoveItems(ChangeBase):
    """Items not yet started on ``at_day`` leave the scope."""

    kind: Literal["remove_items"] = "remove_items"
    at_day: Day = 0.0
    ids: tuple[ItemId, ...] = Field(min_length=1)

    shorthand: ClassVar[str | None] = "ids"
    shorthand_types: ClassVar[tuple[type, ...]] = (list, tuple)

    @classmethod
    def expand(cls, body: Any) -> tuple[Any, str | None]:
        if isinstance(body, str):
            return {"ids": [body]}, "ids"
        return super().expand(body)

    def apply(self, sc: Scenario) -> Scenario:
        known = _known_ids(sc)
        for j, iid in enumerate(self.ids):
            if iid not in known:
                raise self._fail(f"ids[{j}]", f"no item has id '{iid}'" + _suggest(iid, known))
        data = _dump(sc)
        data["scope"]["changes"].append({"at_day": self.at_day, "remove": list(self.ids)})
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        if self.at_day == 0:
            return f"Removes {_quoted(self.ids)} from scope before work starts"
        return f"Removes {_quoted(self.ids)} from scope on day {_num(self.at_day)} " \
               "(if not started by then)"


class ResizeItems(ChangeBase):
    """Items not yet done on ``at_day`` are re-estimated (factor or new effort)."""

    kind: Literal["resize_items"] = "resize_items"
    at_day: Day = 0.0
    items: tuple[Resize, ...] = Field(min_length=1)

    shorthand: ClassVar[str | None] = "items"
    shorthand_types: ClassVar[tuple[type, ...]] = (list, tuple)

    def apply(self, sc: Scenario) -> Scenario:
        known = _known_ids(sc)
        for j, rz in enumerate(self.items):
            if rz.id not in known:
                raise self._fail(f"items[{j}].id",
                                 f"no item has id '{rz.id}'" + _suggest(rz.id, known))
        data = _dump(sc)
        data["scope"]["changes"].append({
            "at_day": self.at_day, "resize": [_item_data(rz) for rz in self.items]})
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        parts = [f"'{rz.id}' x{_num(rz.factor)}" if rz.factor is not None
                 else f"'{rz.id}' to {_span(rz.effort)} person-days" for rz in self.items]
        return f"Re-estimates {_and(parts)} {_when(self.at_day)}"


class DelayStart(ChangeBase):
    """The team cannot start building for ``days`` working days.

    Implemented by adding to ``delivery.discovery_days``: day 0 stays the start
    date (so dates and paired deltas stay comparable), the team is paid while
    it waits, and release trains start after the wait.
    """

    kind: Literal["delay_start"] = "delay_start"
    days: Day

    shorthand: ClassVar[str | None] = "days"
    shorthand_types: ClassVar[tuple[type, ...]] = (int, float)

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        data["delivery"]["discovery_days"] = sc.delivery.discovery_days + self.days
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        unit = "working day" if self.days == 1 else "working days"
        return f"Delays the start of build work by {_num(self.days)} {unit}"


class AddRisk(ChangeBase):
    """A new entry in the risk register."""

    kind: Literal["add_risk"] = "add_risk"
    risk: Risk

    @classmethod
    def expand(cls, body: Any) -> tuple[Any, str | None]:
        # {add_risk: {id: ..., probability: ...}} is the risk itself.
        if isinstance(body, dict) and "risk" not in body:
            return {"risk": body}, "risk"
        return body, None

    def apply(self, sc: Scenario) -> Scenario:
        taken = {r.id for r in sc.risks}
        if self.risk.id in taken:
            raise self._fail("risk.id", f"'{self.risk.id}' is already used by a risk of "
                                        "the scenario")
        known = _known_ids(sc)
        for j, iid in enumerate(self.risk.impact.items):
            if iid not in known:
                raise self._fail(f"risk.impact.items[{j}]",
                                 f"no item has id '{iid}'" + _suggest(iid, known))
        data = _dump(sc)
        data["risks"].append(_item_data(self.risk))
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        return f"Adds risk {_risk_text(self.risk)}"


class RemoveRisk(ChangeBase):
    """A risk leaves the register (mitigated, or no longer relevant)."""

    kind: Literal["remove_risk"] = "remove_risk"
    id: ItemId

    shorthand: ClassVar[str | None] = "id"
    shorthand_types: ClassVar[tuple[type, ...]] = (str,)

    def apply(self, sc: Scenario) -> Scenario:
        taken = [r.id for r in sc.risks]
        if self.id not in taken:
            raise self._fail("id", f"no risk has id '{self.id}'" + _suggest(self.id, taken))
        data = _dump(sc)
        data["risks"] = [r for r in data["risks"] if r["id"] != self.id]
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        return f"Removes risk '{self.id}'"


class AddPeople(ChangeBase):
    """People join (or leave, with a negative count) on ``at_day``."""

    kind: Literal["add_people"] = "add_people"
    at_day: Day
    count: int = Field(ge=-MAX_TEAM, le=MAX_TEAM)
    ramp_up_days: Day = 0.0
    start_productivity: float = Field(default=1.0, gt=0, le=1)
    mentoring: Fraction = 0.0

    @field_validator("count")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("must not be 0 (positive adds people, negative removes)")
        return v

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        data["team"]["changes"].append({
            "at_day": self.at_day, "add": self.count, "ramp_up_days": self.ramp_up_days,
            "start_productivity": self.start_productivity, "mentoring": self.mentoring})
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        n = abs(self.count)
        who = "1 person" if n == 1 else f"{n} people"
        if self.count < 0:
            return f"Removes {who} from the team {_when(self.at_day)}"
        text = f"Adds {who} {_when(self.at_day)}"
        if self.ramp_up_days > 0 and self.start_productivity < 1:
            text += (f", ramping up from {_pct(self.start_productivity)} to full "
                     f"productivity over {_num(self.ramp_up_days)} days")
        else:
            text += ", fully productive at once"
        if self.mentoring > 0 and self.ramp_up_days > 0:
            text += (f", each taking {_pct(self.mentoring)} of an experienced person's "
                     "time while ramping up")
        return text


_APPROACH_TEXT = {"continuous": "continuous delivery (each item goes live when done)",
                  "incremental": "incremental releases",
                  "big_bang": "a big-bang launch"}


class SetApproach(ChangeBase):
    """Delivery approach, with optional release cadence and hardening."""

    kind: Literal["set_approach"] = "set_approach"
    approach: Literal["continuous", "incremental", "big_bang"]
    release_every_days: float | None = Field(default=None, gt=0, le=MAX_RELEASE_DAYS)
    hardening_days: Day | None = None

    shorthand: ClassVar[str | None] = "approach"
    shorthand_types: ClassVar[tuple[type, ...]] = (str,)

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        d = data["delivery"]
        d["approach"] = self.approach
        if self.release_every_days is not None:
            d["release_every_days"] = self.release_every_days
        if self.hardening_days is not None:
            d["hardening_days"] = self.hardening_days
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        text = f"Switches to {_APPROACH_TEXT[self.approach]}"
        extras = []
        # Only what the new approach uses: continuous delivery has neither.
        if self.release_every_days is not None and self.approach == "incremental":
            extras.append(f"a release every {_num(self.release_every_days)} days")
        if self.hardening_days is not None and self.approach != "continuous":
            extras.append(f"{_num(self.hardening_days)} hardening days")
        return text + (f" ({_and(extras)})" if extras else "")


class FreezeScope(ChangeBase):
    """From ``at_day`` on, new requests wait until after closure (not built here)."""

    kind: Literal["freeze_scope"] = "freeze_scope"
    at_day: Day

    shorthand: ClassVar[str | None] = "at_day"
    shorthand_types: ClassVar[tuple[type, ...]] = (int, float)

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        data["scope"]["freeze_day"] = self.at_day
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        return (f"Freezes scope {_when(self.at_day)}: later requests wait until after "
                "closure")


_ITERATION_TEXT = {
    "rework_probability": ("rework probability", _pct),
    "rework_fraction": ("rework size", lambda x: f"{_pct(x)} of the effort"),
    "misfit_probability": ("misfit probability", _pct),
    "misfit_value_factor": ("misfit items earn", lambda x: f"{_pct(x)} of their value"),
    "feedback_lag_days": ("feedback lag", lambda x: f"{_num(x)} days"),
    "fix_fraction": ("fix size", lambda x: f"{_pct(x)} of the effort"),
}


class SetIteration(ChangeBase):
    """Quality rework and fit settings; fields left out stay as they are."""

    kind: Literal["set_iteration"] = "set_iteration"
    rework_probability: float | None = Field(default=None, ge=0, le=0.95)
    rework_fraction: float | None = Field(default=None, ge=0, le=10)
    misfit_probability: Fraction | None = None
    misfit_value_factor: Fraction | None = None
    feedback_lag_days: Day | None = None
    fix_fraction: float | None = Field(default=None, ge=0, le=10)

    @model_validator(mode="after")
    def _something(self) -> SetIteration:
        if not self.settings():
            raise ValueError("give at least one of " + ", ".join(_ITERATION_TEXT))
        return self

    def settings(self) -> dict[str, float]:
        """The fields this change sets, in a fixed order."""
        return {k: getattr(self, k) for k in _ITERATION_TEXT if getattr(self, k) is not None}

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        data["iteration"].update(self.settings())
        return _rebuild(data, self.kind)

    def describe(self) -> str:
        parts = []
        for key, value in self.settings().items():
            label, fmt = _ITERATION_TEXT[key]
            parts.append(f"{label} {fmt(value)}")
        return "Sets " + ", ".join(parts)


Scalar = bool | int | float | str | None


class SetField(ChangeBase):
    """Set one field anywhere in the scenario by its path, then re-validate.

    Paths use the error-message notation: ``team.size``, ``deadline``,
    ``items[2].value.per_week``; a list element may also be named by its id,
    ``items[approvals].effort`` or ``risks[vendor-env].probability``.
    """

    kind: Literal["set"] = "set"
    path: str = Field(min_length=1, max_length=300)
    value: Scalar

    @field_validator("path")
    @classmethod
    def _path_syntax(cls, v: str) -> str:
        if not _PATH_RE.fullmatch(v):
            raise ValueError(f"'{v}' is not a field path (write it like team.size or "
                             "items[2].value.per_week)")
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _scalar(cls, v: Any) -> Any:
        if hasattr(v, "isoformat"):           # a date written in YAML
            return v.isoformat()
        if isinstance(v, (dict, list, tuple)):
            raise ValueError("must be a single value (number, text, true/false or null)")
        return v

    def tokens(self) -> list[str | int]:
        """The path as field names (str) and list positions or ids (int / '[id]')."""
        out: list[str | int] = []
        for name, index in _TOKEN_RE.findall(self.path):
            out.append(name if name else (int(index) if index.isdigit() else f"[{index}]"))
        return out

    def apply(self, sc: Scenario) -> Scenario:
        data = _dump(sc)
        obj: Any = sc
        node: Any = data
        walked = ""
        tokens = self.tokens()
        for n, tok in enumerate(tokens):
            last = n == len(tokens) - 1
            if isinstance(tok, str) and not tok.startswith("["):
                fields = type(obj).model_fields if isinstance(obj, BaseModel) else {}
                if tok not in fields:
                    where = f"{walked} has" if walked else "a scenario has"
                    hint = _suggest(tok, fields) if fields else ""
                    raise self._fail("path", f"{where} no field '{tok}'{hint}")
                child = getattr(obj, tok)
                walked = _join(walked, tok)
                if last:
                    node[tok] = self.value
                    break
                if child is None or tok not in node:
                    raise self._fail("path", f"{walked} is not set in this scenario, so "
                                             "it has no fields to change")
                obj, node = child, node[tok]
                continue
            if not isinstance(obj, tuple):
                raise self._fail("path", f"{walked} is not a list")
            if isinstance(tok, int):
                i = tok
                if i >= len(obj):
                    raise self._fail("path", f"{walked} has {len(obj)} entries, so there is "
                                             f"no {walked}[{i}]")
            else:
                ident = tok[1:-1]
                ids = [getattr(x, "id", None) for x in obj]
                if ident not in ids:
                    known = [i for i in ids if i is not None]
                    raise self._fail("path", f"no entry of {walked} has id '{ident}'"
                                     + _suggest(ident, known))
                i = ids.index(ident)
            walked = f"{walked}[{i}]"
            if last:
                node[i] = self.value
                break
            obj, node = obj[i], node[i]
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            problems = format_errors(exc).problems
            raise _error([(_join(self.kind, "value"),
                           f"cannot set {self.path} to {self.value!r}: {p}: {m}")
                          for p, m in problems]) from None

    def describe(self) -> str:
        v = self.value
        if v is None:
            text = "nothing (null)"
        elif isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, (int, float)):
            text = _num(v)
        else:
            text = f"'{v}'"
        name = _FIELD_NAMES.get(self.path)
        return f"Sets {name} ({self.path}) to {text}" if name else f"Sets {self.path} to {text}"


#: Plain names of the fields people most often set, for descriptions.
_FIELD_NAMES = {
    "team.size": "the team size",
    "team.wip_limit": "the WIP limit",
    "team.focus": "the team's focus",
    "team.cost_per_person_day": "the cost per person-day",
    "deadline": "the deadline",
    "start_date": "the start date",
    "delivery.release_every_days": "the release cadence",
    "delivery.discovery_days": "the discovery phase",
    "delivery.hardening_days": "the hardening days",
    "scope.change_control_days": "the change-control effort",
    "scope.freeze_day": "the scope freeze day",
    "value.horizon_weeks": "the value horizon",
    "value.discount_rate_annual": "the discount rate",
    "value.outcome.target_fraction": "the outcome target",
    "value.outcome.by": "the outcome date",
}


#: Every change type, by the key it has in a variant file.
CHANGE_TYPES: dict[str, type[ChangeBase]] = {
    cls.model_fields["kind"].default: cls
    for cls in (AddItems, RemoveItems, ResizeItems, DelayStart, AddRisk, RemoveRisk,
                AddPeople, SetApproach, FreezeScope, SetIteration, SetField)
}

Change = Annotated[
    AddItems | RemoveItems | ResizeItems | DelayStart | AddRisk | RemoveRisk | AddPeople
    | SetApproach | FreezeScope | SetIteration | SetField,
    Field(discriminator="kind"),
]
_CHANGE_ADAPTER: TypeAdapter[Change] = TypeAdapter(Change)


# ---------------------------------------------------------------- parsing
def parse_change(data: Any, where: str = "change", source: str | None = None) -> Change:
    """Build one change from its file form.

    Accepts ``{add_items: {at_day: 30, items: [...]}}``, the bare-value
    shorthands (``{delay_start: 10}``, ``{set_approach: big_bang}``,
    ``{freeze_scope: 60}``, ``{remove_items: [a, b]}``, ``{remove_risk: id}``,
    ``{add_items: [...]}``, ``{add_risk: {id: ..., ...}}``), the flat form with a
    ``kind`` key, or a change object (returned as is).

    Raises
    ------
    ScenarioError
        Naming ``where`` and the field, e.g.
        ``changes[2].add_items.items[0].effort.high: must be >= mode``.
    """
    if isinstance(data, ChangeBase):
        return data
    if not isinstance(data, dict):
        raise _error([(where, "expected a change like {delay_start: {days: 10}}, got "
                       + _kind_of(data))], source)
    if "kind" in data:
        kind = data["kind"]
        body: Any = {k: v for k, v in data.items() if k != "kind"}
        prefix = where
    else:
        if len(data) != 1:
            keys = ", ".join(str(k) for k in data) or "none"
            raise _error([(where, "a change is a mapping with exactly one key, its type "
                           f"(one of {', '.join(CHANGE_TYPES)}); got keys: {keys}")], source)
        kind, body = next(iter(data.items()))
        prefix = f"{where}.{kind}"
    if kind not in CHANGE_TYPES:
        raise _error([(where, f"unknown change '{kind}'" + _suggest(str(kind), CHANGE_TYPES)
                       + f" (known: {', '.join(CHANGE_TYPES)})")], source)
    cls = CHANGE_TYPES[kind]
    if body is None:
        raise _error([(prefix, f"needs its settings, e.g. {_EXAMPLES[kind]}")], source)
    body, strip = cls.expand(body)
    if not isinstance(body, dict):
        raise _error([(prefix, f"expected settings like {_EXAMPLES[kind]}, got "
                       + _kind_of(body))], source)
    body = {**body, "kind": kind}
    try:
        return cls.model_validate(body)
    except ValidationError as exc:
        raise _validation(exc, prefix, strip, source) from None


_EXAMPLES = {
    "add_items": "{at_day: 30, items: [{id: x, effort: 5}]}",
    "remove_items": "{at_day: 20, ids: [reports]}",
    "resize_items": "{items: [{id: ingest, factor: 1.5}]}",
    "delay_start": "{days: 10} or a bare number of days",
    "add_risk": "{risk: {id: r1, probability: 0.3, window: [0, 40], impact: {...}}}",
    "remove_risk": "{id: vendor-env}",
    "add_people": "{at_day: 40, count: 2}",
    "set_approach": "big_bang",
    "freeze_scope": "{at_day: 60} or a bare day",
    "set_iteration": "{misfit_probability: 0.3}",
    "set": "{path: team.size, value: 6}",
}


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]


def parse_changes(data: Any, source: str | None = None,
                  where: str = "changes") -> tuple[Change, ...]:
    """Build the list of changes of a variant file (``changes[i]`` in messages)."""
    if data is None:
        return ()
    if not isinstance(data, (list, tuple)):
        raise _error([(where, "expected a list of changes, got " + _kind_of(data))], source)
    if len(data) > MAX_CHANGES:
        raise _error([(where, f"at most {MAX_CHANGES} changes in one variant")], source)
    return tuple(parse_change(item, f"{where}[{i}]", source) for i, item in enumerate(data))


def change_to_data(change: ChangeBase) -> dict[str, Any]:
    """The file form of a change, ``{kind: {...}}``; :func:`parse_change` reads it back."""
    body = change.model_dump(mode="json", exclude={"kind"}, exclude_none=True,
                             exclude_defaults=True)
    if isinstance(change, SetField):
        body = {"path": change.path, "value": change.model_dump(mode="json")["value"]}
    return {change.kind: _compact(body)}


def _compact(data: Any) -> Any:
    """Fixed distributions as bare numbers, as people write them."""
    if isinstance(data, dict):
        if data.get("dist") == "fixed" and set(data) == {"dist", "value"}:
            return data["value"]
        return {k: _compact(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_compact(v) for v in data]
    if isinstance(data, float) and data.is_integer() and abs(data) < 1e15:
        return int(data)
    return data


def apply_changes(sc: Scenario, changes: Iterable[ChangeBase], where: str = "changes",
                  source: str | None = None) -> Scenario:
    """Apply changes in order; the base is untouched. Errors name ``changes[i]``."""
    for i, change in enumerate(changes):
        try:
            sc = change.apply(sc)
        except ScenarioError as exc:
            raise _prefixed(exc, f"{where}[{i}]", source) from None
    return sc


# --------------------------------------------------------------- variants
def _library_dir() -> Path:
    from .library import LIBRARY_DIR
    return LIBRARY_DIR


def _shown(path: Path) -> str:
    """A path as people should read it in messages (relative when possible)."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolve_extends(ref: Any, folder: Path, roots: tuple[Path, ...], source: str) -> Path:
    """The base file a variant names, kept inside the allowed folders."""
    if not isinstance(ref, str) or not ref.strip():
        raise _error([("extends", "expected the base file's name, like supply-chain.yaml, "
                       "got " + _kind_of(ref))], source)
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).anchor or ref.startswith("~"):
        raise _error([("extends", f"'{ref}' is an absolute path; name the base relative to "
                       "the variant's folder (e.g. supply-chain.yaml)")], source)
    library = _library_dir().resolve()
    candidates = [(folder / ref).resolve()]
    if folder.resolve() != library:
        candidates.append((library / ref).resolve())
    allowed = [c for c in candidates if any(_within(c, r) for r in roots)]
    if not allowed:
        raise _error([("extends", f"'{ref}' points outside the variant's folder and the "
                       "scenario library")], source)
    for cand in allowed:
        if cand.is_file():
            return cand
    raise _error([("extends", f"base file '{ref}' not found (looked in "
                   + " and ".join(_shown(c.parent) for c in allowed) + ")")], source)


def _read_mapping(path: Path) -> dict[str, Any]:
    data = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError("the file must hold a mapping of sections, got "
                            + _kind_of(data), source=_shown(path))
    return data


def _check_variant_keys(data: dict[str, Any], source: str) -> None:
    for key in data:
        if key not in VARIANT_KEYS:
            hint = _suggest(str(key), VARIANT_KEYS)
            raise _error([(str(key), "a variant file may only have "
                           + ", ".join(VARIANT_KEYS) + hint + "; change other fields with "
                           f"a change such as {{set: {{path: {key}..., value: ...}}}}")],
                         source)
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
        raise _error([("name", "expected text of 1 to 200 characters")], source)
    desc = data.get("description")
    if desc is not None and (not isinstance(desc, str) or len(desc) > 5_000):
        raise _error([("description", "expected text of at most 5,000 characters")], source)


#: One variant file along a chain: (source, its data, its changes).
_Segment = tuple[str, dict[str, Any], tuple[Change, ...]]


def _segments(data: dict[str, Any], source: str, folder: Path,
              seen: tuple[Path, ...]) -> tuple[Scenario, Path, list[_Segment]]:
    """Follow ``extends`` to the root base.

    Returns the root base scenario, its file, and one segment per variant file
    from the root outwards. Each variant's ``extends`` is checked against its
    own folder tree and the library.
    """
    _check_variant_keys(data, source)
    roots = (folder.resolve(), _library_dir().resolve())
    base_path = _resolve_extends(data["extends"], folder, roots, source)
    if base_path in seen:
        loop = " -> ".join(_shown(p) for p in (*seen[seen.index(base_path):], base_path))
        raise _error([("extends", f"variants extend each other in a cycle: {loop}")], source)
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise _error([("extends", f"more than {MAX_EXTENDS_DEPTH} variants extend each "
                       "other; extend the base directly")], source)
    base_data = _read_mapping(base_path)
    base_source = _shown(base_path)
    own = (source, data, parse_changes(data.get("changes"), source))
    if "extends" in base_data:
        root, root_path, segments = _segments(base_data, base_source, base_path.parent,
                                              (*seen, base_path))
        return root, root_path, [*segments, own]
    return parse_scenario(base_data, base_source), base_path, [own]


def _seen(source: str) -> tuple[Path, ...]:
    """The variant's own file, if it is one, so extending itself is a cycle."""
    me = Path(source)
    return (me.resolve(),) if me.is_file() else ()


def load_variant_data(data: dict[str, Any], source: str, base_dir: Path) -> Scenario:
    """Resolve a variant file: load its base, apply its changes, rename it.

    ``extends`` is a path relative to the variant's own folder (or, failing
    that, a file of the bundled scenario library); it may not be absolute or
    climb out of the variant's folder tree and the library. A variant may
    extend a variant (up to :data:`MAX_EXTENDS_DEPTH` deep); cycles are errors.
    The result is named by the variant's ``name`` (default
    ``"<base name> (<file stem>)"``) and keeps the nearest ``description``
    along the chain.

    Raises
    ------
    ScenarioError
        Naming the file, e.g. ``v.yaml: changes[1].delay_start.days: ...``.
    """
    root, _path, segments = _segments(data, source, Path(base_dir), _seen(source))
    sc = root
    description = None
    for seg_source, seg_data, changes in segments:
        sc = apply_changes(sc, changes, source=seg_source)
        if seg_data.get("description") is not None:
            description = seg_data["description"]
    out = _dump(sc)
    out["name"] = data.get("name") or f"{root.name} ({Path(source).stem})"
    if description is not None:
        out["description"] = description
    return parse_scenario(out, source)


def _file_segments(path: str | Path) -> tuple[Path, list[_Segment]]:
    p = Path(path)
    data = _read_mapping(p)
    if "extends" not in data:
        return p, []
    _root, root_path, segments = _segments(data, str(path), p.parent, _seen(str(path)))
    return root_path, segments


def variant_changes(path: str | Path) -> tuple[Change, ...]:
    """Every change from the root base file to this variant, in the order applied.

    ``()`` for a base file. ``apply_changes(root base, variant_changes(path))``
    gives the variant's scenario (apart from its name and description).
    """
    return tuple(c for _s, _d, changes in _file_segments(path)[1] for c in changes)


def variant_descriptions(path: str | Path) -> list[str]:
    """One line per change of a variant file (inherited ones first); [] for a base."""
    return [c.describe() for c in variant_changes(path)]


def variant_base(path: str | Path) -> Path:
    """The root base file a variant builds on (the file itself for a base)."""
    return _file_segments(path)[0]


def variant_data(extends: str, name: str, changes: Sequence[ChangeBase],
                 description: str | None = None) -> dict[str, Any]:
    """A variant file's content (for writing with ``yaml.safe_dump``)."""
    out: dict[str, Any] = {"extends": extends, "name": name}
    if description:
        out["description"] = description
    out["changes"] = [change_to_data(c) for c in changes]
    return out
