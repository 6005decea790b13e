"""``history FILE``: a work-item export read as the team's flow: cycle times,
throughput forecasts (when / how many) and a backtest."""

from __future__ import annotations

import json
from typing import Any

from simulation.cli.options import seed_type, split_list
from simulation.present.text import fmt
from simulation.scenario.errors import ScenarioError

NAME = "history"


def register(sub):
    from simulation import history as hi

    h = sub.add_parser(
        "history", help="read a work-item export (CSV): cycle times, throughput forecasts, backtest"
    )
    h.add_argument("file")
    h.add_argument("--start-column", metavar="C")
    h.add_argument("--done-column", metavar="C")
    h.add_argument("--type-column", metavar="C")
    h.add_argument("--types", metavar="A,B", help="item types to keep (comma-separated)")
    h.add_argument(
        "--date-format",
        metavar="F",
        help=f"{', '.join(hi.FORMATS)}, or a pattern such as dd/MM/yyyy HH:mm or %%d-%%m-%%Y "
        "(default: detected)",
    )
    h.add_argument(
        "--not-started",
        metavar="A,B",
        help="statuses of items that have not started, so are not in progress (default "
        f"{', '.join(hi.NOT_STARTED_STATUSES)}; '' to ignore the status column)",
    )
    h.add_argument("--workdays", metavar="Mon,Tue,...", help="working days (default Mon-Fri)")
    h.add_argument("--holidays", metavar="DATE,DATE", help="non-working dates (YYYY-MM-DD)")
    h.add_argument(
        "--window-days",
        type=int,
        default=hi.DEFAULT_WINDOW_DAYS,
        metavar="D",
        help=f"throughput window, calendar days (default {hi.DEFAULT_WINDOW_DAYS})",
    )
    h.add_argument("--when", type=int, metavar="N", help="forecast when N more items are done")
    h.add_argument("--how-many-by", metavar="DATE", help="forecast how many items by DATE")
    h.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="forecast start (default: the working day after the last done date)",
    )
    h.add_argument(
        "--backtest",
        action="store_true",
        help=f"check the forecast against the past (N = --when, default "
        f"{hi.DEFAULT_BACKTEST_ITEMS})",
    )
    h.add_argument("--runs", type=int, default=hi.DEFAULT_RUNS)
    h.add_argument("--seed", type=seed_type, default=hi.DEFAULT_SEED)
    h.add_argument("--json", action="store_true", help="print the summary as JSON")
    return h


#: The library's option names as the command line spells them, for messages.
HISTORY_OPTIONS = {
    "start_column": "--start-column",
    "done_column": "--done-column",
    "type_column": "--type-column",
    "types": "--types",
    "date_format": "--date-format",
    "window_days": "--window-days",
    "when": "--when",
    "how_many_by": "--how-many-by",
    "from": "--from",
    "runs": "--runs",
    "seed": "--seed",
    "backtest items": "--when",
    "calendar": "--workdays/--holidays",
}


def command(args) -> int:
    from simulation.history import HistoryError

    try:
        return _history(args)
    except HistoryError as exc:
        text = str(exc)
        prefix = f"{exc.source}: " if exc.source else ""
        body = text[len(prefix) :]
        option, sep, rest = body.partition(": ")
        if sep and option in HISTORY_OPTIONS:
            body = f"{HISTORY_OPTIONS[option]}: {rest}"
        raise ScenarioError(prefix + body) from None


def check_calendar(calendar: dict) -> None:
    """``--workdays``/``--holidays`` checked as a scenario's ``calendar`` is: a
    ScenarioError in the file format's words, naming the option and the entry."""
    from pydantic import ValidationError

    from simulation.scenario.schema import Calendar
    from simulation.scenario.validation import format_errors

    try:
        Calendar.model_validate(calendar)
    except ValidationError as exc:
        problems = format_errors(exc).problems
        option = {"workdays": "--workdays", "holidays": "--holidays"}
        raise ScenarioError(
            "; ".join(
                f"{option.get(path.split('[')[0], path)}{path[len(path.split('[')[0]) :]}: "
                f"{message}"
                for path, message in problems
            )
        ) from None


def check_date_format(pattern: str | None) -> None:
    """A strftime ``--date-format`` with a directive pandas does not know (``%Q``) is a
    ScenarioError naming the option, not a traceback from deep inside the reader."""
    if not pattern or "%" not in pattern:
        return
    import pandas as pd

    from simulation.history import FORMATS

    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=pattern, errors="coerce")
    except ValueError as exc:
        raise ScenarioError(
            f"--date-format: '{pattern}' is not a date pattern ({exc}); use one of "
            f"{', '.join(FORMATS)} or strftime directives such as %d.%m.%Y"
        ) from None


def _history(args) -> int:
    from simulation.history import DEFAULT_BACKTEST_ITEMS, HistoryError, read_history

    calendar = {}
    if args.workdays:
        calendar["workdays"] = split_list(args.workdays)
    if args.holidays:
        calendar["holidays"] = split_list(args.holidays)
    check_calendar(calendar)
    check_date_format(args.date_format)
    h = read_history(
        args.file,
        start_column=args.start_column,
        done_column=args.done_column,
        type_column=args.type_column,
        types=split_list(args.types),
        date_format=args.date_format,
        calendar=calendar,
        not_started=None if args.not_started is None else split_list(args.not_started) or (),
    )
    try:
        summary = h.summary(
            window_days=args.window_days,
            when=args.when,
            start=args.start,
            how_many_by=args.how_many_by,
            backtest_items=(args.when or DEFAULT_BACKTEST_ITEMS) if args.backtest else None,
            runs=args.runs,
            seed=args.seed,
        )
    except HistoryError as exc:
        raise exc.with_source(h.source) if h.source else exc from None
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_history(summary, h.warnings))
    return 0


def format_history(s: dict[str, Any], warnings: list[str] | None = None) -> str:
    """Readable history: what was read, cycle times, throughput and the forecasts."""
    from simulation.history import verdict_words

    c = s["columns"]
    layout = (
        f"stage columns {', '.join(c['stages'])}"
        if c["layout"] == "stages"
        else "flat start/done columns"
    )
    lines = [
        f"{s['items']:,} items: {s['done']:,} done, {s['in_progress']:,} in progress, "
        f"{s['not_started']:,} not started",
        f"  read as {layout}; start '{c['start']}', done '{c['done']}'"
        + (f", type '{c['type']}'" if c["type"] else "")
        + f"; dates {c['date_format']}"
        + (f"; status '{c['status']}'" if c.get("status") else ""),
    ]
    if c.get("measure") == "lead time":
        lines.append(
            f"  start '{c['start']}' is a created date: the times below are lead times, "
            "not cycle times"
        )
    lines += [f"  warning: {w}" for w in warnings or []]
    if s["first_done"]:
        lines.append(f"  done from {s['first_done']} to {s['last_done']}")
    ct = s["cycle_time"]
    lines += [
        "",
        f"{c.get('measure', 'cycle time').capitalize()} (working days, start and done day counted)",
        f"  all      P50 {fmt(ct['p50'], '')}   P85 {fmt(ct['p85'], '')}   "
        f"P95 {fmt(ct['p95'], '')}",
    ]
    for t, v in ct["by_type"].items():
        lines.append(
            f"  {t:<8} P50 {fmt(v['p50'], '')}   P85 {fmt(v['p85'], '')}   "
            f"P95 {fmt(v['p95'], '')}   ({v['n']} done)"
        )
    tp = s.get("throughput")
    if tp:
        lines += [
            "",
            f"Throughput  {tp['mean_per_day']:.2f} items a working day over "
            f"{tp['working_days']} working days ({tp['from']} to {tp['until']})",
        ]
        if tp.get("note"):
            lines.append(f"  {tp['note']}")
    runs = f"{s.get('runs', 0):,} runs, seed {s.get('seed')}"
    if "when" in s:
        w = s["when"]
        lines += [
            "",
            f"When are {w['n']} more items done? (from {w['from']}, {runs})",
            f"  P50 {w['p50_date'] or 'never'}   P85 {w['p85_date'] or 'never'}   "
            f"P95 {w['p95_date'] or 'never'}",
        ]
    if "how_many" in s:
        m = s["how_many"]
        lines += [
            "",
            f"How many items from {m['from']} to {m['by']}? ({runs})",
            f"  at least {m['p50']} in 50% of runs, {m['p85']} in 85%, {m['p95']} in 95%",
        ]
    if "backtest" in s:
        b = s["backtest"]
        lines += ["", f"Backtest ({b['n']} items, {b['cutoffs']} weekly cut-offs)"]
        if b["cutoffs"]:
            lines.append(
                "  " + verdict_words(b["verdict"], b["cutoffs"], b["within_p50"], b["within_p85"])
            )
        else:
            lines.append(
                f"  no cut-off: the history is shorter than the window plus {b['n']} items"
            )
    return "\n".join(lines)
