"""``sequence FILE``: the order to build the unstarted items in, by mean NPV, against CD3
(``docs/reference/sequencing.md``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from simulation.cli.options import library_file, runs_type, seed_type, split_list
from simulation.present import formats
from simulation.present.sentences import PLAIN, best_order_sentence
from simulation.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from simulation.decide.sequencing import Sequencing

NAME = "sequence"


def register(sub):
    p = sub.add_parser(NAME, help="find the order to build the items in (best mean NPV)")
    p.add_argument("file", type=library_file, help="a scenario or variant file")
    p.add_argument(
        "--items", metavar="ID,ID,...", help="order only these items (default: every one)"
    )
    p.add_argument("--runs", type=runs_type, help="futures per ranked order")
    p.add_argument("--seed", type=seed_type)
    p.add_argument("--workers", type=int, default=None, help="processes (default: auto)")
    p.add_argument("--json", action="store_true", help="print the orders as JSON")
    return p


def format_sequencing(s: Sequencing) -> str:
    """The ranked orders as a plain-text table, best first, and the sentence against CD3."""
    how = "every order" if s.method == "exhaustive" else "the CD3 order improved by pairwise swaps"
    lines = [
        f"{s.scenario.name}: the order to build {len(s.items)} items in "
        f"({s.tried:,} orders tried: {how}; {s.runs:,} runs each, seed {s.seed}, "
        "common random numbers)",
        "",
        f"{'#':>2}  {'order':<52} {'mean NPV':>9} {'vs best':>8} {'P50 delivery':>13} "
        f"{'P85 delivery':>13} {'beats CD3':>9}",
    ]
    for r in s.table.itertuples():
        mark = " (CD3)" if r.cd3 else ""
        mark += " (current)" if r.current else ""
        order = " > ".join(r.order)
        if len(order) + len(mark) > 52:
            order = order[: 51 - len(mark)] + "…"
        order += mark
        lines.append(
            f"{r.rank:>2}  {order[:52]:<52} {formats.money(r.npv_mean):>9} "
            f"{formats.money(r.npv_vs_best, signed=True):>8} "
            f"{formats.date(r.delivery_p50_date):>13} {formats.date(r.delivery_p85_date):>13} "
            f"{formats.pct(r.beats_cd3):>9}"
        )
    best, cd3 = s.table.iloc[0], s.row(s.cd3)
    label = s.scenario.item
    lines += [
        "",
        best_order_sentence(
            [label(i).label for i in s.best],
            best.npv_mean,
            [label(i).label for i in s.cd3],
            cd3.npv_mean,
            s.best_beats_share,
            s.best_behind_share,
            PLAIN,
        ),
        "vs best = mean NPV difference from the best order over the same futures; "
        "beats CD3 = share of futures in which that order's NPV is higher than the CD3 order's.",
    ]
    return "\n".join(lines)


def command(args) -> int:
    from simulation.decide.sequencing import best_order, check_items
    from simulation.scenario.loading import load_scenario

    sc = load_scenario(args.file)
    items = split_list(args.items)
    if items is not None:
        try:  # before any simulation: a typo costs nothing
            check_items(sc, items)
        except ScenarioError as exc:
            raise ScenarioError(f"--items: {exc}") from None
    s = best_order(
        sc,
        items=items,
        runs=args.runs,
        seed=args.seed,
        workers=args.workers,
    )
    if args.json:
        print(json.dumps(s.summary(), indent=2))
    else:
        print(format_sequencing(s))
    return 0
