"""Portfolio changes and portfolio variant files (``docs/reference/portfolio.md``).

Typed, like a scenario's what-if changes, each turning a portfolio into a new
one and saying what it does in one line:

* ``{reprioritise: {order: [grant, supply]}}``: these initiatives first, in
  this order; the others keep their order after them.
* ``{move_people: {from: supply, to: data-eng, count: 2, at_day: 20}}``: people
  move between initiatives' own teams and shared pools on a portfolio day.
* ``{defer: {initiative: finance, days: 20}}``: the initiative starts
  ``days`` working days later (its team is not paid meanwhile).
* ``{cancel: {initiative: finance}}``: the initiative is dropped; the work that
  waited for it no longer waits, the pools serve the others.
* ``{initiative: supply, change: {add_items: {...}}}``: any scenario change,
  applied to that initiative's plan.

A portfolio variant file ``extends`` a portfolio file (relative to its own
folder, else a bundled portfolio) and lists ``changes``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulation.portfolio.portfolios import (
    MAX_DESCRIPTION,
    MAX_NAME,
    Move,
    Portfolio,
    _check_keys,
    _id,
    _mapping,
    _number,
    _problem,
    _text,
    _whole,
    check_portfolio,
    parse_portfolio_base,
    portfolios_dir,
)
from simulation.scenario.calendar import WorkCalendar
from simulation.scenario.changes import Change, parse_change
from simulation.scenario.errors import ScenarioError
from simulation.scenario.validation import describe_input, prefixed_error, suggest
from simulation.scenario.yamlio import read_yaml_file

#: Keys a portfolio variant file may have.
VARIANT_KEYS = ("extends", "name", "description", "changes")
#: Longest chain of portfolio variants extending variants.
MAX_EXTENDS_DEPTH = 10
#: Most changes one portfolio variant may list.
MAX_CHANGES = 200
#: Latest day a change may name (working days; the model's 20-year cap).
MAX_DAY = 5_200


class PortfolioChange:
    """A change to a portfolio: ``apply`` returns a new one, ``describe`` says what it does."""

    kind = ""

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def _known(p: Portfolio, iid: str, where: str, source: str | None) -> None:
    if iid not in p.ids:
        raise _problem(
            source, where, f"initiative '{iid}' is not in the portfolio{suggest(iid, p.ids)}"
        )


@dataclass(frozen=True)
class Reprioritise(PortfolioChange):
    """These initiatives first, in this order; the rest keep their order after them."""

    order: tuple[str, ...]
    kind = "reprioritise"

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        for k, iid in enumerate(self.order):
            _known(p, iid, f"{where}.order[{k}]", source)
        first = [p.initiative(i) for i in self.order]
        rest = [ini for ini in p.initiatives if ini.id not in self.order]
        return p.with_(initiatives=(*first, *rest))

    def describe(self) -> str:
        return "Priority order: " + ", ".join(self.order) + " first"


@dataclass(frozen=True)
class MovePeople(PortfolioChange):
    """``count`` people move from a team or pool to another on portfolio day ``at_day``."""

    source: str
    target: str
    count: int
    at_day: float = 0.0
    kind = "move_people"

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        places = {*p.ids, *(pool.id for pool in p.shared)}
        for key, ref in (("from", self.source), ("to", self.target)):
            if ref not in places:
                raise _problem(
                    source,
                    f"{where}.{key}",
                    f"'{ref}' is neither an initiative nor a shared pool of the portfolio"
                    + suggest(ref, places),
                )
        if self.source == self.target:
            raise _problem(source, f"{where}.to", "must differ from 'from'")
        move = Move(self.at_day, self.source, self.target, self.count)
        return p.with_(moves=(*p.moves, move))

    def describe(self) -> str:
        when = f" from day {self.at_day:g}" if self.at_day else ""
        who = "person" if self.count == 1 else "people"
        return f"Move {self.count} {who} from {self.source} to {self.target}{when}"


@dataclass(frozen=True)
class Defer(PortfolioChange):
    """The initiative starts ``days`` working days later (on its own calendar)."""

    initiative: str
    days: int
    kind = "defer"

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        _known(p, self.initiative, f"{where}.initiative", source)
        out = []
        for ini in p.initiatives:
            if ini.id == self.initiative:
                sc = ini.scenario
                start = WorkCalendar(sc.calendar, sc.start_date).workday_date(self.days)
                sc = sc.model_copy(update={"start_date": start.astype(object)})
                ini = replace(ini, scenario=sc)
            out.append(ini)
        return p.with_(initiatives=tuple(out))

    def describe(self) -> str:
        return f"Defer {self.initiative} by {self.days} working days"


@dataclass(frozen=True)
class Cancel(PortfolioChange):
    """The initiative is dropped from the portfolio."""

    initiative: str
    kind = "cancel"

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        _known(p, self.initiative, f"{where}.initiative", source)
        if len(p.initiatives) == 1:
            raise _problem(source, f"{where}.initiative", "cannot cancel the only initiative")
        gone = self.initiative
        pools = tuple(
            replace(pool, serves=tuple(s for s in pool.serves if s != gone)) for pool in p.shared
        )
        return p.with_(
            initiatives=tuple(ini for ini in p.initiatives if ini.id != gone),
            shared=pools,
            depends_on=tuple(d for d in p.depends_on if gone not in (d.waiting[0], d.awaited[0])),
            moves=tuple(m for m in p.moves if gone not in (m.source, m.target)),
            cancelled=(*p.cancelled, gone),
        )

    def describe(self) -> str:
        return f"Cancel {self.initiative}"


@dataclass(frozen=True)
class InInitiative(PortfolioChange):
    """A scenario change applied to one initiative's plan."""

    initiative: str
    change: Change
    kind = "initiative"

    def apply(self, p: Portfolio, where: str = "", source: str | None = None) -> Portfolio:
        _known(p, self.initiative, f"{where}.initiative", source)
        out = []
        for ini in p.initiatives:
            if ini.id == self.initiative:
                try:
                    sc = self.change.apply(ini.scenario)
                except ScenarioError as exc:
                    raise prefixed_error(exc, f"{where}.change", source) from None
                size = ini.team_size
                if sc.team.size != ini.scenario.team.size:
                    size = sc.team.size
                ini = replace(ini, scenario=sc, team_size=size)
            out.append(ini)
        return p.with_(initiatives=tuple(out))

    def describe(self) -> str:
        return f"{self.initiative}: {self.change.describe()}"


PORTFOLIO_CHANGES = ("reprioritise", "move_people", "defer", "cancel")
_EXAMPLES = {
    "reprioritise": "{order: [grant, supply]}",
    "move_people": "{from: supply, to: data-eng, count: 2, at_day: 20}",
    "defer": "{initiative: finance, days: 20}",
    "cancel": "{initiative: finance} or a bare id",
}


def parse_portfolio_change(data: Any, where: str, source: str | None) -> PortfolioChange:
    """One change from its file form (errors name ``where`` and the field)."""
    if isinstance(data, PortfolioChange):
        return data
    if not isinstance(data, dict):
        raise _problem(
            source,
            where,
            "expected a change like {defer: {initiative: x, days: 10}}, got "
            + describe_input(data),
        )
    if "initiative" in data and "change" in data:
        _check_keys(data, ("initiative", "change"), f"{where}.", source)
        iid = _id(data["initiative"], f"{where}.initiative", source)
        change = parse_change(data["change"], f"{where}.change", source)
        return InInitiative(iid, change)
    if len(data) != 1:
        raise _problem(
            source,
            where,
            "a change is a mapping with one key, its type (one of "
            + ", ".join(PORTFOLIO_CHANGES)
            + "), or {initiative: id, change: {...}}",
        )
    kind, body = next(iter(data.items()))
    prefix = f"{where}.{kind}"
    if kind not in PORTFOLIO_CHANGES:
        raise _problem(
            source,
            where,
            f"unknown portfolio change '{kind}'{suggest(str(kind), PORTFOLIO_CHANGES)} "
            f"(known: {', '.join(PORTFOLIO_CHANGES)}; a plan's change goes in "
            "{initiative: id, change: {...}})",
        )
    if kind == "cancel" and isinstance(body, str):
        body = {"initiative": body}
    if kind == "reprioritise" and isinstance(body, list):
        body = {"order": body}
    body = _mapping(body, prefix, _EXAMPLES[kind], source)
    if kind == "reprioritise":
        _check_keys(body, ("order",), f"{prefix}.", source)
        order = body.get("order")
        if not isinstance(order, list) or not order:
            raise _problem(source, f"{prefix}.order", "list the initiatives in their new order")
        ids = tuple(_id(v, f"{prefix}.order[{k}]", source) for k, v in enumerate(order))
        if len(set(ids)) != len(ids):
            raise _problem(source, f"{prefix}.order", "lists an initiative twice")
        return Reprioritise(ids)
    if kind == "move_people":
        _check_keys(body, ("from", "to", "count", "at_day"), f"{prefix}.", source)
        for key in ("from", "to", "count"):
            if body.get(key) is None:
                raise _problem(source, f"{prefix}.{key}", "required")
        return MovePeople(
            _id(body["from"], f"{prefix}.from", source),
            _id(body["to"], f"{prefix}.to", source),
            _whole(body["count"], f"{prefix}.count", 1, 500, source),
            _number(body.get("at_day", 0), f"{prefix}.at_day", 0, MAX_DAY, source),
        )
    if kind == "defer":
        _check_keys(body, ("initiative", "days"), f"{prefix}.", source)
        if body.get("days") is None:
            raise _problem(source, f"{prefix}.days", "required")
        return Defer(
            _id(body.get("initiative"), f"{prefix}.initiative", source),
            _whole(body["days"], f"{prefix}.days", 0, MAX_DAY, source),
        )
    _check_keys(body, ("initiative",), f"{prefix}.", source)
    return Cancel(_id(body.get("initiative"), f"{prefix}.initiative", source))


def parse_portfolio_changes(data: Any, source: str | None) -> tuple[PortfolioChange, ...]:
    if not isinstance(data, list) or not data:
        raise _problem(source, "changes", "list at least one change")
    if len(data) > MAX_CHANGES:
        raise _problem(source, "changes", f"at most {MAX_CHANGES} changes")
    return tuple(parse_portfolio_change(c, f"changes[{i}]", source) for i, c in enumerate(data))


def apply_portfolio_changes(
    p: Portfolio, changes: tuple[PortfolioChange, ...], source: str | None = None
) -> Portfolio:
    """Every change in order, then the portfolio's rules checked again."""
    for i, change in enumerate(changes):
        where = (
            f"changes[{i}]" if isinstance(change, InInitiative) else f"changes[{i}].{change.kind}"
        )
        p = change.apply(p, where, source)
    return check_portfolio(p, source)


def _resolve(ref: Any, folder: Path, source: str) -> Path:
    if not isinstance(ref, str) or not ref.strip():
        raise _problem(source, "extends", "expected the base portfolio's file name")
    if Path(ref).is_absolute() or ref.startswith("~"):
        raise _problem(source, "extends", f"'{ref}' is an absolute path; name it relative")
    roots = (folder.resolve(), portfolios_dir().resolve())
    for root in roots:
        cand = (root / ref).resolve()
        if (cand == root or root in cand.parents) and cand.is_file():
            return cand
    raise _problem(source, "extends", f"base portfolio '{ref}' not found next to the variant")


def load_portfolio_variant(
    data: dict, source: str, folder: Path, seen: tuple[Path, ...] = ()
) -> Portfolio:
    """A portfolio variant file: its base portfolio with its changes applied.

    ``seen``: the variant files along the chain so far (a cycle is an error).
    """
    _check_keys(data, VARIANT_KEYS, "", source)
    me = Path(source).resolve()
    seen = seen or ((me,) if me.is_file() else ())
    path = _resolve(data.get("extends"), folder, source)
    if path in seen:
        loop = " -> ".join(p.name for p in (*seen[seen.index(path) :], path))
        raise _problem(
            source, "extends", f"portfolio variants extend each other in a cycle: {loop}"
        )
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise _problem(source, "extends", f"more than {MAX_EXTENDS_DEPTH} variants deep")
    base_data = read_yaml_file(path)
    if isinstance(base_data, dict) and "extends" in base_data:
        base = load_portfolio_variant(base_data, str(path), path.parent, (*seen, path))
    else:
        base = parse_portfolio_base(base_data, str(path), path.parent)
    changes = parse_portfolio_changes(data.get("changes"), source)
    out = apply_portfolio_changes(base, changes, source)
    name = (
        _text(data["name"], "name", MAX_NAME, source)
        if data.get("name") is not None
        else f"{base.name} ({Path(source).stem})"
    )
    description = (
        _text(data["description"], "description", MAX_DESCRIPTION, source)
        if data.get("description") is not None
        else base.description
    )
    return replace(
        out,
        name=name,
        description=description,
        source=source,
        changes=(*base.changes, *changes),
    )
