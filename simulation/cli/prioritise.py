"""``prioritise SESSION``: rank a session's candidates against its base, combine
them, pick the best set (the Decide job)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulation.cli.options import add_run_options, library_file, progress_of, scheduler_of
from simulation.engine.summary import RESULT_LABELS
from simulation.present.csv import write_frame
from simulation.present.text import never_delivers_note
from simulation.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from simulation.decide.prioritise import Combination, Prioritisation

NAME = "prioritise"


def register(sub):
    pr = sub.add_parser(NAME, help="rank a session's candidates against its base")
    pr.add_argument(
        "session",
        type=library_file,
        help="a session file, e.g. scenarios/sessions/supply-chain-q2.yaml",
    )
    add_run_options(pr)
    pr.add_argument("--json", action="store_true")
    pr.add_argument("--combine", metavar="ID,ID,...", help="also run these candidates together")
    pr.add_argument("--best", action="store_true", help="also select the best set greedily")
    pr.add_argument("--out", metavar="DIR", help="write ranking.csv here")
    return pr


def _f(x: Any, spec: str) -> str:
    if x is None:
        return "-"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "-" if x != x else format(x, spec)


def format_ranking(pr: Prioritisation) -> str:
    """The ranking as a plain-text table, best first."""
    lines = [
        f"{pr.session.name}: {len(pr.table)} candidates against "
        f"'{pr.session.base.name}' ({pr.runs:,} runs each, seed {pr.seed}, "
        "common random numbers)",
        "",
    ]
    head = (
        f"{'#':>2}  {'candidate':<20} {'verdict':<9} {'Δ delivery (90% CI)':>24} "
        f"{'Δ NPV (90% CI)':>32} {'NPV/day':>9} {'Δ on time':>9} {'conf.':>5}"
    )
    lines.append(head)
    for r in pr.table.itertuples():
        day = (
            f"{_f(r.delivery_days, '+.1f')} [{_f(r.delivery_days_low, '+.1f')}, "
            f"{_f(r.delivery_days_high, '+.1f')}]"
        )
        npv = f"{_f(r.npv, '+,.0f')} [{_f(r.npv_low, '+,.0f')}, {_f(r.npv_high, '+,.0f')}]"
        lines.append(
            f"{r.rank:>2}  {r.candidate[:20]:<20} {r.verdict:<9} {day:>24} {npv:>32} "
            f"{_f(r.value_per_day, ',.0f'):>9} {_f(r.on_time, '+.0%'):>9} "
            f"{_f(r.rank_confidence, '.0%'):>5}"
        )
    lines += [
        "",
        "Δ = candidate minus base, paired over the same futures (delivery in working "
        "days). NPV/day = Δ NPV per working day of delay. conf. = share of futures in "
        "which this candidate ranks above the next one.",
    ]
    note = pr.never_delivers_note()
    if note:
        lines.append(note)
    if pr.settled is not None:
        s = pr.settled
        word = "settled" if s["converged"] else "NOT settled (run cap reached)"
        lines.append(
            f"runs=auto: order {word}: {s['settled_pairs']} of {s['pairs']} "
            f"neighbouring pairs hold in >= {s['target']:.0%} of resamples after "
            f"{s['runs']:,} runs (lowest {s['lowest_order_confidence']:.0%})."
        )
    return "\n".join(lines)


def format_combination(c: Combination) -> str:
    from simulation.decide.prioritise import never_delivers

    lines = [
        f"\nCombined: {' + '.join(c.ids)} (against the base; interaction = combined "
        "minus the sum of the singles)"
    ]
    note = never_delivers_note({"together": never_delivers(c.results.runs)}, c.results.n_runs)
    if note:
        lines.append(f"  {note}")
    for r in c.deltas.itertuples():
        pct = r.metric in ("on_time", "outcome")
        spec = "+.1%" if pct else "+,.1f"
        lines.append(
            f"  {RESULT_LABELS.get(r.metric, r.metric):<28} {_f(r.mean, spec):>12} "
            f"[{_f(r.ci_low, spec)}, {_f(r.ci_high, spec)}]   sum of singles "
            f"{_f(c.singles[r.metric], spec):>10}   interaction "
            f"{_f(c.interaction[r.metric], spec):>10}"
        )
    return "\n".join(lines)


def format_best(steps: list[dict[str, Any]], constraint: dict[str, float]) -> str:
    rule = ", ".join(f"{k} >= {v:g}" for k, v in constraint.items()) or "no constraint"
    lines = [f"\nBest set (greedy, {rule}):"]
    for s in steps:
        ids = " + ".join(s["ids"]) or "(base)"
        never = s.get("never_delivers", 0)
        lines.append(
            f"  {ids:<50} Δ delivery {_f(s['delivery_days'], '+.1f'):>7}   "
            f"Δ NPV {_f(s['npv'], '+,.0f'):>10}   on time "
            f"{_f(s['on_time_probability'], '.0%'):>4}"
            + (f"   never delivers in {never:,} futures" if never else "")
        )
    return "\n".join(lines)


def write_ranking(pr: Prioritisation, out: Path) -> None:
    """``ranking.csv`` in ``out`` (created if needed); ScenarioError naming ``--out``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_frame(pr.table, out / "ranking.csv")
    except OSError as exc:
        raise ScenarioError(
            f"--out: cannot write ranking.csv to '{out}': {exc.strerror or exc}"
        ) from None


def command(args) -> int:
    from simulation.decide.prioritise import prioritise
    from simulation.decide.sessions import load_session

    scheduler, progress = scheduler_of(args), progress_of("simulating")
    ses = load_session(args.session)
    combo_ids = None
    if args.combine:
        combo_ids = [i.strip() for i in args.combine.split(",") if i.strip()]
        for cid in combo_ids:  # before any simulation: a typo costs nothing
            try:
                ses.candidate(cid)
            except ScenarioError as exc:
                raise ScenarioError(f"--combine: {exc}") from None
        ses.scenario_of(combo_ids)
    pr = prioritise(
        ses,
        runs=args.runs,
        seed=args.seed,
        workers=args.workers,
        progress=progress,
        scheduler=scheduler,
    )
    combination = pr.combine(combo_ids) if combo_ids else None
    best = pr.best_set() if args.best else None
    if args.out:
        write_ranking(pr, Path(args.out))
    if args.json:
        print(json.dumps(pr.summary(combination, best), indent=2))
        return 0
    print(format_ranking(pr))
    if combination is not None:
        print(format_combination(combination))
    if best is not None:
        print(format_best(best, ses.constraint))
    if args.out:
        print(f"\nRanking written to {args.out}/ranking.csv")
    return 0
