"""What drives the forecast: sensitivity of the two lenses and the criticality index.

See docs/reference/drivers-and-report.md. Both come from the runs already simulated, never
from extra runs:

* **Sensitivity**: for every uncertain input (each item's drawn effort, each risk
  fired or not, the number of scope-creep requests, each item's misfit) the
  Spearman rank correlation, over the futures, with the delivery day and with
  NPV. A rank correlation, not a linear one: it asks "do futures where this input
  is larger deliver later?", whatever the shape of the relation, and a few huge
  draws cannot dominate it.
* **Criticality index**: per item, the share of futures in which the item lies on
  the chain that set the delivery day. The chain starts at the scope item that
  went live last and walks back through what released each item's start: the
  dependency that finished last, or the item whose person it took over,
  whichever finished later. An item started by neither (at the start, after a
  blocker, when it joined the backlog) ends the chain.

The engine records what this needs (:func:`critical_jobs` per replication and
:func:`drawn_inputs` per chunk, called by :func:`simulation.engine.runner.simulate_chunk`);
:class:`simulation.engine.results.Results` keeps them beside its tables, so the golden
runs and items tables are unchanged.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.engine.model.job import OVERHEAD

if TYPE_CHECKING:  # annotations only; pandas is imported by the statistics (the
    # recording side runs in every chunk, which needs no pandas without tables)
    import pandas as pd

    from simulation.engine.model.job import Job
    from simulation.engine.plan import Draws, Plan
    from simulation.engine.results import Results

#: Input kinds, in the order a tie is listed.
EFFORT, RISK, CREEP, MISFIT = "effort", "risk", "creep", "misfit"
#: The drawn-input key of the number of scope-creep requests in a run.
CREEP_REQUESTS = f"{CREEP}:requests"
#: How many inputs a tornado shows per lens by default.
TOP_INPUTS = 10
#: A correlation counts as a driver only if it is this many standard errors from 0.
NOISE_SE = 2.0
_LIVE_DONE = attrgetter("live", "done")


# ------------------------------------------------------------ recording (engine side)
def released_by(job: Job, by_id: dict[str, Job]) -> Job | None:
    """The item whose finish released ``job``'s start, or None.

    Candidates: the dependency that finished last and the item the job's person
    finished just before (``job.after``). The later of the two held the start
    back; on a tie the dependency is named (the network, not the staffing,
    is the reason).
    """
    best = None
    for dep_id in job.deps:
        dep = by_id.get(dep_id)
        if dep is not None and dep.state == "done" and (best is None or dep.done > best.done):
            best = dep
    prev = job.after
    if prev is not None and (best is None or prev.done > best.done):
        best = prev
    return best


def critical_jobs(
    jobs: list[Job], by_id: dict[str, Job], delivered: bool, last_done: Job | None = None
) -> list[Job]:
    """Mark the items on the chain that set one replication's delivery day.

    Sets ``critical`` on each of them (the runner reads it with the rest of the
    item's row: no extra pass over the items) and returns them, last first.

    Parameters
    ----------
    jobs : list of Job
        Every item of the replication (``Replication.jobs``).
    by_id : dict
        The file's items by id (``Replication.by_id``), to find dependencies.
    delivered : bool
        Whether the replication closed; an open one has no delivery day, no chain.
    last_done : Job, optional
        The scope item that finished last (``Replication.last_scope_done``): a
        shortcut for the start of the chain, see below.

    Returns
    -------
    list of Job
        Empty when not delivered or nothing was built.
    """
    if not delivered:
        return []
    # The chain starts at the scope item live last (ties: done last; under big bang all
    # go live at launch). Go-live never comes before done and keeps the order of done
    # days for everything but change control (live when done, not at a release), so
    # the item done last is that item unless it is change control: only then scan.
    if last_done is not None and last_done.source != OVERHEAD:
        last = last_done
    else:
        done = [j for j in jobs if j.scope and j.state == "done"]
        if not done:
            return []
        last = max(done, key=_LIVE_DONE)
    chain: list[Job] = []
    while last is not None and not last.critical:
        last.critical = True
        chain.append(last)
        last = released_by(last, by_id)
    return chain


def drawn_inputs(plan: Plan, draws: Draws) -> dict[str, np.ndarray]:
    """The per-replication random inputs a chunk saw, one array (rows = runs) per input.

    Keys are ``effort:ID`` (the drawn effort with its rework rounds, person-days),
    ``misfit:ID`` (1.0 when the item misfits) and ``risk:ID`` (1.0 when it fires).
    The number of creep requests varies by run and is counted from the items
    table instead (see :func:`input_table`).
    """
    out: dict[str, np.ndarray] = {}
    work = draws.effort * (1.0 + plan.rework_fraction * draws.rework)
    for s in plan.specs:
        out[f"{EFFORT}:{s.id}"] = work[:, s.index]
    for s in plan.specs:
        out[f"{MISFIT}:{s.id}"] = draws.misfit[:, s.index].astype(float)
    for j, risk in enumerate(plan.risks):
        out[f"{RISK}:{risk.id}"] = draws.risk_fires[:, j].astype(float)
    return out


# ----------------------------------------------------------------- statistics
def input_table(res: Results) -> pd.DataFrame:
    """Every uncertain input per run (one row per run, in the runs table's order)."""
    import pandas as pd

    inputs = pd.DataFrame(res.inputs) if res.inputs is not None else pd.DataFrame()
    if res.scenario.scope.creep is not None and CREEP_REQUESTS not in inputs:
        # Counted from the items table (a run that kept only the runs table
        # counted them per run already). Runs are numbered 0..n-1 in order, so
        # a bincount lines up with the runs table.
        items = res.items
        runs = res.runs["run"].to_numpy()
        creep_rows = items["run"].to_numpy()[np.asarray(items["source"] == "creep")]
        inputs[CREEP_REQUESTS] = np.bincount(creep_rows, minlength=len(runs))[runs]
    return inputs.reset_index(drop=True)


def spearman(x: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each column of ``x`` with ``y`` (ties: average ranks).

    A NaN in ``y`` (a future that never delivered) ranks after every number.
    A constant column gets NaN (no correlation is defined).
    """
    import pandas as pd

    y = np.where(np.isnan(y), np.inf, np.asarray(y, dtype=float))
    ry = pd.Series(y).rank(method="average").to_numpy()
    rx = x.rank(method="average").to_numpy(dtype=float)
    rx = rx - rx.mean(axis=0)
    ry = ry - ry.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (rx * ry[:, None]).sum(axis=0) / np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
    return np.where(np.isfinite(rho), rho, np.nan)


def _labels(res: Results) -> tuple[dict[str, str], dict[str, str]]:
    """Input key -> its chart label ("Effort: Data ingest"), and -> its item or risk name."""
    sc = res.scenario
    items = {it.id: it.label for it in sc.items}
    items.update({it.id: it.label for ch in sc.scope.changes for it in ch.add})
    risks = {r.id: r.label for r in sc.risks}
    labels = {CREEP_REQUESTS: "Scope-creep requests"}
    names = {CREEP_REQUESTS: "scope creep"}
    for iid, label in items.items():
        labels[f"{EFFORT}:{iid}"] = f"Effort: {label}"
        labels[f"{MISFIT}:{iid}"] = f"Misfit: {label}"
        names[f"{EFFORT}:{iid}"] = names[f"{MISFIT}:{iid}"] = label
    for rid, label in risks.items():
        labels[f"{RISK}:{rid}"] = f"Risk: {label}"
        names[f"{RISK}:{rid}"] = label
    return labels, names


def sensitivity(res: Results) -> pd.DataFrame:
    """Spearman rank correlation of every uncertain input with delivery day and NPV.

    Parameters
    ----------
    res : Results
        A simulated scenario (its recorded inputs; no extra runs).

    Returns
    -------
    DataFrame
        One row per input that varied: ``input`` (in words), ``kind`` (effort,
        risk, creep, misfit), ``id`` (the item or risk id), ``delivery_rho``,
        ``npv_rho`` (from -1 to 1) and ``se`` (the standard error of a
        correlation of 0 over these runs, 1/sqrt(n - 1): smaller than about
        twice that, a correlation is noise). Ordered by the larger of the two
        magnitudes, largest first.
    """
    import pandas as pd

    cols = ["input", "kind", "id", "name", "delivery_rho", "npv_rho", "se"]
    x = input_table(res)
    n = len(res.runs)
    if x.empty or n < 3:
        return pd.DataFrame(columns=cols)
    varied = x.columns[x.nunique() > 1]
    x = x[varied]
    if x.empty:
        return pd.DataFrame(columns=cols)
    labels, names = _labels(res)
    kinds, ids = zip(*(c.split(":", 1) for c in x.columns), strict=True)
    out = pd.DataFrame(
        {
            "input": [labels.get(c, c) for c in x.columns],
            "kind": list(kinds),
            "id": list(ids),
            "name": [names.get(c, c) for c in x.columns],
            "delivery_rho": spearman(x, res.runs["delivery_day"].to_numpy(dtype=float)),
            "npv_rho": spearman(x, res.runs["npv"].to_numpy(dtype=float)),
            "se": 1.0 / math.sqrt(n - 1),
        }
    )
    strength = np.fmax(out["delivery_rho"].abs(), out["npv_rho"].abs()).fillna(0.0)
    order = np.argsort(-strength.to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)[cols]


def criticality(res: Results) -> pd.DataFrame:
    """Per item, the share of futures in which it lies on the chain that set the date.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``criticality`` (0 to 1; of all runs, undelivered ones
        count as 0), largest first, then in the order items first appear.
    """
    import pandas as pd

    cols = ["id", "name", "criticality"]
    items = res.items
    if res.critical is None or items.empty:
        return pd.DataFrame(columns=cols)
    on = pd.DataFrame(
        {
            "id": items["id"].astype(str),
            "name": items["name"].astype(str),
            "critical": res.critical,
        }
    )
    g = on.groupby("id", sort=False)
    # An id appears at most once per run for the file's items; engine items
    # (creep-3, fix-x) may repeat a name but not an id within a run.
    out = pd.DataFrame(
        {"name": g["name"].first(), "criticality": g["critical"].sum() / max(len(res.runs), 1)}
    ).reset_index()
    out = out.sort_values("criticality", ascending=False, kind="stable")
    return out.reset_index(drop=True)[cols]


# ---------------------------------------------------------------------- words
#: Each kind of input in words ({} is the item's or risk's name), and what "more" means.
_PHRASE = {
    EFFORT: "the effort of {}",
    RISK: "whether the risk “{}” fires",
    CREEP: "the number of scope-creep requests",
    MISFIT: "whether {} misfits",
}
_MORE = {
    EFFORT: "it takes more effort",
    RISK: "it fires",
    CREEP: "more requests arrive",
    MISFIT: "it misfits",
}
_LENS = {"delivery": ("date", "later", "earlier"), "npv": ("value", "more", "less")}


def top_driver(sens: pd.DataFrame, lens: str) -> dict[str, Any] | None:
    """The input that moves ``lens`` (``"delivery"`` or ``"npv"``) most, if any stands out."""
    col = f"{lens}_rho"
    if sens.empty or sens[col].isna().all():
        return None
    row = sens.loc[sens[col].abs().idxmax()]
    if abs(row[col]) < NOISE_SE * row["se"]:
        return None
    return {
        "input": row["input"],
        "kind": row["kind"],
        "id": row["id"],
        "name": row["name"],
        "rho": float(row[col]),
    }


def driver_sentence(sens: pd.DataFrame, lens: str) -> str:
    """One sentence naming the top driver of the date (``"delivery"``) or the value (``"npv"``)."""
    what, up, down = _LENS[lens]
    top = top_driver(sens, lens)
    if top is None:
        return (
            f"No single uncertain input stands out for the {what}: none is correlated "
            "beyond the noise of this many runs."
        )
    rho = top["rho"]
    direction = up if rho > 0 else down
    if lens == "npv":
        direction = "are worth " + ("more" if rho > 0 else "less")
    else:
        direction = f"deliver {direction}"
    phrase = _PHRASE[top["kind"]].format(top["name"])
    return (
        f"What moves the {what} most: {phrase} (rank correlation {rho:+.2f}); "
        f"futures where {_MORE[top['kind']]} {direction}."
    )
