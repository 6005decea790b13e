"""Portfolio files (``docs/reference/portfolio.md``): initiatives that share people.

A portfolio file lists initiatives in priority order (first = highest), each a
plan file (resolved like a variant's ``extends``: relative to the portfolio's
folder, else a file of the scenario library), the shared pools of people who
work for several of them, and the work that waits for another initiative's
item::

    name: 2027 H1 portfolio
    initiatives:
      - {id: supply, plan: ../supply-chain.yaml}
      - {id: grant, plan: ../grant-portal.yaml, start_date: 2027-02-01, team_size: 2}
    shared:
      - {id: data-eng, size: 2, cost_per_person_day: 900, serves: [supply, grant]}
    depends_on:
      - {item: grant/status, after: supply/ingest}

:func:`~simulation.portfolio.loading.load_portfolio` validates all of it and
names the field of every problem (``portfolios/h1.yaml: depends_on[0].after:
initiative 'suply' is not in the portfolio; did you mean 'supply'?``). A
portfolio file with ``extends`` is a portfolio variant: its base's portfolio
with typed changes (:mod:`simulation.portfolio.changes`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulation.scenario.changes import load_variant_data
from simulation.scenario.errors import ScenarioError
from simulation.scenario.library import LIBRARY_DIR
from simulation.scenario.schema import MAX_TEAM, Scenario
from simulation.scenario.validation import ID_PATTERN, ID_RULE, describe_input, suggest

#: Keys a portfolio file may have.
PORTFOLIO_KEYS = ("name", "description", "initiatives", "shared", "depends_on", "simulation")
#: Keys an initiative entry may have.
INITIATIVE_KEYS = ("id", "plan", "start_date", "team_size")
#: Keys a shared pool may have.
POOL_KEYS = ("id", "size", "cost_per_person_day", "focus", "serves")
#: Keys a cross-initiative dependency may have.
DEPENDENCY_KEYS = ("item", "after")
#: Keys of the ``simulation`` section.
SIMULATION_KEYS = ("runs", "seed")
#: Most initiatives one portfolio may hold (each is simulated in every run).
MAX_INITIATIVES = 20
#: Most shared pools and cross-initiative dependencies.
MAX_POOLS = 50
MAX_DEPENDENCIES = 500
#: Most runs of one portfolio (file or call): it runs in one process and keeps every
#: initiative's runs and weekly tables in memory.
MAX_RUNS = 20_000
#: Longest name and description.
MAX_NAME, MAX_DESCRIPTION = 200, 5_000

_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Initiative:
    """One initiative of a portfolio: its plan and its own team inside the portfolio.

    ``scenario`` is the plan with the initiative's ``start_date`` applied;
    ``team_size`` is the number of its own people (the plan's team size unless
    the portfolio sets another, 0 allowed when a shared pool serves it).
    """

    id: str
    plan: str  # the plan file as the portfolio names it
    scenario: Scenario
    team_size: int


@dataclass(frozen=True)
class SharedPool:
    """People who work for several initiatives (``shared`` in the file).

    ``size`` people, each paid ``cost_per_person_day`` for the working days
    they spend on an initiative's item (charged to that initiative), working
    ``focus`` of their time on the portfolio.
    """

    id: str
    size: int
    cost_per_person_day: float
    serves: tuple[str, ...]
    focus: float = 1.0


@dataclass(frozen=True)
class CrossDependency:
    """``item`` (``initiative/item``) may not start before ``after`` is done."""

    item: str
    after: str

    @property
    def waiting(self) -> tuple[str, str]:
        """(initiative, item) of the work that waits."""
        a, b = self.item.split("/", 1)
        return a, b

    @property
    def awaited(self) -> tuple[str, str]:
        """(initiative, item) of the work it waits for."""
        a, b = self.after.split("/", 1)
        return a, b


@dataclass(frozen=True)
class Move:
    """``count`` people move from a team or pool to another on portfolio day ``at_day``."""

    at_day: float
    source: str  # an initiative id (its own team) or a pool id
    target: str
    count: int


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio: initiatives in priority order, pools, dependencies."""

    name: str
    initiatives: tuple[Initiative, ...]
    shared: tuple[SharedPool, ...] = ()
    depends_on: tuple[CrossDependency, ...] = ()
    description: str | None = None
    runs: int = 1000
    seed: int = 42
    moves: tuple[Move, ...] = ()
    #: Initiatives a change cancelled (kept so a comparison can say so).
    cancelled: tuple[str, ...] = ()
    #: Day 0 of the portfolio's clock: the earliest start of the file's initiatives.
    start_date: dt.date | None = None
    #: The changes a portfolio variant made to its base (``PortfolioChange`` objects), in order.
    changes: tuple[Any, ...] = ()
    source: str | None = field(default=None, compare=False)

    def initiative(self, iid: str) -> Initiative:
        for ini in self.initiatives:
            if ini.id == iid:
                return ini
        raise KeyError(iid)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(ini.id for ini in self.initiatives)

    def pools_serving(self, iid: str) -> tuple[SharedPool, ...]:
        return tuple(p for p in self.shared if iid in p.serves)

    def with_(self, **changes: Any) -> Portfolio:
        return replace(self, **changes)


# ------------------------------------------------------------------ helpers
def _problem(source: str | None, path: str, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}", source=source, problems=[(path, message)])


def _check_keys(data: dict, known: tuple[str, ...], where: str, source: str | None) -> None:
    for key in data:
        if key not in known:
            hint = suggest(str(key), known) or f"; known keys: {', '.join(known)}"
            raise _problem(source, f"{where}{key}", f"unknown key{hint}")


def _mapping(value: Any, where: str, example: str, source: str | None) -> dict:
    if not isinstance(value, dict):
        raise _problem(
            source, where, f"expected a mapping like {example}, got {describe_input(value)}"
        )
    return value


def _id(value: Any, where: str, source: str | None) -> str:
    if value is None:
        raise _problem(source, where, "required")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _problem(source, where, f"{describe_input(value)} is not a valid id: use {ID_RULE}")
    return value


def _whole(value: Any, where: str, low: int, high: int, source: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _problem(
            source,
            where,
            f"expected a whole number from {low} to {high:,}, got {describe_input(value)}",
        )
    return int(value)


def _number(value: Any, where: str, low: float, high: float, source: str | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _problem(
            source,
            where,
            f"expected a number from {low:g} to {high:g}, got {describe_input(value)}",
        )
    return float(value)


def _date(value: Any, where: str, source: str | None) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _problem(source, where, f"expected a date like 2027-01-04, got {describe_input(value)}")


def _text(value: Any, where: str, limit: int, source: str | None) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _problem(source, where, f"expected text of 1 to {limit:,} characters")
    return value.strip()


def _plan(ref: Any, where: str, source: str, base_dir: Path) -> Scenario:
    """An initiative's plan, resolved with the variant machinery (the same rules as extends)."""
    if not isinstance(ref, str) or not ref.strip():
        raise _problem(
            source, where, "required: the initiative's plan file, e.g. ../supply-chain.yaml"
        )
    try:
        sc = load_variant_data({"extends": ref}, source=source, base_dir=base_dir)
    except ScenarioError as exc:
        if exc.source != source:
            raise  # a problem inside the plan file itself: it names that file
        message = exc.problems[0][1] if exc.problems else str(exc)
        # The variant machinery's words, for a plan of a portfolio.
        message = message.replace("name the base", "name the plan").replace(
            "variant's folder", "portfolio's folder"
        )
        raise _problem(source, where, message) from None
    return sc.model_copy(update={"name": sc.name.removesuffix(f" ({Path(source).stem})")})


def item_ref(value: Any, where: str, by_id: dict[str, Initiative], source: str | None) -> str:
    """``initiative/item``, both known to the portfolio."""
    if not isinstance(value, str) or value.count("/") != 1:
        raise _problem(
            source,
            where,
            f"expected initiative/item, like supply/ingest, got {describe_input(value)}",
        )
    iid, item = value.split("/")
    if iid not in by_id:
        raise _problem(
            source, where, f"initiative '{iid}' is not in the portfolio{suggest(iid, by_id)}"
        )
    known = {it.id for _, it in by_id[iid].scenario.all_items()}
    if item not in known:
        raise _problem(
            source,
            where,
            f"initiative '{iid}' has no item '{item}'{suggest(item, known)}",
        )
    return value


def dependency_cycle(portfolio: Portfolio) -> list[str] | None:
    """A cycle of items through the cross-initiative dependencies, or None.

    Nodes are ``initiative/item``; edges are each plan's own ``depends_on``
    and the portfolio's. A plan alone has no cycle (its file was validated),
    so any cycle found runs through at least one cross dependency.
    """
    edges: dict[str, list[str]] = {}
    for ini in portfolio.initiatives:
        for _, it in ini.scenario.all_items():
            edges.setdefault(f"{ini.id}/{it.id}", []).extend(f"{ini.id}/{d}" for d in it.depends_on)
    for dep in portfolio.depends_on:
        edges.setdefault(dep.item, []).append(dep.after)
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in list(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check_portfolio(p: Portfolio, source: str | None = None) -> Portfolio:
    """The rules that tie the parts together; the same after every change.

    Raises
    ------
    ScenarioError
        A cycle through cross dependencies (``depends_on``), or an initiative
        nobody works on (``initiatives[i].team_size``).
    """
    cycle = dependency_cycle(p)
    if cycle:
        first = next(
            (
                i
                for i, d in enumerate(p.depends_on)
                if any(d.item == a and d.after == b for a, b in itertools.pairwise(cycle))
            ),
            0,
        )
        raise _problem(
            source,
            f"depends_on[{first}]",
            "the dependencies wait for each other in a cycle across initiatives: "
            + " -> ".join(cycle),
        )
    for i, ini in enumerate(p.initiatives):
        if ini.team_size == 0 and not p.pools_serving(ini.id):
            raise _problem(
                source,
                f"initiatives[{i}].team_size",
                f"'{ini.id}' has no people of its own and no shared pool serves it: "
                "nobody would work on it",
            )
    return p


# ------------------------------------------------------------------ parsing
def parse_portfolio_base(
    data: Any, source: str = "<portfolio>", base_dir: Path | None = None
) -> Portfolio:
    """Validate parsed portfolio data (a base file; variants: :mod:`simulation.portfolio.loading`).

    Raises
    ------
    ScenarioError
        Naming ``source`` and the field path of the first problem.
    """
    folder = Path(base_dir) if base_dir is not None else Path.cwd()
    if not isinstance(data, dict):
        raise ScenarioError(
            "a portfolio file holds a mapping (name, initiatives, shared, depends_on), got "
            + describe_input(data),
            source=source,
        )
    _check_keys(data, PORTFOLIO_KEYS, "", source)
    if data.get("name") is None:
        raise _problem(source, "name", "required")
    name = _text(data["name"], "name", MAX_NAME, source)
    description = (
        _text(data["description"], "description", MAX_DESCRIPTION, source)
        if data.get("description") is not None
        else None
    )
    raw = data.get("initiatives")
    if not isinstance(raw, list) or not raw:
        raise _problem(
            source,
            "initiatives",
            "list at least one initiative ({id, plan}), got "
            + ("an empty list" if raw == [] else describe_input(raw)),
        )
    if len(raw) > MAX_INITIATIVES:
        raise _problem(source, "initiatives", f"at most {MAX_INITIATIVES} initiatives")
    initiatives: list[Initiative] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw):
        where = f"initiatives[{i}]"
        entry = _mapping(entry, where, "{id: supply, plan: ../supply-chain.yaml}", source)
        _check_keys(entry, INITIATIVE_KEYS, f"{where}.", source)
        iid = _id(entry.get("id"), f"{where}.id", source)
        if iid in seen:
            raise _problem(
                source, f"{where}.id", f"duplicate id '{iid}' (also initiatives[{seen[iid]}])"
            )
        seen[iid] = i
        sc = _plan(entry.get("plan"), f"{where}.plan", source, folder)
        if entry.get("start_date") is not None:
            sc = sc.model_copy(
                update={"start_date": _date(entry["start_date"], f"{where}.start_date", source)}
            )
        size = sc.team.size
        if entry.get("team_size") is not None:
            size = _whole(entry["team_size"], f"{where}.team_size", 0, MAX_TEAM, source)
        initiatives.append(Initiative(iid, entry["plan"], sc, size))
    by_id = {ini.id: ini for ini in initiatives}

    pools: list[SharedPool] = []
    raw_pools = data.get("shared") or []
    if not isinstance(raw_pools, list) or len(raw_pools) > MAX_POOLS:
        raise _problem(source, "shared", f"expected a list of at most {MAX_POOLS} pools")
    for j, entry in enumerate(raw_pools):
        where = f"shared[{j}]"
        entry = _mapping(entry, where, "{id: data-eng, size: 2, serves: [supply, grant]}", source)
        _check_keys(entry, POOL_KEYS, f"{where}.", source)
        pid = _id(entry.get("id"), f"{where}.id", source)
        if pid in by_id or pid in {p.id for p in pools}:
            raise _problem(
                source, f"{where}.id", f"'{pid}' is already the id of an initiative or pool"
            )
        if entry.get("size") is None:
            raise _problem(source, f"{where}.size", "required")
        size = _whole(entry["size"], f"{where}.size", 1, MAX_TEAM, source)
        cost = _number(
            entry.get("cost_per_person_day", 0), f"{where}.cost_per_person_day", 0, 1e7, source
        )
        focus = _number(entry.get("focus", 1.0), f"{where}.focus", 0.01, 1.0, source)
        serves = entry.get("serves")
        if not isinstance(serves, list) or not serves:
            raise _problem(
                source,
                f"{where}.serves",
                "a pool must serve at least one initiative of the portfolio, got "
                + ("an empty list" if serves == [] else describe_input(serves)),
            )
        for k, sid in enumerate(serves):
            if sid not in by_id:
                raise _problem(
                    source,
                    f"{where}.serves[{k}]",
                    f"initiative {describe_input(sid).removeprefix('the text ')} is not in the "
                    f"portfolio{suggest(str(sid), by_id)}",
                )
        if len(set(serves)) != len(serves):
            raise _problem(source, f"{where}.serves", "lists an initiative twice")
        pools.append(SharedPool(pid, size, cost, tuple(serves), focus))

    deps: list[CrossDependency] = []
    raw_deps = data.get("depends_on") or []
    if not isinstance(raw_deps, list) or len(raw_deps) > MAX_DEPENDENCIES:
        raise _problem(
            source, "depends_on", f"expected a list of at most {MAX_DEPENDENCIES} dependencies"
        )
    for k, entry in enumerate(raw_deps):
        where = f"depends_on[{k}]"
        entry = _mapping(entry, where, "{item: grant/status, after: supply/ingest}", source)
        _check_keys(entry, DEPENDENCY_KEYS, f"{where}.", source)
        for key in DEPENDENCY_KEYS:
            if entry.get(key) is None:
                raise _problem(source, f"{where}.{key}", "required")
        item = item_ref(entry["item"], f"{where}.item", by_id, source)
        after = item_ref(entry["after"], f"{where}.after", by_id, source)
        if item.split("/")[0] == after.split("/")[0]:
            raise _problem(
                source,
                where,
                "both items belong to the same initiative: write it as depends_on in its plan",
            )
        deps.append(CrossDependency(item, after))

    sim = data.get("simulation") or {}
    sim = _mapping(sim, "simulation", "{runs: 1000, seed: 42}", source)
    _check_keys(sim, SIMULATION_KEYS, "simulation.", source)
    first = initiatives[0].scenario.simulation
    runs = _whole(sim.get("runs", first.runs), "simulation.runs", 1, MAX_RUNS, source)
    seed = _whole(sim.get("seed", first.seed), "simulation.seed", 0, 2**63 - 1, source)
    portfolio = Portfolio(
        name=name,
        description=description,
        initiatives=tuple(initiatives),
        shared=tuple(pools),
        depends_on=tuple(deps),
        runs=runs,
        seed=seed,
        start_date=min(ini.scenario.start_date for ini in initiatives),
        source=source,
    )
    return check_portfolio(portfolio, source)


def portfolios_dir() -> Path:
    """The bundled portfolio files' folder (``scenarios/portfolios``)."""
    return LIBRARY_DIR / "portfolios"


def portfolio_files(folder: Path | None = None) -> list[Path]:
    """Portfolio files of a folder, sorted by name (the bundled ones by default)."""
    folder = Path(folder) if folder is not None else portfolios_dir()
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")], key=lambda p: p.name)
