"""Prioritise a session's candidates (docs/reference/decide.md): rank, combine, best set.

:func:`prioritise` simulates the session's base once and every candidate alone
with the base's seeds (one :func:`simulation.compare` call, so replication
``r`` of every scenario sees the same luck), then ranks the candidates from
their paired differences against the base:

A future that never delivers (not closed within the simulated-time cap) counts
as delivering on the cap's last day, :data:`NEVER_DAY`, in every difference
here: the ranking, its confidence, combinations and the best set
(``docs/explanation/never-delivers.md``). So a candidate that never delivers is
very much later, never a ``gain``; ``never_delivers`` counts such futures.

* **verdict** from the signs of the two means: ``gain`` (not later, more NPV),
  ``trade-off`` (later, more NPV), ``saving`` (earlier, less NPV), ``loss``
  (not earlier, less NPV). "Later" and "earlier" mean the mean delivery day
  moves by more than :data:`LATER_DAYS`; "more NPV" means a positive mean Δ NPV.
* **value_per_day** = Δ NPV / Δ mean delivery day for a candidate that is
  later (money per working day of delay: the cost-of-delay idea read
  backwards, what one day of the date buys).
* **rank**: gains by Δ NPV, then trade-offs by value per day, then savings by
  Δ NPV (the least value given up first), then losses by Δ NPV.
* **rank_confidence** (on each row but the last): the share of the paired
  futures in which this candidate ranks above the next one by the same rule,
  applied to that future's own differences (ties count half).

``runs="auto"`` starts with :data:`AUTO_PILOT_RUNS` and adds runs until every
neighbouring pair's order holds in at least :data:`AUTO_SETTLED` of bootstrap
resamples of the futures (or :data:`AUTO_MAX_RUNS` is reached); ``settled``
says how far it got.

:meth:`Prioritisation.combine` runs a set of candidates together and reports the
interaction (combined Δ minus the sum of the single Δs); :meth:`Prioritisation.best_set`
selects greedily under the session's ``constraint``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from simulation.decide.sessions import Session
from simulation.engine import summary as _summary
from simulation.engine.plan import MAX_SIM_DAYS
from simulation.engine.results import Results
from simulation.engine.runner import compare, run, run_many
from simulation.engine.summary import json_number
from simulation.present.text import never_delivers_note
from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario

#: Working days: a mean delivery shift within this is "not later" / "not earlier".
LATER_DAYS = 0.05
#: Verdicts in ranking order, with their meaning.
VERDICTS = {
    "gain": "not later, more NPV",
    "trade-off": "later, more NPV",
    "saving": "earlier, less NPV",
    "loss": "not earlier, less NPV",
}
#: The metrics of a combination (as in ``compare``'s paired differences).
METRICS = tuple(_summary.DELTA_METRICS.values())
TABLE_COLUMNS = [
    "candidate",
    "name",
    "rank",
    "verdict",
    "delivery_days",
    "delivery_days_low",
    "delivery_days_high",
    "p50_days",
    "p85_days",
    "on_time",
    "cost",
    "npv",
    "npv_low",
    "npv_high",
    "outcome",
    "first_value_days",
    "value_per_day",
    "rank_confidence",
    "never_delivers",
]
#: ``runs="auto"``: first pass, cap, and the bootstrap share that counts as settled.
AUTO_PILOT_RUNS = 1_000
AUTO_MAX_RUNS = 8_000
AUTO_SETTLED = 0.95
#: Bootstrap resamples of the futures used to judge whether an order is settled.
BOOTSTRAP_SAMPLES = 400
#: Money: a mean Δ NPV below this does not count as raising NPV (best set).
NPV_TOLERANCE = 0.5
#: Name of the base in the comparison (not a valid candidate id, so never clashes).
BASE = "(base)"
#: Working days: where a future that never delivers counts as delivering (the end of
#: the simulated time, docs/explanation/never-delivers.md).
NEVER_DAY = MAX_SIM_DAYS

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ never delivers
def delivery_days(runs: pd.DataFrame) -> np.ndarray:
    """Each future's delivery day (working days), one that never delivers at :data:`NEVER_DAY`."""
    day = runs["delivery_day"].to_numpy(dtype=float)
    return np.where(runs["delivered"].to_numpy(dtype=bool), day, NEVER_DAY)


def never_delivers(runs: pd.DataFrame) -> int:
    """How many futures of a runs table never deliver the whole scope."""
    return int(len(runs) - runs["delivered"].sum())


def paired_deltas(base: pd.DataFrame, other: pd.DataFrame) -> list[dict[str, Any]]:
    """``compare``'s paired differences ``other - base``, with delivery by :func:`delivery_days`."""
    return _summary.paired_deltas(
        base.assign(delivery_day=delivery_days(base)),
        other.assign(delivery_day=delivery_days(other)),
    )


# ------------------------------------------------------------------ ranking rule
def rank_keys(dday: np.ndarray, dnpv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranking keys for differences against the base: (group, metric), any array shape.

    ``group`` is 0 gain, 1 trade-off, 2 saving, 3 loss (lower ranks first);
    ``metric`` is value per day for trade-offs, Δ NPV otherwise (higher ranks first).
    """
    dday = np.asarray(dday, dtype=float)
    dnpv = np.asarray(dnpv, dtype=float)
    later = dday > LATER_DAYS
    earlier = dday < -LATER_DAYS
    more = dnpv > 0
    group = np.select([~later & more, later & more, earlier & ~more], [0, 1, 2], 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        metric = np.where(group == 1, dnpv / np.where(later, dday, 1.0), dnpv)
    return group, metric


def beats(g1: np.ndarray, m1: np.ndarray, g2: np.ndarray, m2: np.ndarray) -> np.ndarray:
    """Score of "1 ranks above 2": 1 above, 0 below, 0.5 tied (element-wise)."""
    above = (g1 < g2) | ((g1 == g2) & (m1 > m2))
    tied = (g1 == g2) & (m1 == m2)
    return np.where(above, 1.0, np.where(tied, 0.5, 0.0))


def verdict_of(dday: float, dnpv: float) -> str:
    group, _ = rank_keys(np.array([dday]), np.array([dnpv]))
    return list(VERDICTS)[int(group[0])]


# ------------------------------------------------------------------ results
@dataclass
class Combination:
    """Candidates applied together (in file order), paired against the base.

    ``deltas``: metric, mean, ci_low, ci_high (combined minus base, 90% interval);
    ``singles``: metric -> sum of the single candidates' mean Δs;
    ``interaction``: metric -> combined mean Δ minus that sum;
    ``versus``: candidate, metric, mean, ci_low, ci_high (combined minus that
    candidate alone).
    """

    ids: list[str]
    deltas: pd.DataFrame
    singles: dict[str, float]
    interaction: dict[str, float]
    versus: pd.DataFrame
    results: Results = field(repr=False)

    def delta(self, metric: str) -> float:
        return float(self.deltas.set_index("metric").loc[metric, "mean"])

    def summary(self) -> dict[str, Any]:
        """The ``combination`` part of ``prioritise --json``."""
        return {
            "ids": list(self.ids),
            "deltas": {
                r.metric: {
                    "mean": json_number(r.mean),
                    "ci90": [json_number(r.ci_low), json_number(r.ci_high)],
                }
                for r in self.deltas.itertuples()
            },
            "interaction": {k: json_number(v) for k, v in self.interaction.items()},
        }


@dataclass
class Prioritisation:
    """A ranked session: the ``table`` of docs/reference/decide.md and the simulations behind it."""

    session: Session
    runs: int
    seed: int
    results: dict[str, Results] = field(repr=False)
    table: pd.DataFrame
    settled: dict[str, Any] | None = None
    workers: int | None = None
    #: Where combinations and the best-set search run: a Dask scheduler address or
    #: client (None: this machine), as for :func:`simulation.run`.
    scheduler: Any = field(default=None, repr=False)
    #: Paired differences of every candidate against the base: variant (candidate id),
    #: metric, mean, ci_low, ci_high, p05, p95, n (as ``compare``'s).
    deltas: pd.DataFrame | None = field(default=None, repr=False)
    _sets: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict, repr=False)
    #: Simulations of candidate sets already run (combinations, best-set steps), by ids.
    _set_runs: dict[tuple[str, ...], Results] = field(default_factory=dict, repr=False)

    @property
    def base(self) -> Results:
        return self.results[BASE]

    def result(self, cid: str) -> Results:
        """The simulation of candidate ``cid`` alone."""
        self.session.candidate(cid)
        return self.results[cid]

    def ranked_ids(self) -> list[str]:
        return list(self.table["candidate"])

    def never_delivered(self) -> dict[str, int]:
        """Futures that never deliver: the base's (key :data:`BASE`), then each candidate's."""
        return {name: never_delivers(res.runs) for name, res in self.results.items()}

    def never_delivers_note(self) -> str | None:
        """One line saying how many futures never deliver (None when all of them do)."""
        counts = {
            ("the base" if name == BASE else name): n for name, n in self.never_delivered().items()
        }
        return never_delivers_note(counts, self.runs)

    # ------------------------------------------------------------- combinations
    def _ordered(self, ids: Sequence[str]) -> list[str]:
        if isinstance(ids, str):
            ids = [i.strip() for i in ids.split(",") if i.strip()]
        if not ids:
            raise ScenarioError("combine: name at least one candidate")
        wanted = []
        for cid in ids:
            self.session.candidate(cid)
            if cid not in wanted:
                wanted.append(cid)
        return [c for c in self.session.ids() if c in wanted]

    def _simulate_set(self, ids: list[str], progress: Progress | None = None) -> Results:
        if len(ids) == 1:
            return self.results[ids[0]]
        return run(
            self._set_scenario(ids),
            runs=self.runs,
            seed=self.seed,
            workers=self.workers,
            progress=progress,
            scheduler=self.scheduler,
        )

    def _set_scenario(self, ids: list[str]) -> Scenario:
        """The base with candidates ``ids`` applied; ScenarioError if they do not fit."""
        sc = self.session.scenario_of(ids)
        return sc.model_copy(update={"name": f"{self.session.base.name} + {' + '.join(ids)}"})

    def combine(self, ids: Sequence[str], progress: Progress | None = None) -> Combination:
        """Run candidates ``ids`` together against the base and against each alone.

        Raises
        ------
        ScenarioError
            If an id is unknown, or the candidates' changes do not fit together
            (e.g. two of them remove the same item).
        """
        ids = self._ordered(ids)
        res = self.set_results(ids, progress)
        base_runs = self.base.runs
        deltas = pd.DataFrame(paired_deltas(base_runs, res.runs))
        deltas = deltas[["metric", "mean", "ci_low", "ci_high"]]
        singles = {m: 0.0 for m in METRICS}
        rows = []
        for cid in ids:
            one = pd.DataFrame(paired_deltas(base_runs, self.results[cid].runs))
            for r in one.itertuples():
                singles[r.metric] += 0.0 if math.isnan(r.mean) else r.mean
            for r in paired_deltas(self.results[cid].runs, res.runs):
                rows.append(
                    {
                        "candidate": cid,
                        "metric": r["metric"],
                        "mean": r["mean"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                    }
                )
        means = dict(zip(deltas["metric"], deltas["mean"], strict=True))
        interaction = {m: means[m] - singles[m] for m in METRICS}
        self._remember(ids, res)
        return Combination(ids, deltas, singles, interaction, pd.DataFrame(rows), res)

    def set_results(self, ids: Sequence[str], progress: Progress | None = None) -> Results:
        """The simulation of candidates ``ids`` together (the base for none), run once
        and kept: a combination, the accepted set or a best-set step asked again is
        not simulated again."""
        ids = self._ordered(ids) if len(ids) else []
        key = tuple(ids)
        if not key:
            return self.base
        if key not in self._set_runs:
            self._set_runs[key] = self._simulate_set(ids, progress)
        return self._set_runs[key]

    def effect(self, ids: Sequence[str], progress: Progress | None = None) -> dict[str, Any]:
        """What candidates ``ids`` together do against the base (paired, same futures).

        Returns ``ids`` (file order); ``delivery_days`` (mean Δ delivery day),
        ``p50_days`` and ``p85_days`` (Δ P50 / P85 delivery day), working days;
        ``npv``, ``npv_low``, ``npv_high`` (mean Δ NPV and its 90% interval, money);
        ``on_time_probability`` and ``outcome_probability`` (the set's own
        chances) with ``on_time`` and ``outcome`` (their Δ against the base).
        The keys of ``on_time_probability``/``outcome_probability`` are those of a
        session's ``constraint``. An empty ``ids`` is the base (all Δ zero).
        """
        ids = self._ordered(ids) if len(ids) else []
        res = self.set_results(ids, progress)
        base, s = self.base.summary(), res.summary()
        # paired as the ranking: a future that never delivers counts at NEVER_DAY
        # (docs/explanation/never-delivers.md)
        d = {r["metric"]: r for r in paired_deltas(self.base.runs, res.runs)}

        def shift(key: str) -> float:
            a, b = s["delivery"][key], base["delivery"][key]
            return math.nan if a is None or b is None else float(a - b)

        def share(value: Any) -> float:
            return math.nan if value is None else float(value)

        return {
            "ids": list(ids),
            "delivery_days": d["delivery_day"]["mean"],
            "p50_days": shift("p50_day"),
            "p85_days": shift("p85_day"),
            "npv": d["npv"]["mean"],
            "npv_low": d["npv"]["ci_low"],
            "npv_high": d["npv"]["ci_high"],
            "on_time_probability": share(s["delivery"].get("on_time_probability")),
            "on_time": d["on_time"]["mean"],
            "outcome_probability": share(s["value"].get("outcome_probability")),
            "outcome": d["outcome"]["mean"],
        }

    def left_out(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Why each candidate outside the best set was left out.

        ``steps`` is :meth:`best_set`'s answer. Its last step tried every other
        candidate added to the final set; each is left out for one reason:
        ``"constraint"`` (the set with it breaks the session's constraint:
        ``broken`` lists ``(key, value, floor)``), ``"value"`` (it raises mean NPV
        by no more than :data:`NPV_TOLERANCE`) or ``"fit"`` (its changes do not
        fit the set). Each entry: ``id``, ``reason``, ``broken`` and ``point``
        (the set with it, as in ``steps``; None when it does not fit), in file order.
        """
        final = steps[-1]
        chosen = list(final["ids"])
        out = []
        for cid in self.session.ids():
            if cid in chosen:
                continue
            point = self._sets.get(tuple(self._ordered([*chosen, cid])))
            if point is None:
                out.append({"id": cid, "reason": "fit", "broken": [], "point": None})
                continue
            broken = [
                (key, point[key], floor)
                for key, floor in self.session.constraint.items()
                if point[key] < floor - 1e-12
            ]
            reason = "constraint" if broken else "value"
            out.append({"id": cid, "reason": reason, "broken": broken, "point": point})
        return out

    def _remember(self, ids: list[str], res: Results) -> dict[str, Any]:
        key = tuple(ids)
        if key not in self._sets:
            base = self.base.runs
            r = res.runs
            self._sets[key] = {
                "ids": list(ids),
                # paired, as the ranking: a future that never delivers counts at NEVER_DAY
                "delivery_days": float(np.mean(delivery_days(r) - delivery_days(base))),
                "npv": float(r["npv"].mean() - base["npv"].mean()),
                "on_time_probability": float(r["on_time"].mean()),
                "outcome_probability": float(r["outcome_reached"].mean()),
                "never_delivers": never_delivers(r),
            }
        return self._sets[key]

    def meets(self, point: dict[str, Any]) -> bool:
        """Whether a set's probabilities keep the session's constraint."""
        return all(point[key] >= floor - 1e-12 for key, floor in self.session.constraint.items())

    def best_set(self, progress: Progress | None = None) -> list[dict[str, Any]]:
        """Greedy forward selection under the session's constraint.

        Starting from the base (the empty set, the first entry), each step adds
        the candidate that raises mean NPV most while the set still meets
        ``constraint``; it stops when no candidate does. Candidates whose
        changes do not fit the set so far are skipped. Each entry: ``ids``,
        ``delivery_days`` and ``npv`` (mean Δ against the base, working days
        and money), ``on_time_probability``, ``outcome_probability``,
        ``never_delivers`` (futures), ``meets_constraint``.
        """
        start = self._remember([], self.base)
        steps = [{**start, "meets_constraint": self.meets(start)}]
        chosen: list[str] = []
        current = start
        todo = len(self.session.candidates)
        evaluated = 0
        while True:
            best = None
            remaining = [c for c in self.session.ids() if c not in chosen]
            planned = max(todo * (todo + 1) // 2, evaluated + len(remaining))

            def step(sets_done: int, before: int = evaluated, planned: int = planned) -> None:
                if progress:
                    progress(before + sets_done, planned)

            fits = self._simulate_step([self._ordered([*chosen, cid]) for cid in remaining], step)
            evaluated += len(fits)
            if progress:
                progress(evaluated, max(evaluated, planned))
            for ids in fits:
                key = tuple(ids)
                point = self._sets[key]
                if not self.meets(point) or point["npv"] <= current["npv"] + NPV_TOLERANCE:
                    continue
                if best is None or point["npv"] > best["npv"]:
                    best = point
            if best is None:
                break
            chosen = list(best["ids"])
            current = best
            steps.append({**best, "meets_constraint": True})
        return steps

    def _simulate_step(
        self, sets: list[list[str]], progress: Callable[[int], None] | None = None
    ) -> list[list[str]]:
        """Simulate the sets of one best-set step not seen yet, together (on a cluster all
        their chunks at once); returns the sets whose changes fit, in order.

        ``progress(sets_done)`` counts the simulated sets, from the runs done.
        """
        fits, todo = [], {}
        for ids in sets:
            key = tuple(ids)
            if key not in self._sets and len(ids) > 1:
                try:
                    todo[key] = self._set_scenario(ids)
                except ScenarioError:
                    continue  # these changes do not fit together
            fits.append(ids)
        if todo:
            names = {" + ".join(k): k for k in todo}

            def runs_done(done: int, total: int) -> None:
                if progress:
                    progress(done * len(todo) // max(total, 1))

            done = run_many(
                {n: todo[k] for n, k in names.items()},
                self.runs,
                self.seed,
                workers=self.workers,
                progress=runs_done,
                scheduler=self.scheduler,
            )
            for n, key in names.items():
                self._remember(list(key), done[n])
                self._set_runs[key] = done[n]
        for ids in fits:
            if len(ids) == 1:
                self._remember(ids, self.results[ids[0]])
        return fits

    # ------------------------------------------------------------------- output
    def candidates_json(self) -> list[dict[str, Any]]:
        out = []
        for r in self.table.itertuples():
            out.append(
                {
                    "id": r.candidate,
                    "name": r.name,
                    "rank": int(r.rank),
                    "verdict": r.verdict,
                    "delivery_days": {
                        "mean": json_number(r.delivery_days),
                        "ci90": [
                            json_number(r.delivery_days_low),
                            json_number(r.delivery_days_high),
                        ],
                    },
                    "p50_days": json_number(r.p50_days),
                    "p85_days": json_number(r.p85_days),
                    "on_time": json_number(r.on_time),
                    "cost": json_number(r.cost),
                    "npv": {
                        "mean": json_number(r.npv),
                        "ci90": [json_number(r.npv_low), json_number(r.npv_high)],
                    },
                    "outcome": json_number(r.outcome),
                    "first_value_days": json_number(r.first_value_days),
                    "value_per_day": json_number(r.value_per_day),
                    "rank_confidence": json_number(r.rank_confidence),
                    "never_delivers": int(r.never_delivers),
                }
            )
        return out

    def summary(
        self, combination: Combination | None = None, best: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """``prioritise --json`` (docs/reference/decide.md)."""
        out: dict[str, Any] = {
            "session": self.session.name,
            "base": self.base.summary(),
            "runs": self.runs,
            "seed": self.seed,
            "candidates": self.candidates_json(),
        }
        if self.settled is not None:
            out["settled"] = self.settled
        if combination is not None:
            out["combination"] = combination.summary()
        if best is not None:
            out["best_set"] = [
                {
                    "ids": s["ids"],
                    "delivery_days": json_number(s["delivery_days"]),
                    "npv": json_number(s["npv"]),
                    "on_time_probability": json_number(s["on_time_probability"]),
                    "never_delivers": int(s["never_delivers"]),
                }
                for s in best
            ]
        return out


# ------------------------------------------------------------------ prioritise
def _differences(results: dict[str, Results], ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per-future Δ delivery day and Δ NPV against the base: arrays (runs, candidates).

    A future that never delivers counts as delivering on :data:`NEVER_DAY`.
    """
    base = results[BASE].runs
    day0 = delivery_days(base)
    npv0 = base["npv"].to_numpy(dtype=float)
    dday = np.column_stack([delivery_days(results[c].runs) - day0 for c in ids])
    dnpv = np.column_stack([results[c].runs["npv"].to_numpy(dtype=float) - npv0 for c in ids])
    return dday, dnpv


def _order(dday: np.ndarray, dnpv: np.ndarray) -> list[int]:
    """Candidate columns in ranking order, from their mean differences (ties: file order)."""
    group, metric = rank_keys(dday.mean(axis=0), dnpv.mean(axis=0))
    return sorted(range(len(group)), key=lambda j: (group[j], -metric[j], j))


def order_confidence(
    dday: np.ndarray,
    dnpv: np.ndarray,
    order: list[int],
    seed: int,
    samples: int = BOOTSTRAP_SAMPLES,
) -> np.ndarray:
    """For each neighbouring pair in ``order``: the share of bootstrap resamples of the
    futures (paired: whole futures are resampled) in which their mean order holds."""
    n = dday.shape[0]
    if len(order) < 2:
        return np.array([])
    rng = np.random.default_rng([seed, 8])
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=samples) / n  # (samples, n)
    day = weights @ dday
    npv = weights @ dnpv
    g, m = rank_keys(day, npv)
    hi, lo = np.array(order[:-1]), np.array(order[1:])
    return beats(g[:, hi], m[:, hi], g[:, lo], m[:, lo]).mean(axis=0)


def _table(session: Session, results: dict[str, Results], deltas: pd.DataFrame) -> pd.DataFrame:
    ids = session.ids()
    dday, dnpv = _differences(results, ids)
    order = _order(dday, dnpv)
    g, m = rank_keys(dday, dnpv)
    base = results[BASE].summary()
    d = deltas.set_index(["variant", "metric"])
    rows = []
    for rank, j in enumerate(order, start=1):
        cand = session.candidates[j]
        s = results[cand.id].summary()

        def delta(metric: str, col: str = "mean", cid: str = cand.id) -> float:
            return float(d.loc[(cid, metric), col])

        def shift(section: str, key: str, s: dict = s) -> float:
            a, b = s[section][key], base[section][key]
            return math.nan if a is None or b is None else a - b

        mean_day, mean_npv = delta("delivery_day"), delta("npv")
        if rank < len(order):
            nxt = order[rank]
            conf = float(beats(g[:, j], m[:, j], g[:, nxt], m[:, nxt]).mean())
        else:
            conf = math.nan
        rows.append(
            {
                "candidate": cand.id,
                "name": cand.name,
                "rank": rank,
                "verdict": verdict_of(mean_day, mean_npv),
                "delivery_days": mean_day,
                "delivery_days_low": delta("delivery_day", "ci_low"),
                "delivery_days_high": delta("delivery_day", "ci_high"),
                "p50_days": shift("delivery", "p50_day"),
                "p85_days": shift("delivery", "p85_day"),
                "on_time": delta("on_time"),
                "cost": delta("cost"),
                "npv": mean_npv,
                "npv_low": delta("npv", "ci_low"),
                "npv_high": delta("npv", "ci_high"),
                "outcome": delta("outcome"),
                "first_value_days": shift("value", "first_value_day_p50"),
                "value_per_day": mean_npv / mean_day if mean_day > LATER_DAYS else math.nan,
                "rank_confidence": conf,
                "never_delivers": never_delivers(results[cand.id].runs),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _simulate(
    session: Session,
    runs: int,
    seed: int,
    workers: int | None,
    progress: Progress | None,
    scheduler: Any = None,
) -> tuple[dict[str, Results], pd.DataFrame]:
    """The base (simulated once) and every candidate alone, in one comparison."""
    scenarios = {BASE: session.base}
    for c in session.candidates:
        sc = session.scenario_of([c.id])
        scenarios[c.id] = sc.model_copy(update={"name": f"{session.base.name} + {c.id}"})
    cmp = compare(
        scenarios, runs=runs, seed=seed, workers=workers, progress=progress, scheduler=scheduler
    )
    # compare's differences leave out futures that never deliver; here they count.
    base = cmp.results[BASE].runs
    rows = [
        {"variant": c.id, **r}
        for c in session.candidates
        for r in paired_deltas(base, cmp.results[c.id].runs)
    ]
    return cmp.results, pd.DataFrame(rows, columns=list(cmp.deltas.columns))


def prioritise(
    session: Session,
    runs: int | str | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
) -> Prioritisation:
    """Rank a session's candidates, each alone against the base (docs/reference/decide.md).

    Parameters
    ----------
    session : Session
        From :func:`simulation.load_session` (or built in code).
    runs : int or "auto", optional
        Replications of every scenario; default the base's ``simulation.runs``.
        ``"auto"``: see the module docstring (``settled`` reports the outcome).
    seed : int, optional
        Base seed; default the base's ``simulation.seed``. Every candidate uses it.
    workers : int, optional
        As for :func:`simulation.run`.
    progress : callable, optional
        ``progress(futures_done, futures_total)`` over all the scenarios.
    scheduler : str or distributed.Client, optional
        As for :func:`simulation.run`: the base and every candidate go to the
        cluster together; combinations and each best-set step run there too.

    Returns
    -------
    Prioritisation
        ``table`` sorted by rank; ``combine(ids)``; ``best_set()``.
    """
    runs = session.base.simulation.runs if runs is None else runs
    seed = session.base.simulation.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed: must be a whole number >= 0, got {seed!r}")
    seed = int(seed)
    if runs != "auto":
        results, deltas = _simulate(session, runs, seed, workers, progress, scheduler)
        return Prioritisation(
            session,
            int(results[BASE].n_runs),
            seed,
            results,
            _table(session, results, deltas),
            workers=workers,
            deltas=deltas,
            scheduler=scheduler,
        )
    n = AUTO_PILOT_RUNS
    while True:

        def sub(done: int, total: int, n: int = n) -> None:
            if progress:
                progress(done, max(total, int(total * AUTO_MAX_RUNS / n) // 4))

        results, deltas = _simulate(session, n, seed, workers, sub, scheduler)
        dday, dnpv = _differences(results, session.ids())
        order = _order(dday, dnpv)
        conf = order_confidence(dday, dnpv, order, seed)
        lowest = float(conf.min()) if len(conf) else 1.0
        if lowest >= AUTO_SETTLED or n >= AUTO_MAX_RUNS:
            break
        n = _next_runs(n, lowest)
    if progress:
        total = n * (len(session.candidates) + 1)
        progress(total, total)
    settled = {
        "runs": n,
        "pairs": len(conf),
        "settled_pairs": int((conf >= AUTO_SETTLED).sum()),
        "lowest_order_confidence": round(lowest, 4),
        "target": AUTO_SETTLED,
        "converged": lowest >= AUTO_SETTLED,
    }
    return Prioritisation(
        session,
        n,
        seed,
        results,
        _table(session, results, deltas),
        settled=settled,
        workers=workers,
        deltas=deltas,
        scheduler=scheduler,
    )


def _next_runs(n: int, confidence: float) -> int:
    """Runs for the next pass: enough to settle the least settled pair if its mean
    difference holds (its z grows with the square root of the runs), at least
    double, rounded up to whole thousands, at most the cap."""
    z_now = NormalDist().inv_cdf(min(max(confidence, 0.55), 0.999))
    z_target = NormalDist().inv_cdf(AUTO_SETTLED)
    wanted = n * (z_target / z_now) ** 2 * 1.2
    step = max(2 * n, math.ceil(wanted / 1000) * 1000)
    return min(step, AUTO_MAX_RUNS)
