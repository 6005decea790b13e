"""``exercise FILE`` (or ``--list``): a training exercise's questions and true answers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulation.cli.options import library_file, progress_of, runs_type, seed_type, workers_type
from simulation.scenario.errors import ScenarioError

if TYPE_CHECKING:  # the exercises are imported when the command runs, not for every command
    from simulation.train.exercises import Exercise, Solution

NAME = "exercise"


def register(sub) -> argparse.ArgumentParser:
    e = sub.add_parser(NAME, help="answer a training exercise's questions, or list the exercises")
    e.add_argument(
        "file", nargs="?", type=library_file, help="an exercise file (scenarios/exercises/*.yaml)"
    )
    e.add_argument("--list", action="store_true", help="list the exercises of a folder")
    e.add_argument(
        "--folder", help="the folder --list reads (default: the library's exercises folder)"
    )
    e.add_argument("--runs", type=runs_type, help="default: the base scenario's")
    e.add_argument("--seed", type=seed_type, help="default: the base scenario's")
    e.add_argument("--workers", type=workers_type, default=None)
    e.add_argument("--json", action="store_true", help="print the answers as JSON")
    return e


def answers_data(ex: Exercise, sol: Solution) -> dict[str, Any]:
    """The ``--json`` output: every question with its true answer (docs/reference/train.md)."""
    return {
        "title": ex.title,
        "file": ex.source,
        "base": ex.base.name,
        "variant": ex.variant.name,
        "changes": ex.change_lines(),
        "runs": sol.runs,
        "seed": sol.seed,
        "answers": dict(sol.answers),
        "questions": [
            {
                "id": q.id,
                "ask": q.ask,
                "metric": q.metric,
                "kind": q.kind,
                **({"of": q.of} if q.kind == "estimate" else {}),
                "answer": sol.answers[q.id],
                "base": sol.base_values[q.id],
                "variant": sol.variant_values[q.id],
            }
            for q in ex.questions
        ],
    }


def command(args) -> int:
    from simulation.train.exercises import (
        EXERCISE_DIR,
        format_answer,
        format_value,
        load_exercise,
        solve,
    )

    if args.list:
        if args.file:
            raise ScenarioError("exercise: give a file or --list, not both")
        return _list(Path(args.folder) if args.folder else EXERCISE_DIR)
    if not args.file:
        raise ScenarioError("exercise: name an exercise file, or use --list")
    ex = load_exercise(args.file)
    sol = solve(
        ex,
        runs=args.runs,
        seed=args.seed,
        workers=args.workers,
        progress=progress_of("solving"),
    )
    if args.json:
        print(json.dumps(answers_data(ex, sol), indent=2))
        return 0
    print(f"{ex.title}  ({ex.source}; {sol.runs:,} runs, seed {sol.seed})")
    print(f"Base     {ex.base.name}")
    print(f"Variant  {ex.variant.name}")
    for line in ex.change_lines():
        print(f"  * {line}")
    width = max(len(q.id) for q in ex.questions)
    for q in ex.questions:
        print(f"\n{q.id:<{width}}  {q.ask}")
        kind = q.metric_kind
        moved = (
            f"{format_value(kind, sol.base_values[q.id])} -> "
            f"{format_value(kind, sol.variant_values[q.id])}"
        )
        print(
            f"{'':<{width}}  answer: {format_answer(q, sol.answers[q.id])}  ({q.metric}: {moved})"
        )
    return 0


def _list(folder: Path) -> int:
    from simulation.train.exercises import list_exercises

    if not folder.is_dir():
        raise ScenarioError("not a folder", source=str(folder))
    rows = list_exercises(folder)
    if not rows:
        print(f"no exercises in {folder}")
        return 0
    width = max(len(r["file"]) for r in rows)
    bad = 0
    for r in rows:
        if r["error"]:
            bad += 1
            print(f"{r['file']:<{width}}  INVALID: {r['error']}")
        else:
            print(f"{r['file']:<{width}}  {r['title']} ({r['questions']} questions)")
    return 2 if bad else 0
