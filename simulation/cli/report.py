"""``report``: the steering-committee report as HTML (and PDF).

``report FILE [VARIANT...] --out report.html [--pdf report.pdf]`` reports on a
scenario and, with variants, on their paired comparison;
``report --session FILE --out ...`` on a Decide session (ranking, combination,
decisions); ``report --status FILE --out ...`` on a re-forecast from a status
(where we are, what changed, the trail). Bad input (a missing file, an
unwritable ``--out``, ``--pdf`` without Chromium) is a
:class:`~simulation.scenario.errors.ScenarioError`: exit 2.
"""

from __future__ import annotations

from pathlib import Path

from simulation.cli.options import add_run_options, library_file
from simulation.scenario.errors import ScenarioError

NAME = "report"


def register(sub):
    r = sub.add_parser(
        NAME, help="write the steering-committee report (self-contained HTML, optionally PDF)"
    )
    r.add_argument(
        "file", nargs="?", type=library_file, help="the scenario (a base or a variant file)"
    )
    r.add_argument(
        "variants", nargs="*", type=library_file, help="variants to compare against FILE"
    )
    r.add_argument("--session", metavar="FILE", help="a Decide session file instead of FILE")
    r.add_argument("--status", metavar="FILE", help="a status file: report where the work stands")
    r.add_argument("--out", metavar="report.html", required=True, help="the HTML file to write")
    r.add_argument("--pdf", metavar="report.pdf", help="also print it to PDF (needs Chromium)")
    add_run_options(r, scheduler=False)
    return r


def command(args) -> int:
    from simulation.report import document as report
    from simulation.scenario.loading import load_scenario

    if sum(bool(x) for x in (args.file, args.session, args.status)) != 1:
        raise ScenarioError(
            "report: give a scenario FILE (and variants), --session FILE or --status FILE, "
            "not both or neither"
        )
    out = Path(args.out)
    if out.is_dir():
        raise ScenarioError(f"--out: '{out}' is a folder; give the HTML file to write")
    if args.pdf and report.chromium() is None:  # before simulating: say so at once
        raise ScenarioError(
            "--pdf: Chromium is not installed (looked for "
            f"{', '.join(report.CHROMIUM_NAMES)} and $CHROMIUM); "
            "leave out --pdf and print the HTML from a browser"
        )
    opts = {"runs": args.runs, "seed": args.seed, "workers": args.workers}
    if args.status:
        from simulation.track import load_status

        text = report.status_report(load_status(args.status), runs=args.runs, seed=args.seed)
    elif args.session:
        from simulation.decide.sessions import load_session

        text = report.session_report(load_session(args.session), **opts)
    elif args.variants:
        from simulation.scenario.changes import variant_descriptions

        base = load_scenario(args.file)
        scenarios = {base.name: base}
        notes: dict[str, list[str]] = {}
        for path in args.variants:
            sc = load_scenario(path)
            name = sc.name if sc.name not in scenarios else f"{sc.name} ({path})"
            scenarios[name] = sc
            notes[name] = variant_descriptions(path)
        text = report.comparison_report(scenarios, notes, **opts)
    else:
        text = report.forecast_report(load_scenario(args.file), **opts)
    report.write_report(text, out)
    print(f"Report written to {out}")
    if args.pdf:
        report.print_pdf(out, Path(args.pdf))
        print(f"PDF written to {args.pdf}")
    return 0
