"""``track STATUS``: re-forecast both lenses from where the initiative stands.

``track --trail PLAN`` lists the recorded re-forecasts of a plan, oldest first.
Reference: ``docs/reference/track.md``.
"""

from __future__ import annotations

import json

from simulation.cli.options import add_run_options
from simulation.present.text import format_summary, format_trail
from simulation.scenario.errors import ScenarioError

NAME = "track"


def register(sub):
    r = sub.add_parser(NAME, help="re-forecast from a status file (or list a plan's trail)")
    r.add_argument("status", nargs="?", help="a status file (scenarios/status/*.yaml)")
    add_run_options(r)
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument("--record", action="store_true", help="store this re-forecast in the trail")
    r.add_argument(
        "--by", metavar="NAME", help="with --record: who records it (kept with the record)"
    )
    r.add_argument("--trail", metavar="PLAN", help="list the recorded re-forecasts of PLAN")
    r.add_argument(
        "--export",
        metavar="CSV",
        help="fill the status's progress from a work-item export (the status's own entries win)",
    )
    return r


def command(args) -> int:
    from simulation.present.sentences import adoption_fit_words
    from simulation.store.authors import author
    from simulation.store.trail import MAX_AUTHOR, record_reforecast, trail
    from simulation.track import load_status, track
    from simulation.track.adoption import MIN_POINTS
    from simulation.track.trail import latest_change, plan_key, trail_table

    if args.trail:
        rows = trail(plan_key(args.trail))
        if args.json:
            out = [
                {
                    "as_of": r.as_of.isoformat(),
                    "recorded_at": r.recorded_at.isoformat(),
                    "recorded_by": r.recorded_by,
                    "summary": r.summary,
                }
                for r in rows
            ]
            print(json.dumps(out, indent=2))
        else:
            entries = [
                {"as_of": r.as_of.isoformat(), "status": r.status, "summary": r.summary}
                for r in rows
            ]
            table = trail_table(entries)
            print(
                format_trail(table.to_dict("records"))
                if len(table)
                else f"no re-forecast of {args.trail} recorded yet"
            )
            sentence = latest_change(entries)
            if sentence:
                print("\n" + sentence)
        return 0
    if not args.status:
        raise ScenarioError("STATUS: give a status file, or --trail PLAN")
    if args.by is not None:
        if not args.record:
            raise ScenarioError("--by: only with --record (it names who records)")
        author(args.by, "--by", MAX_AUTHOR)  # refused before simulating
    status = load_status(args.status)
    if args.export:
        status = with_export(status, args.export)
    res = track(status, runs=args.runs, seed=args.seed)
    summary = res.summary() | res.status_summary()
    if args.record:
        record_reforecast(
            plan_key(status.plan_ref), status.as_of, status.data, summary, recorded_by=args.by
        )
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print(f"As of {status.as_of}: {len(res.done)} done, {len(res.in_progress)} in progress")
        fit = res.adoption_fit
        said = fit and adoption_fit_words(
            fit.model, fit.fitted, fit.points, len(status.adoption), MIN_POINTS
        )
        if said:
            print(said[0].upper() + said[1:] + ".")
        if res.overrunning:
            print("Overrunning: " + ", ".join(res.overrunning))
        print(format_summary(res.summary()))
    return 0


def with_export(status, export: str):
    """``status`` with the progress an export gives for items it does not mention."""
    import sys

    from simulation.history import read_history
    from simulation.track import status_from_data
    from simulation.track.progress import progress_from_export

    hist = read_history(export, calendar=status.plan.calendar)
    got = progress_from_export(hist, status.plan, status.as_of, status.added)
    for note in hist.warnings:  # data quality (docs/reference/history.md)
        print(f"{export}: warning: {note}", file=sys.stderr)
    for row in got.unmatched:
        print(
            f"{export}: row {row['row']} ({row['id']} {row['name']}) matches no item",
            file=sys.stderr,
        )
    data = dict(status.data)
    data["items"] = got.items | dict(data.get("items") or {})
    return status_from_data(data, plan=status.plan)
