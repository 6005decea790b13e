"""Command line: ``python -m simulation COMMAND`` (run, compare, validate, list, prioritise,
decisions, history, exercise, report).

Exit codes: 0 ok, 2 bad input (the message names the file and field path),
1 unexpected failure. Bad input never prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import exercise_cli, report_cli
from .cluster import SCHEDULER_ENV
from .errors import ScenarioError
from .loading import load_scenario
from .runner import SimulationError, compare, run
from .schema import MAX_RUNS
from .summary import RESULT_LABELS

LIBRARY = Path(__file__).resolve().parent.parent / "scenarios"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage problems are bad input: exit 2
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _runs(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--runs must be a whole number or 'auto', got '{text}'") from None
    if not 1 <= n <= MAX_RUNS:
        raise argparse.ArgumentTypeError(f"--runs must be from 1 to {MAX_RUNS:,}, got {n:,}")
    return n


def _seed(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got '{text}'") from None
    if n < 0:
        raise argparse.ArgumentTypeError("--seed must be >= 0")
    return n


def add_scheduler_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: "
                        f"${SCHEDULER_ENV} if set, else this machine)")


def scheduler_of(args) -> str | None:
    """``--scheduler``, else ``$SIM_SCHEDULER``, else None (this machine's process pool)."""
    if args.scheduler is not None:
        return args.scheduler
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


def progress_of(what: str):
    """A progress line on stderr while simulating (only on a terminal: logs and pipes
    get the result alone). Counts runs, as finished chunks report them."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{what}: {done:,} of {total:,} runs", end=end, file=sys.stderr, flush=True)

    return show


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m simulation",
                description="Simulate an initiative: delivery date (project lens) and "
                            "value (product lens).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("run", help="simulate one scenario and print its forecast")
    r.add_argument("file")
    r.add_argument("--runs", type=_runs)
    r.add_argument("--seed", type=_seed)
    r.add_argument("--workers", type=int, default=None, help="processes (default: auto)")
    add_scheduler_option(r)
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument("--out", metavar="DIR", help="write runs.csv, items.csv, weekly.csv here")
    c = sub.add_parser("compare", help="run a base and variants under the same seeds")
    c.add_argument("base")
    c.add_argument("variants", nargs="+")
    c.add_argument("--runs", type=_runs)
    c.add_argument("--seed", type=_seed)
    c.add_argument("--workers", type=int, default=None)
    add_scheduler_option(c)
    c.add_argument("--json", action="store_true")
    c.add_argument("--out", metavar="DIR", help="write runs.csv (every scenario) and "
                                                "deltas.csv (paired differences) here")
    c.add_argument("--force", action="store_true",
                   help="compare scenarios that are not variants of BASE")
    v = sub.add_parser("validate", help="check scenario files and report every problem")
    v.add_argument("files", nargs="+")
    pr = sub.add_parser("prioritise", help="rank a session's candidates against its base "
                                           "(DESIGN 8)")
    pr.add_argument("session", help="a session file, e.g. scenarios/sessions/supply-chain-q2.yaml")
    pr.add_argument("--runs", type=_runs, help="runs per scenario, or 'auto' (until the order "
                                               "is settled)")
    pr.add_argument("--seed", type=_seed)
    pr.add_argument("--workers", type=int, default=None)
    add_scheduler_option(pr)
    pr.add_argument("--json", action="store_true")
    pr.add_argument("--combine", metavar="ID,ID,...", help="also run these candidates together")
    pr.add_argument("--best", action="store_true", help="also select the best set greedily")
    pr.add_argument("--out", metavar="DIR", help="write ranking.csv here")
    de = sub.add_parser("decisions", help="list the decisions stored by the Decide page")
    de.add_argument("--session", metavar="NAME", help="only this session's decisions")
    de.add_argument("--csv", action="store_true", help="print them as CSV")
    li = sub.add_parser("list", help="list the scenario library")
    li.add_argument("folder", nargs="?", default=str(LIBRARY))
    add_history_parser(sub)
    exercise_cli.add_parser(sub, _runs, _seed)
    report_cli.add_parser(sub, _runs, _seed)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:   # e.g. `... list | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (SimulationError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1



# ------------------------------------------------------------------ commands
def cmd_run(args) -> int:
    sc = load_scenario(args.file)
    res = run(sc, runs=args.runs, seed=args.seed, workers=args.workers,
              progress=progress_of("simulating"), scheduler=scheduler_of(args))
    if args.out:
        write_tables(res, Path(args.out))
    summary = res.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_summary(summary))
        if args.out:
            print(f"\nTables written to {args.out}/ (runs.csv, items.csv, weekly.csv)")
    return 0


def write_tables(res, out: Path) -> None:
    """``runs.csv``, ``items.csv`` and ``weekly.csv`` in ``out`` (created if needed).

    A folder that cannot be written is the user's input, so it is a
    :class:`ScenarioError` (exit 2) naming ``--out``, not a failure of ours.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in ("runs", "items", "weekly"):
            getattr(res, name).to_csv(out / f"{name}.csv", index=False)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(f"--out: cannot write the tables to '{out}': {reason}") from None


def cmd_compare(args) -> int:
    from .changes import changes_from, variant_base

    base = load_scenario(args.base)
    scenarios = {base.name: base}
    notes: dict[str, list[str]] = {}
    unrelated: dict[str, str] = {}
    for path in args.variants:
        sc = load_scenario(path)
        name = sc.name if sc.name not in scenarios else f"{sc.name} ({path})"
        scenarios[name] = sc
        changes = changes_from(args.base, path)
        if changes is None:
            # Its own changes describe another base: listing them under BASE would
            # claim edits (removing an item BASE may not even have) that never happened.
            root = variant_base(path)
            unrelated[name] = (f"{path} is a separate scenario, not a variant of {args.base}"
                               if Path(root).resolve() == Path(path).resolve() else
                               f"{path} is a variant of {root.name}, not of {args.base}")
            notes[name] = []
        else:
            notes[name] = [c.describe() for c in changes]
    if unrelated and not args.force:
        raise ScenarioError("; ".join(unrelated.values()) + ": its differences would not be "
                            "the effect of its changes on BASE. Compare it with its own base, "
                            "or pass --force to compare unrelated scenarios")
    for reason in unrelated.values():
        print(f"warning: {reason}; the differences are between two unrelated scenarios",
              file=sys.stderr)
    cmp = compare(scenarios, runs=args.runs, seed=args.seed, workers=args.workers,
                  progress=progress_of("simulating"), scheduler=scheduler_of(args))
    if args.out:
        write_comparison(cmp, Path(args.out))
    summary = cmp.summary()
    if args.json:
        for name, lines in notes.items():
            summary["scenarios"][name]["changes"] = lines
            if name in unrelated:
                summary["scenarios"][name]["unrelated"] = unrelated[name]
        print(json.dumps(summary, indent=2))
        return 0
    print(format_summary(summary["scenarios"][cmp.baseline]))
    for name, deltas in summary["paired_differences"].items():
        print(f"\n=== {name} vs {cmp.baseline} ===")
        lines = notes.get(name, [])
        for line in lines:
            print(f"  * {line}")
        if name in unrelated:
            print(f"  ({unrelated[name]}: no changes to list; the differences are between "
                  "two unrelated scenarios)")
        elif not lines:
            print("  (the same scenario file as the base: no changes)")
        print(format_deltas(deltas))
    if args.out:
        print(f"\nTables written to {args.out}/ (runs.csv, deltas.csv)")
    return 0


def write_comparison(cmp, out: Path) -> None:
    """``runs.csv`` (every scenario's runs, a ``scenario`` column first) and ``deltas.csv``
    (the paired differences: variant, metric, mean, 90% interval) in ``out``."""
    import pandas as pd

    try:
        out.mkdir(parents=True, exist_ok=True)
        runs = pd.concat([res.runs.assign(scenario=name) for name, res in cmp.results.items()],
                         ignore_index=True)
        runs[["scenario", *[c for c in runs.columns if c != "scenario"]]].to_csv(
            out / "runs.csv", index=False)
        cmp.deltas.to_csv(out / "deltas.csv", index=False)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(f"--out: cannot write the tables to '{out}': {reason}") from None


def cmd_validate(args) -> int:
    bad = 0
    for path in args.files:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            for where, msg in exc.problems[1:]:
                print(f"  also {where}: {msg}", file=sys.stderr)
            continue
        print(f"ok: {path}: {sc.name} ({len(sc.items)} items)")
    return 2 if bad else 0


def cmd_list(args) -> int:
    """The library: file, kind (base/variant), name and the situation in one line."""
    import shutil
    import textwrap

    from .library import list_library

    folder = Path(args.folder)
    if not folder.is_dir():
        raise ScenarioError("not a folder", source=str(folder))
    rows = list_library(folder)
    if not rows:
        print(f"no scenarios in {args.folder}")
        return 0
    width = max(len(r["file"]) for r in rows)
    indent = " " * 10
    columns = max(shutil.get_terminal_size((100, 24)).columns, 60)
    print(f"{'KIND':<8}  {'FILE':<{width}}  NAME")
    for r in rows:
        extends = f"  (extends {r['extends']})" if r["extends"] else ""
        print(f"{r['kind']:<8}  {r['file']:<{width}}  {r['name']}{extends}")
        if r["summary"]:
            line = textwrap.shorten(r["summary"], width=columns - len(indent), placeholder="...")
            print(f"{indent}{line}")
    return 0


def cmd_prioritise(args) -> int:
    from .decide_cli import prioritise_command
    return prioritise_command(args, scheduler=scheduler_of(args),
                              progress=progress_of("simulating"))


def cmd_decisions(args) -> int:
    from .decide_cli import decisions_command
    return decisions_command(args)


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate, "list": cmd_list,
            "prioritise": cmd_prioritise, "decisions": cmd_decisions,
            "exercise": exercise_cli.cmd_exercise, "report": report_cli.cmd_report}


# ------------------------------------------------------------------ printing
def _fmt_money(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f}"


def _fmt(x: Any, spec: str = ".1f") -> str:
    return "n/a" if x is None else format(x, spec)


def format_summary(s: dict[str, Any]) -> str:
    """Readable forecast: the project lens, then the product lens."""
    d, c, v = s["delivery"], s["cost"], s["value"]
    lines = [f"{s['scenario']}  ({s['runs']:,} runs, seed {s['seed']})", "",
             "Project lens",
             f"  Delivery  P50 {d['p50_date']} (day {_fmt(d['p50_day'])})   "
             f"P85 {d['p85_date']} (day {_fmt(d['p85_day'])})   "
             f"P95 {d['p95_date']} (day {_fmt(d['p95_day'])})"]
    if d.get("on_time_probability") is not None:
        lines.append(f"  On time   {d['on_time_probability']:.0%} chance of delivering by "
                     f"{d['deadline']}")
    if d.get("undelivered_runs"):
        lines.append(f"  Warning   {d['undelivered_runs']} runs did not deliver within the "
                     "20-year simulated-time cap")
    lines += [f"  Cost      mean {_fmt_money(c['mean'])}   P85 {_fmt_money(c['p85'])}", "",
              "Product lens",
              f"  First value  P50 {v['first_value_date_p50']} "
              f"(day {_fmt(v['first_value_day_p50'])})",
              f"  NPV          mean {_fmt_money(v['npv_mean'])}   P50 {_fmt_money(v['npv_p50'])}"
              f"   ROI {_fmt(v['roi_mean'], '.2f')}",
              f"  Outcome      {v['outcome']}: {_fmt(v['outcome_probability'], '.0%')} chance"
              + (f" by {v['outcome_by']}" if v.get("outcome_by") else " within the horizon")]
    return "\n".join(lines)



def format_deltas(deltas: dict[str, dict[str, Any]]) -> str:
    """Paired differences: mean with its 90% confidence interval."""
    out = []
    for key, d in deltas.items():
        label = RESULT_LABELS.get(key, key)
        if d["mean"] is None:
            out.append(f"  {label:<28} n/a")
            continue
        pct = key in ("on_time", "outcome")
        # round() then + 0.0: a difference that rounds to zero reads +0.0, never -0.0.
        f = (lambda x: "n/a" if x is None else f"{round(x, 3) + 0.0:+.1%}") if pct else (
            lambda x: "n/a" if x is None else f"{round(x, 1) + 0.0:+,.1f}")
        lo, hi = d["ci90"]
        out.append(f"  {label:<28} {f(d['mean']):>14}   90% CI [{f(lo)}, {f(hi)}]")
    return "\n".join(out)


# ------------------------------------------------------------------ history
def add_history_parser(sub) -> None:
    """``history FILE ...``: the team's flow and throughput forecasts (DESIGN 10)."""
    from . import history as hi

    h = sub.add_parser("history", help="read a work-item export (CSV): cycle times, "
                       "throughput forecasts, backtest")
    h.add_argument("file")
    h.add_argument("--start-column", metavar="C")
    h.add_argument("--done-column", metavar="C")
    h.add_argument("--type-column", metavar="C")
    h.add_argument("--types", metavar="A,B", help="item types to keep (comma-separated)")
    h.add_argument("--date-format", metavar="F",
                   help=f"{', '.join(hi.FORMATS)} or a strftime pattern (default: detected)")
    h.add_argument("--workdays", metavar="Mon,Tue,...", help="working days (default Mon-Fri)")
    h.add_argument("--holidays", metavar="DATE,DATE", help="non-working dates (YYYY-MM-DD)")
    h.add_argument("--window-days", type=int, default=hi.DEFAULT_WINDOW_DAYS, metavar="D",
                   help=f"throughput window, calendar days (default {hi.DEFAULT_WINDOW_DAYS})")
    h.add_argument("--when", type=int, metavar="N", help="forecast when N more items are done")
    h.add_argument("--how-many-by", metavar="DATE", help="forecast how many items by DATE")
    h.add_argument("--from", dest="start", metavar="DATE",
                   help="forecast start (default: the day after the last done date)")
    h.add_argument("--backtest", action="store_true",
                   help=f"check the forecast against the past (N = --when, default "
                        f"{hi.DEFAULT_BACKTEST_ITEMS})")
    h.add_argument("--runs", type=int, default=hi.DEFAULT_RUNS)
    h.add_argument("--seed", type=_seed, default=hi.DEFAULT_SEED)
    h.add_argument("--json", action="store_true", help="print the summary as JSON")


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


#: The library's option names as the command line spells them, for messages.
HISTORY_OPTIONS = {"start_column": "--start-column", "done_column": "--done-column",
                   "type_column": "--type-column", "types": "--types",
                   "date_format": "--date-format", "window_days": "--window-days",
                   "when": "--when", "how_many_by": "--how-many-by", "from": "--from",
                   "runs": "--runs", "seed": "--seed", "backtest items": "--when",
                   "calendar": "--workdays/--holidays"}


def cmd_history(args) -> int:
    from .history import HistoryError

    try:
        return _history(args)
    except HistoryError as exc:
        text = str(exc)
        prefix = f"{exc.source}: " if exc.source else ""
        body = text[len(prefix):]
        option, sep, rest = body.partition(": ")
        if sep and option in HISTORY_OPTIONS:
            body = f"{HISTORY_OPTIONS[option]}: {rest}"
        raise ScenarioError(prefix + body) from None


def _history(args) -> int:
    from .history import DEFAULT_BACKTEST_ITEMS, HistoryError, read_history

    calendar = {}
    if args.workdays:
        calendar["workdays"] = _list(args.workdays)
    if args.holidays:
        calendar["holidays"] = _list(args.holidays)
    h = read_history(args.file, start_column=args.start_column, done_column=args.done_column,
                     type_column=args.type_column, types=_list(args.types),
                     date_format=args.date_format, calendar=calendar)
    try:
        summary = h.summary(window_days=args.window_days, when=args.when, start=args.start,
                            how_many_by=args.how_many_by,
                            backtest_items=(args.when or DEFAULT_BACKTEST_ITEMS)
                            if args.backtest else None, runs=args.runs, seed=args.seed)
    except HistoryError as exc:
        raise exc.with_source(h.source) if h.source else exc from None
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_history(summary, h.warnings))
    return 0


def format_history(s: dict[str, Any], warnings: list[str] | None = None) -> str:
    """Readable history: what was read, cycle times, throughput and the forecasts."""
    c = s["columns"]
    layout = (f"stage columns {', '.join(c['stages'])}" if c["layout"] == "stages"
              else "flat start/done columns")
    lines = [f"{s['items']:,} items: {s['done']:,} done, {s['in_progress']:,} in progress, "
             f"{s['not_started']:,} not started",
             f"  read as {layout}; start '{c['start']}', done '{c['done']}'"
             + (f", type '{c['type']}'" if c["type"] else "") + f"; dates {c['date_format']}"]
    lines += [f"  warning: {w}" for w in warnings or []]
    if s["first_done"]:
        lines.append(f"  done from {s['first_done']} to {s['last_done']}")
    ct = s["cycle_time"]
    lines += ["", "Cycle time (working days, start and done day counted)",
              f"  all      P50 {_fmt(ct['p50'], '')}   P85 {_fmt(ct['p85'], '')}   "
              f"P95 {_fmt(ct['p95'], '')}"]
    for t, v in ct["by_type"].items():
        lines.append(f"  {t:<8} P50 {_fmt(v['p50'], '')}   P85 {_fmt(v['p85'], '')}   "
                     f"P95 {_fmt(v['p95'], '')}   ({v['n']} done)")
    tp = s.get("throughput")
    if tp:
        lines += ["", f"Throughput  {tp['mean_per_day']:.2f} items a working day over "
                      f"{tp['working_days']} working days ({tp['from']} to {tp['until']})"]
    runs = f"{s.get('runs', 0):,} runs, seed {s.get('seed')}"
    if "when" in s:
        w = s["when"]
        lines += ["", f"When are {w['n']} more items done? (from {w['from']}, {runs})",
                  f"  P50 {w['p50_date'] or 'never'}   P85 {w['p85_date'] or 'never'}   "
                  f"P95 {w['p95_date'] or 'never'}"]
    if "how_many" in s:
        m = s["how_many"]
        lines += ["", f"How many items from {m['from']} to {m['by']}? ({runs})",
                  f"  at least {m['p50']} in 50% of runs, {m['p85']} in 85%, "
                  f"{m['p95']} in 95%"]
    if "backtest" in s:
        b = s["backtest"]
        lines += ["", f"Backtest ({b['n']} items, {b['cutoffs']} weekly cut-offs)"]
        if b["cutoffs"]:
            lines.append(f"  actual on or before the P50 date in {b['within_p50']:.0%} of "
                         f"cut-offs (ideal 50%), the P85 date in {b['within_p85']:.0%} "
                         "(ideal 85%)")
        else:
            lines.append("  no cut-off: the history is shorter than the window plus "
                         f"{b['n']} items")
    return "\n".join(lines)


COMMANDS["history"] = cmd_history
