"""The typed what-if changes: one frozen class per lever, each turning a scenario into a new one.

Every class reuses the schema's field types (``Day``, ``PeopleChange``,
``Productivity``, ...), so a change accepts exactly what the section it edits
accepts; ``apply`` then re-validates the whole changed scenario. The classes
are listed once, in :data:`CHANGE_CLASSES`; the file keys (:data:`CHANGE_TYPES`)
and the discriminated union (:data:`Change`) are built from that list.
Descriptions live in :mod:`simulation.scenario.changes.describe`, the file form in
:mod:`simulation.scenario.changes.fileform`.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from simulation.scenario.changes import describe
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import (
    MAX_ITEMS,
    Approach,
    Day,
    EffortShare,
    Fraction,
    Item,
    ItemId,
    PeopleChange,
    Priority,
    Productivity,
    ReleaseCadence,
    Resize,
    ReworkProbability,
    Risk,
    Scenario,
    Strict,
)
from simulation.scenario.validation import (
    field_error,
    format_errors,
    join_path,
    prefixed_error,
    problems_error,
    suggest,
)

_PATH_RE = re.compile(r"[A-Za-z_]\w*(\[[^\[\]]+\])*(\.[A-Za-z_]\w*(\[[^\[\]]+\])*)*")
_TOKEN_RE = re.compile(r"([A-Za-z_]\w*)|\[([^\[\]]+)\]")


# --------------------------------------------------------------- helpers
def rebuild(data: dict[str, Any], kind: str) -> Scenario:
    """Validate changed scenario data; a failure names the change and the field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            (kind, f"the changed scenario is invalid: {p}: {m}")
            for p, m in format_errors(exc).problems
        ]
        raise problems_error(problems) from None


def dump(sc: Scenario) -> dict[str, Any]:
    """Plain, mutable data for a scenario (every list a list), ready to re-validate."""
    return sc.model_dump(mode="json", exclude_none=True)


def item_data(it: BaseModel) -> dict[str, Any]:
    return it.model_dump(mode="json", exclude_none=True)


def known_ids(sc: Scenario) -> set[str]:
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
        if cls.shorthand and isinstance(body, cls.shorthand_types) and not isinstance(body, bool):
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
                    hint = suggest(str(key), known) or f"; known keys: {', '.join(known)}"
                    raise field_error(str(key), f"unknown key{hint}")
        return data

    def apply(self, sc: Scenario) -> Scenario:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def describe(self) -> str:
        """A stable one-line description for people (see :mod:`.describe`)."""
        return describe.DESCRIPTIONS[self.kind](self)

    def _fail(self, path: str, message: str) -> ScenarioError:
        return problems_error([(join_path(self.kind, path), message)])


class AddItems(ChangeBase):
    """New items arrive at ``at_day`` (end of the backlog, or the top)."""

    kind: Literal["add_items"] = "add_items"
    at_day: Day = 0.0
    items: tuple[Item, ...] = Field(min_length=1)
    priority: Priority = "end"

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
        known = known_ids(sc)
        for i, it in enumerate(self.items):
            if it.id in known:
                raise self._fail(
                    f"items[{i}].id", f"'{it.id}' is already used by an item of the scenario"
                )
        data = dump(sc)
        data["scope"]["changes"].append(
            {
                "at_day": self.at_day,
                "priority": self.priority,
                "add": [item_data(it) for it in self.items],
            }
        )
        return rebuild(data, self.kind)


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
        known = known_ids(sc)
        for j, iid in enumerate(self.ids):
            if iid not in known:
                raise self._fail(f"ids[{j}]", f"no item has id '{iid}'" + suggest(iid, known))
        data = dump(sc)
        data["scope"]["changes"].append({"at_day": self.at_day, "remove": list(self.ids)})
        return rebuild(data, self.kind)


class ResizeItems(ChangeBase):
    """Items not yet done on ``at_day`` are re-estimated (factor or new effort)."""

    kind: Literal["resize_items"] = "resize_items"
    at_day: Day = 0.0
    items: tuple[Resize, ...] = Field(min_length=1)

    shorthand: ClassVar[str | None] = "items"
    shorthand_types: ClassVar[tuple[type, ...]] = (list, tuple)

    def apply(self, sc: Scenario) -> Scenario:
        known = known_ids(sc)
        for j, rz in enumerate(self.items):
            if rz.id not in known:
                raise self._fail(
                    f"items[{j}].id", f"no item has id '{rz.id}'" + suggest(rz.id, known)
                )
        data = dump(sc)
        data["scope"]["changes"].append(
            {"at_day": self.at_day, "resize": [item_data(rz) for rz in self.items]}
        )
        return rebuild(data, self.kind)


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
        data = dump(sc)
        data["delivery"]["discovery_days"] = sc.delivery.discovery_days + self.days
        return rebuild(data, self.kind)


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
            raise self._fail(
                "risk.id", f"'{self.risk.id}' is already used by a risk of the scenario"
            )
        known = known_ids(sc)
        for j, iid in enumerate(self.risk.impact.items):
            if iid not in known:
                raise self._fail(
                    f"risk.impact.items[{j}]", f"no item has id '{iid}'" + suggest(iid, known)
                )
        data = dump(sc)
        data["risks"].append(item_data(self.risk))
        return rebuild(data, self.kind)


class RemoveRisk(ChangeBase):
    """A risk leaves the register (mitigated, or no longer relevant)."""

    kind: Literal["remove_risk"] = "remove_risk"
    id: ItemId

    shorthand: ClassVar[str | None] = "id"
    shorthand_types: ClassVar[tuple[type, ...]] = (str,)

    def apply(self, sc: Scenario) -> Scenario:
        taken = [r.id for r in sc.risks]
        if self.id not in taken:
            raise self._fail("id", f"no risk has id '{self.id}'" + suggest(self.id, taken))
        data = dump(sc)
        data["risks"] = [r for r in data["risks"] if r["id"] != self.id]
        return rebuild(data, self.kind)


class AddPeople(ChangeBase):
    """People join (or leave, with a negative count) on ``at_day``."""

    kind: Literal["add_people"] = "add_people"
    at_day: Day
    count: PeopleChange  # the schema's staffing-change ``add``
    ramp_up_days: Day = 0.0
    start_productivity: Productivity = 1.0
    mentoring: Fraction = 0.0

    def apply(self, sc: Scenario) -> Scenario:
        data = dump(sc)
        data["team"]["changes"].append(
            {
                "at_day": self.at_day,
                "add": self.count,
                "ramp_up_days": self.ramp_up_days,
                "start_productivity": self.start_productivity,
                "mentoring": self.mentoring,
            }
        )
        return rebuild(data, self.kind)


class SetApproach(ChangeBase):
    """Delivery approach, with optional release cadence and hardening."""

    kind: Literal["set_approach"] = "set_approach"
    approach: Approach
    release_every_days: ReleaseCadence | None = None
    hardening_days: Day | None = None

    shorthand: ClassVar[str | None] = "approach"
    shorthand_types: ClassVar[tuple[type, ...]] = (str,)

    def apply(self, sc: Scenario) -> Scenario:
        data = dump(sc)
        d = data["delivery"]
        d["approach"] = self.approach
        if self.release_every_days is not None:
            d["release_every_days"] = self.release_every_days
        if self.hardening_days is not None:
            d["hardening_days"] = self.hardening_days
        return rebuild(data, self.kind)


class FreezeScope(ChangeBase):
    """From ``at_day`` on, new requests wait until after closure (not built here)."""

    kind: Literal["freeze_scope"] = "freeze_scope"
    at_day: Day

    shorthand: ClassVar[str | None] = "at_day"
    shorthand_types: ClassVar[tuple[type, ...]] = (int, float)

    def apply(self, sc: Scenario) -> Scenario:
        data = dump(sc)
        data["scope"]["freeze_day"] = self.at_day
        return rebuild(data, self.kind)


class SetIteration(ChangeBase):
    """Quality rework and fit settings; fields left out stay as they are."""

    kind: Literal["set_iteration"] = "set_iteration"
    # The schema's Iteration fields, each optional (unset = keep).
    rework_probability: ReworkProbability | None = None
    rework_fraction: EffortShare | None = None
    misfit_probability: Fraction | None = None
    misfit_value_factor: Fraction | None = None
    feedback_lag_days: Day | None = None
    fix_fraction: EffortShare | None = None

    #: The fields it may set, in file order.
    FIELDS: ClassVar[tuple[str, ...]] = (
        "rework_probability",
        "rework_fraction",
        "misfit_probability",
        "misfit_value_factor",
        "feedback_lag_days",
        "fix_fraction",
    )

    @model_validator(mode="after")
    def _something(self) -> SetIteration:
        if not self.settings():
            raise ValueError("give at least one of " + ", ".join(self.FIELDS))
        return self

    def settings(self) -> dict[str, float]:
        """The fields this change sets, in a fixed order."""
        return {k: getattr(self, k) for k in self.FIELDS if getattr(self, k) is not None}

    def apply(self, sc: Scenario) -> Scenario:
        data = dump(sc)
        data["iteration"].update(self.settings())
        return rebuild(data, self.kind)


class Reorder(ChangeBase):
    """The listed items go to the top of the starting backlog, in that order.

    The items not listed keep their order after them. Only the order changes:
    efforts, values and dependencies stay, and an item whose dependencies are
    not done is still skipped until they are (docs/reference/sequencing.md).
    """

    kind: Literal["reorder"] = "reorder"
    ids: tuple[ItemId, ...] = Field(min_length=1, max_length=MAX_ITEMS)

    shorthand: ClassVar[str | None] = "ids"
    shorthand_types: ClassVar[tuple[type, ...]] = (list, tuple)

    @model_validator(mode="after")
    def _unique(self) -> Reorder:
        seen: dict[str, int] = {}
        for j, iid in enumerate(self.ids):
            if iid in seen:
                raise field_error(f"ids[{j}]", f"'{iid}' is listed twice (also ids[{seen[iid]}])")
            seen[iid] = j
        return self

    def apply(self, sc: Scenario) -> Scenario:
        planned = [it.id for it in sc.items]
        added = {it.id for _, it in sc.all_items()} - set(planned)
        for j, iid in enumerate(self.ids):
            if iid in added:
                raise self._fail(
                    f"ids[{j}]",
                    f"'{iid}' is added by a scope change, so it is not in the starting "
                    "backlog; only planned items (the scenario's items) can be reordered",
                )
            if iid not in planned:
                raise self._fail(f"ids[{j}]", f"no item has id '{iid}'" + suggest(iid, planned))
        data = dump(sc)
        by_id = {it["id"]: it for it in data["items"]}
        first = set(self.ids)
        data["items"] = [by_id[i] for i in self.ids] + [
            it for it in data["items"] if it["id"] not in first
        ]
        return rebuild(data, self.kind)


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
            raise ValueError(
                f"'{v}' is not a field path (write it like team.size or items[2].value.per_week)"
            )
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _scalar(cls, v: Any) -> Any:
        if hasattr(v, "isoformat"):  # a date written in YAML
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
        data = dump(sc)
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
                    hint = suggest(tok, fields) if fields else ""
                    raise self._fail("path", f"{where} no field '{tok}'{hint}")
                child = getattr(obj, tok)
                walked = join_path(walked, tok)
                if last:
                    node[tok] = self.value
                    break
                if child is None or tok not in node:
                    raise self._fail(
                        "path",
                        f"{walked} is not set in this scenario, so it has no fields to change",
                    )
                obj, node = child, node[tok]
                continue
            if not isinstance(obj, tuple):
                raise self._fail("path", f"{walked} is not a list")
            if isinstance(tok, int):
                i = tok
                if i >= len(obj):
                    raise self._fail(
                        "path", f"{walked} has {len(obj)} entries, so there is no {walked}[{i}]"
                    )
            else:
                ident = tok[1:-1]
                ids = [getattr(x, "id", None) for x in obj]
                if ident not in ids:
                    known = [i for i in ids if i is not None]
                    raise self._fail(
                        "path", f"no entry of {walked} has id '{ident}'" + suggest(ident, known)
                    )
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
            raise problems_error(
                [
                    (
                        join_path(self.kind, "value"),
                        f"cannot set {self.path} to {self.value!r}: {p}: {m}",
                    )
                    for p, m in problems
                ]
            ) from None


#: Every change type, in the order the docs list them: the one registry.
CHANGE_CLASSES: tuple[type[ChangeBase], ...] = (
    AddItems,
    RemoveItems,
    ResizeItems,
    Reorder,
    DelayStart,
    AddRisk,
    RemoveRisk,
    AddPeople,
    SetApproach,
    FreezeScope,
    SetIteration,
    SetField,
)

#: Every change type, by the key it has in a variant file.
CHANGE_TYPES: dict[str, type[ChangeBase]] = {
    cls.model_fields["kind"].default: cls for cls in CHANGE_CLASSES
}

#: Any one change, told apart by its ``kind``.
Change = Annotated[functools.reduce(operator.or_, CHANGE_CLASSES), Field(discriminator="kind")]


def apply_changes(
    sc: Scenario, changes: Iterable[ChangeBase], where: str = "changes", source: str | None = None
) -> Scenario:
    """Apply changes in order; the base is untouched. Errors name ``changes[i]``."""
    for i, change in enumerate(changes):
        try:
            sc = change.apply(sc)
        except ScenarioError as exc:
            raise prefixed_error(exc, f"{where}[{i}]", source) from None
    return sc
