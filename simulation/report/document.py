"""The report for a steering committee: one self-contained HTML file.

See docs/reference/drivers-and-report.md.

It opens with no network: every chart is inline SVG, rendered here from the
Vega-Lite specs of :mod:`simulation.present.charts` by vl-convert (a library, no browser),
and the style sheet is inline. It reads top to bottom in business terms: the
situation; both lenses in sentences, numbers and charts; the variants or the
session's ranking, combination and decisions; what drives the date and the
value; the assumptions (the inputs as tables); how it was computed. Every number
comes from :meth:`simulation.Results.summary` (the same dict as ``run --json``).

:func:`print_pdf` prints the same page to PDF with headless Chromium, when it is
installed.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import json
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulation.engine.drivers import criticality, driver_sentence, sensitivity
from simulation.engine.plan import make_calendar
from simulation.engine.summary import RESULT_LABELS
from simulation.present import charts as vega
from simulation.present import decide as words
from simulation.present import fans, formats, maps, sentences
from simulation.present.text import NOT_WITHIN_CAP, counted
from simulation.scenario.errors import ScenarioError

if TYPE_CHECKING:  # annotations only
    from simulation.decide.prioritise import Combination, Prioritisation
    from simulation.engine.results import Results
    from simulation.engine.summary import Comparison

ROOT = Path(__file__).resolve().parents[2]
#: Where Chromium is looked for, first the ``CHROMIUM`` environment variable.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Plot width of a trade-off map in the report (pixels).
MAP_WIDTH = 600
#: Seconds Chromium may take to print the report.
PDF_TIMEOUT_S = 120

STYLE = (
    (
        f":root {{ --project: {vega.PROJECT}; --product: {vega.PRODUCT}; "
        "--ink: #1b1b1b; --mute: #5a5a5a; }"
    )
    + """
* { box-sizing: border-box; }
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 900px; padding: 28px 36px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 8px; border-bottom: 2px solid #ddd; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta { color: var(--mute); margin-top: 0; }
.lenses { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.lens { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
.lens.project { border-top: 4px solid var(--project); }
.lens.product { border-top: 4px solid var(--product); }
.lens h3 { margin-top: 2px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e4e4e4;
         vertical-align: top; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 10px 0 16px; page-break-inside: avoid; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.note { color: var(--mute); font-size: 13px; }
section { page-break-inside: auto; }
@page { size: A4; margin: 14mm 12mm; }
@media print { body { padding: 0; max-width: none; } h2 { page-break-after: avoid; }
               .lenses, .pair { page-break-inside: avoid; } }
"""
)


# ----------------------------------------------------------------- helpers
def _e(x: Any) -> str:
    return html.escape(str(x))


#: The report's numbers read as everywhere else (:mod:`simulation.present.formats`).
_money, _pct, _date = formats.money, formats.pct, formats.date


def _delivery(iso: str | None) -> str:
    """A delivery percentile's date, or that no future reaches it within the cap."""
    return _date(iso) if iso else NOT_WITHIN_CAP


def _days(x: float | None, signed: bool = False) -> str:
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    x = round(float(x), 1) + 0.0
    return f"{x:+,.1f}" if signed else f"{x:,.1f}"


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] = frozenset()) -> str:
    th = "".join(
        f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
        for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def svg(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec as inline SVG (no scripts, no links to fetch)."""
    import vl_convert  # imported here: only the report needs it

    return vl_convert.vegalite_to_svg(spec)


def _figure(spec: dict[str, Any], caption: str = "") -> str:
    cap = f"<figcaption class='note'>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart">{svg(spec)}{cap}</figure>'


def model_version() -> str:
    """The package version, and the git commit when run from a checkout."""
    try:
        version = importlib.metadata.version("initiative-simulator")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version} (commit {commit})" if commit else version


# ----------------------------------------------------------------- chart data
def delivery_weeks(res: Results) -> pd.DataFrame:
    """Share of futures delivering in each calendar week (Monday), ISO dates."""
    dates = pd.to_datetime(res.runs.loc[res.runs["delivered"], "delivery_date"]).dropna()
    if dates.empty:
        return pd.DataFrame(columns=["week", "share"])
    monday = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    counts = monday.value_counts().sort_index()
    return pd.DataFrame(
        {"week": counts.index.strftime("%Y-%m-%d"), "share": counts.to_numpy() / len(res.runs)}
    )


def value_fan(res: Results) -> pd.DataFrame:
    """Cumulative discounted value per week end (ISO dates): the fan the Forecast page
    draws (:func:`simulation.present.fans.fan_table`)."""
    fan = fans.fan_table(res.weekly, "cum_value", make_calendar(res.scenario))
    return fan.drop(columns="week").assign(date=fan["date"].dt.strftime("%Y-%m-%d"))


def _markers(s: dict[str, Any]) -> pd.DataFrame:
    d = s["delivery"]
    rows = [
        {"label": lab, "date": d[k]}
        for k, lab in (("p50_date", "P50"), ("p85_date", "P85"))
        if d.get(k)
    ]
    if d.get("deadline"):
        rows.append({"label": "Deadline", "date": d["deadline"]})
    return pd.DataFrame(rows, columns=["label", "date"])


# ----------------------------------------------------------------- sentences
def project_sentences(s: dict[str, Any]) -> str:
    """The project lens in words (:func:`simulation.present.sentences.project_sentence`)."""
    return sentences.project_sentence(s, sentences.HTML)


def product_sentences(s: dict[str, Any], horizon_weeks: int) -> str:
    """The product lens in words (:func:`simulation.present.sentences.product_sentence`)."""
    return sentences.product_sentence(s, horizon_weeks=horizon_weeks, markup=sentences.HTML)


def _key_numbers(s: dict[str, Any]) -> str:
    d, c, v = s["delivery"], s["cost"], s["value"]
    rows = [
        ["P50 delivery", _delivery(d["p50_date"])],
        ["P85 delivery", _delivery(d["p85_date"])],
        ["P95 delivery", _delivery(d["p95_date"])],
        [
            "On-time chance",
            _pct(d.get("on_time_probability")) if d.get("deadline") else "no deadline",
        ],
        ["Cost, mean / P85", f"{_money(c['mean'])} / {_money(c['p85'])}"],
    ]
    prod = [
        ["First value (P50)", _date(v.get("first_value_date_p50"))],
        ["NPV, mean / P50", f"{_money(v['npv_mean'])} / {_money(v['npv_p50'])}"],
        ["ROI (mean)", _days(v.get("roi_mean"))],
        ["Outcome chance", _pct(v.get("outcome_probability"))],
    ]
    return rows, prod


# ----------------------------------------------------------------- sections
def situation(res: Results) -> str:
    sc = res.scenario
    parts = [f"<p>{_e(sc.description)}</p>" if sc.description else ""]
    team = sc.team
    facts = [
        f"starts {_date(sc.start_date.isoformat())}",
        f"deadline {_date(sc.deadline.isoformat())}" if sc.deadline else "no deadline",
        counted(len(sc.items), "planned item"),
        f"a team of {team.size} at {team.focus:.0%} focus",
        f"delivered {sc.delivery.approach.replace('_', ' ')}",
    ]
    if sc.risks:
        facts.append(counted(len(sc.risks), "risk"))
    parts.append(f"<p>The initiative {', '.join(facts)}.</p>")
    return "<h2>The situation</h2>" + "".join(parts)


def lenses(res: Results) -> str:
    s = res.summary()
    rows, prod = _key_numbers(s)
    project = (
        f'<div class="lens project"><h3>Project lens: scope, date, cost</h3>'
        f"<p>{project_sentences(s)}</p>{_table(['', ''], rows)}</div>"
    )
    product = (
        f'<div class="lens product"><h3>Product lens: value and outcome</h3>'
        f"<p>{product_sentences(s, res.scenario.value.horizon_weeks)}</p>"
        f"{_table(['', ''], prod)}</div>"
    )
    charts = _figure(
        vega.delivery_spec(delivery_weeks(res), _markers(s)),
        "Share of the simulated futures that deliver the whole scope in each week.",
    )
    if s["value"].get("potential_value"):
        charts += _figure(
            vega.value_spec(value_fan(res)),
            "Cumulative discounted value: the line is the median future; the darker "
            "band holds 50 of 100 futures, the lighter one 90 of 100.",
        )
    return f"<h2>Both lenses</h2><div class='lenses'>{project}{product}</div>{charts}"


def drivers_section(res: Results) -> str:
    sens = sensitivity(res)
    crit = criticality(res)
    planned = {it.id for it in res.scenario.items}
    crit = crit[crit["id"].isin(planned)]
    out = [
        "<h2>What drives the date and the value</h2>",
        f"<p>{_e(driver_sentence(sens, 'delivery'))}</p>",
        f"<p>{_e(driver_sentence(sens, 'npv'))}</p>",
    ]
    if not sens.empty:
        out.append(
            '<div class="pair">'
            + _figure(vega.tornado_spec(sens, "delivery"))
            + _figure(vega.tornado_spec(sens, "npv"))
            + "</div>"
        )
        out.append(
            "<p class='note'>Each bar is the rank correlation, over the futures, of one "
            "uncertain input with the delivery day (left) or NPV (right): +1 means the "
            "larger the input, the later (or the more valuable) in every future; near "
            f"0 (within ±{2 * float(sens['se'].iloc[0]):.2f}) it is noise.</p>"
        )
    if not crit.empty:
        out.append(
            _figure(
                vega.criticality_spec(crit),
                "Criticality: the share of futures in which the item is on the chain "
                "of work that set the delivery date.",
            )
        )
    return "".join(out)


def assumptions(res: Results) -> str:
    sc = res.scenario
    out = ["<h2>The assumptions</h2><h3>Work items</h3>"]
    rows = [
        [
            it.id,
            it.label,
            it.effort.describe(),
            ", ".join(it.depends_on) or "-",
            _money(it.value.per_week),
            "yes" if it.must_have else "no",
        ]
        for it in sc.items
    ]
    out.append(
        _table(
            ["Id", "Item", "Effort (person-days)", "Needs", "Value a week", "Must-have"], rows, {4}
        )
    )
    t, it_, dl = sc.team, sc.iteration, sc.delivery
    out.append("<h3>Team, delivery and iteration</h3>")
    out.append(
        _table(
            ["Setting", "Value"],
            [
                ["Team size", t.size],
                ["Focus", _pct(t.focus)],
                ["Cost per person-day", _money(t.cost_per_person_day)],
                ["Staffing changes", len(t.changes)],
                ["Approach", dl.approach.replace("_", " ")],
                [
                    "Discovery / hardening (working days)",
                    f"{dl.discovery_days:g} / {dl.hardening_days:g}",
                ],
                [
                    "Rework probability / fraction",
                    f"{_pct(it_.rework_probability)} / {_pct(it_.rework_fraction)}",
                ],
                ["Misfit probability", _pct(it_.misfit_probability)],
                ["Feedback lag (working days)", f"{it_.feedback_lag_days:g}"],
                [
                    "Scope creep (requests a week)",
                    f"{sc.scope.creep.rate_per_week:g}" if sc.scope.creep else "none",
                ],
                ["Scheduled scope changes", len(sc.scope.changes)],
                [
                    "Value horizon (weeks) / discount rate",
                    f"{sc.value.horizon_weeks} / {_pct(sc.value.discount_rate_annual)} a year",
                ],
            ],
        )
    )
    if sc.risks:
        out.append("<h3>Risks</h3>")
        rows = []
        for r in sc.risks:
            imp = r.impact
            # The schema requires the size each kind uses (Impact: effort or days).
            size = imp.effort if imp.kind == "extra_work" else imp.days
            what = {
                "blocker": "stops all work for {} working days",
                "extra_work": "adds {} person-days to " + ", ".join(imp.items),
                "capacity_loss": f"takes {imp.people} people away for {{}} working days",
            }[imp.kind].format(size.describe())
            window = f"days {r.window[0]:g}-{r.window[1]:g}" if r.window else "-"
            rows.append([r.label, _pct(r.probability), what, window])
        out.append(_table(["Risk", "Chance", "If it fires", "When"], rows))
    return "".join(out)


def method(res: Results, extra: str = "") -> str:
    s = res.summary()
    precision = ""
    if res.precision:
        precision = (
            f" The run count was set automatically: the P85 date is known to "
            f"±{res.precision['p85_half_width_days']:.2f} working days (95%)."
        )
    return (
        "<h2>How it was computed</h2>"
        f"<p>{s['runs']:,} simulated futures (Monte Carlo replications of a discrete-event "
        f"model, SimPy), seed {s['seed']}. Every random input (each item's effort, rework "
        "and fit, each risk, scope creep) draws from its own named random stream, so "
        "compared scenarios see the same luck everywhere they do not differ (common random "
        "numbers): a difference between them is the effect of the change, not noise."
        f"{precision}{extra} Model version {_e(model_version())}; the numbers are the "
        "summary's (<code>python -m simulation run FILE --json</code>).</p>"
    )


# ----------------------------------------------------------------- variants, session
def variants_section(cmp: Comparison, notes: dict[str, list[str]] | None = None) -> str:
    summary = cmp.summary()
    out = [f"<h2>The variants against {_e(cmp.baseline)}</h2>"]
    rows = []
    for name, s in summary["scenarios"].items():
        d, v = s["delivery"], s["value"]
        rows.append(
            [
                name,
                _delivery(d["p50_date"]),
                _delivery(d["p85_date"]),
                _pct(d.get("on_time_probability")),
                _money(v["npv_mean"]),
                _pct(v.get("outcome_probability")),
            ]
        )
    out.append(_table(["Scenario", "P50", "P85", "On time", "NPV (mean)", "Outcome"], rows, {4}))
    for name, deltas in summary["paired_differences"].items():
        out.append(f"<h3>{_e(name)}</h3>")
        lines = (notes or {}).get(name) or []
        if lines:
            out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>")
        drows = []
        for key, d in deltas.items():
            pct = key in ("on_time", "outcome")
            f = (
                (lambda x: "n/a" if x is None else f"{round(x, 3) + 0.0:+.1%}")
                if pct
                else (lambda x: "n/a" if x is None else f"{round(x, 1) + 0.0:+,.1f}")
            )
            drows.append(
                [
                    RESULT_LABELS.get(key, key),
                    f(d["mean"]),
                    f"[{f(d['ci90'][0])}, {f(d['ci90'][1])}]",
                ]
            )
        out.append(
            _table(["Paired difference (variant - base)", "Mean", "90% interval"], drows, {1, 2})
        )
    deltas = cmp.deltas
    for metric, title, fmt, colour in (
        ("delivery_day", "Δ delivery (working days)", "+.1f", vega.PROJECT),
        ("npv", "Δ NPV", "~s", vega.PRODUCT),
    ):
        rows = deltas[deltas["metric"] == metric].rename(
            columns={"variant": "name", "ci_low": "lo", "ci_high": "hi"}
        )
        if not rows.empty:
            out.append(
                _figure(
                    vega.bars_spec(rows[["name", "mean", "lo", "hi"]], title, title, fmt, colour)
                )
            )
    return "".join(out)


def trade_off_maps(pr: Prioritisation) -> str:
    """The Decide page's two trade-off maps (the same specs), with their key."""
    from simulation.decide.points import map_points

    points = map_points(pr)
    figures = [
        _figure(maps.tradeoff_spec(points, *args, width=MAP_WIDTH), caption)
        for caption, args in (
            (
                "Δ delivery and Δ NPV (mean, 90% interval)",
                (
                    "delivery",
                    "npv",
                    "Δ mean delivery (working days)",
                    "Δ mean NPV",
                    maps.VALUE_QUADRANTS,
                    False,
                    True,
                ),
            ),
            (
                "Δ on-time chance and Δ outcome chance (percentage points)",
                (
                    "on_time",
                    "outcome",
                    "Δ on-time chance (pp)",
                    "Δ outcome chance (pp)",
                    maps.PROBABILITY_QUADRANTS,
                ),
            ),
        )
    ]
    key = _table(["Number", "Candidate", "Verdict"], [list(r) for r in maps.key_rows(points)])
    return "<h3>Trade-off maps</h3>" + "".join(figures) + key


def session_section(
    pr: Prioritisation,
    combination: Combination | None = None,
    decisions: dict[str, Any] | None = None,
    store_note: str = "",
    best: list[dict[str, Any]] | None = None,
    accepted: dict[str, Any] | None = None,
) -> str:
    """The session: the ranking and its rule, the maps, the accepted set, the
    combination, the best set in words and the decisions in the order made.

    ``best``: :meth:`~simulation.decide.prioritise.Prioritisation.best_set`'s steps;
    ``accepted``: the accepted set's effect
    (:meth:`~simulation.decide.prioritise.Prioritisation.effect`), None if none.
    """
    ses = pr.session
    out = [f"<h2>The session: {_e(ses.name)}</h2>"]
    if getattr(ses, "description", ""):
        out.append(f"<p>{_e(ses.description)}</p>")
    names = {c.id: c.name for c in ses.candidates}
    ranked = list(pr.table["name"])
    rows = []
    for i, r in enumerate(pr.table.itertuples()):
        nxt = ranked[i + 1] if i + 1 < len(ranked) else ""
        rows.append(
            [
                r.rank,
                r.name,
                r.verdict,
                formats.days(r.delivery_days, signed=True),
                formats.money(r.npv, signed=True),
                formats.points(r.on_time),
                formats.points(r.outcome),
                words.value_per_day(r.value_per_day),
                words.ahead_note(r.rank_confidence, nxt),
            ]
        )
    out.append(f"<p>{_e(words.RANK_RULE)}</p>")
    out.append(
        _table(
            [
                "Rank",
                "Candidate",
                "Verdict",
                "Δ delivery",
                "Δ NPV",
                "Δ on time",
                "Δ outcome",
                "NPV per day of delay",
                "Ahead of the next",
            ],
            rows,
            {0, 3, 4, 5, 6, 7},
        )
    )
    out.append(f"<p class='note'>{_e(words.NO_VALUE_PER_DAY_REASON)}</p>")
    for call in words.close_calls(pr.table):
        out.append(f"<p class='note'>{_e(call)}</p>")
    out.append(trade_off_maps(pr))
    out.append("<h3>The accepted set</h3>")
    out.append(f"<p>{_e(words.accepted_sentence(accepted, names))}</p>")
    if combination is not None:
        together = [ses.candidate(c).name for c in combination.ids]
        d = combination.deltas.set_index("metric")
        out.append(f"<h3>Together: {_e(', '.join(together))}</h3>")
        out.append(
            _table(
                ["Paired difference (together - base)", "Mean", "90% interval"],
                [
                    [
                        RESULT_LABELS.get(m, m),
                        f"{d.loc[m, 'mean']:+,.1f}",
                        f"[{d.loc[m, 'ci_low']:+,.1f}, {d.loc[m, 'ci_high']:+,.1f}]",
                    ]
                    for m in ("delivery_day", "npv", "cost")
                    if m in d.index
                ],
                {1, 2},
            )
        )
    if best:
        out.append("<h3>Best set</h3>")
        effect = pr.effect(best[-1]["ids"])
        sentence = words.best_set_sentence(effect, pr.left_out(best), names, ses.constraint)
        out.append(f"<p>{_e(sentence)}</p>")
    out.append("<h3>Decisions</h3>")
    if decisions:
        decisions = dict(sorted(decisions.items(), key=lambda kv: kv[1].decided_at))
        rows = [
            [
                ses.candidate(c).name if c in ses.ids() else c,
                dec.decision,
                dec.rationale,
                dec.decided_by,
                f"{dec.decided_at:%Y-%m-%d %H:%M}",
            ]
            for c, dec in decisions.items()
        ]
        out.append(_table(["Candidate", "Decision", "Rationale", "By", "When"], rows))
    else:
        out.append(f"<p class='note'>{_e(store_note or 'No decision recorded yet.')}</p>")
    return "".join(out)


# ----------------------------------------------------------------- the page
def status_section(res: Any, entries: list[dict[str, Any]] | None = None) -> str:
    """Where we are, what changed since the plan and the last record, and the trail.

    ``res`` is a re-forecast (``simulation.track.Reforecast``); ``entries`` the plan's
    recorded trail (``simulation.track.trail``), oldest first.
    """
    from simulation.track.trail import latest_change, trail_table

    now = res.summary() | res.status_summary()
    plan = res.plan_summary or now
    facts = [f"{len(res.done)} items done", f"{len(res.in_progress)} in progress"]
    if res.overrunning:
        facts.append("overrunning: " + ", ".join(res.overrunning))
    fit = res.adoption_fit
    if fit is not None and fit.fitted:
        facts.append(f"adoption fitted to {fit.points} measurements")
    where = (
        f"<p>As of {_date(now['as_of'])}: {_e('; '.join(facts))}. Value realised to date: "
        f"{_money(res.realised_value)}.</p>"
    )
    rows = [
        ["P85 delivery", _date(plan["delivery"]["p85_date"]), _date(now["delivery"]["p85_date"])],
        [
            "On-time chance",
            _pct(plan["delivery"].get("on_time_probability")),
            _pct(now["delivery"].get("on_time_probability")),
        ],
        ["Mean NPV", _money(plan["value"]["npv_mean"]), _money(now["value"]["npv_mean"])],
        [
            "Outcome chance",
            _pct(plan["value"].get("outcome_probability")),
            _pct(now["value"].get("outcome_probability")),
        ],
    ]
    out = ["<h2>Where we are</h2>", where, _table(["", "Plan", "Now"], rows)]
    if entries:
        sentence = latest_change(entries)
        if sentence:
            out.append(f"<p>{_e(sentence)}</p>")
        table = trail_table(entries)
        out.append(
            _table(
                ["As of", "P50", "P85", "On time", "Mean NPV", "Outcome"],
                [
                    [
                        _date(r.as_of),
                        _date(r.p50_date),
                        _date(r.p85_date),
                        _pct(r.on_time_probability),
                        _money(r.npv_mean),
                        _pct(r.outcome_probability),
                    ]
                    for r in table.itertuples()
                ],
            )
        )
        lines = pd.DataFrame(
            [
                {"label": "Plan P85", "date": plan["delivery"].get("p85_date")},
                {"label": "Deadline", "date": plan["delivery"].get("deadline")},
            ]
        ).dropna()
        out.append(
            _figure(
                vega.trail_spec(table, lines),
                "The band runs from the P50 to the P85 delivery date of each recorded "
                "re-forecast, by its as-of date.",
            )
        )
    return "".join(out)


#: Characters written as ``\\uXXXX`` inside the report's JSON block: ``<`` and ``>``
#: (no ``</script>`` and no ``<!--`` can end the block or hide the rest of the page),
#: ``&`` (no character reference), and U+2028/U+2029 (line breaks to JavaScript).
_JSON_ESCAPES = {c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def json_block(data: Any) -> str:
    """``data`` as JSON text safe inside ``<script type='application/json'>``:
    ``JSON.parse`` of the element's text gives ``data`` back whatever its names hold
    (``docs/reference/security.md``)."""
    text = json.dumps(data, ensure_ascii=False)
    return "".join(_JSON_ESCAPES.get(c, c) for c in text)


def report_html(
    res: Results,
    comparison: Comparison | None = None,
    notes: dict[str, list[str]] | None = None,
    prioritisation: Prioritisation | None = None,
    combination: Combination | None = None,
    decisions: dict[str, Any] | None = None,
    store_note: str = "",
    prepared: dt.date | None = None,
    trail: list[dict[str, Any]] | None = None,
    best: list[dict[str, Any]] | None = None,
    accepted: dict[str, Any] | None = None,
) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    res : Results
        The base scenario's results (the forecast the report is about).
    comparison : Comparison, optional
        Variants run against ``res``'s scenario (``notes``: their changes in words).
    prioritisation : Prioritisation, optional
        A Decide session's ranking; ``combination``, ``decisions`` (candidate
        id -> stored decision), ``best`` (the best set's steps) and ``accepted``
        (the accepted set's effect) go with it.
    prepared : date, optional
        The date printed as "prepared on" (default today).
    trail : list of dict, optional
        When ``res`` is a re-forecast: the plan's recorded trail, for the status section.
    """
    sc = res.scenario
    prepared = prepared or dt.date.today()
    s = res.summary()
    body = [
        f"<h1>{_e(sc.name)}</h1>",
        f"<p class='meta'>Report for the steering committee · prepared "
        f"{prepared.day} {prepared:%b %Y} · {s['runs']:,} simulated futures, seed "
        f"{s['seed']}</p>",
        situation(res),
    ]
    if getattr(res, "as_of", None) is not None:  # a re-forecast from a status
        body.append(status_section(res, trail))
    body.append(lenses(res))
    if comparison is not None:
        body.append(variants_section(comparison, notes))
    if prioritisation is not None:
        body.append(
            session_section(prioritisation, combination, decisions, store_note, best, accepted)
        )
    body += [drivers_section(res), assumptions(res), method(res)]
    # The summary as data (a JSON block, never run): the report's numbers, for machines.
    data = json_block(s)
    body.append(f"<script type='application/json' id='summary'>{data}</script>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(sc.name)}: report</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


# ----------------------------------------------------------------- files
def chromium() -> str | None:
    """The Chromium (or Chrome) executable, or None when none is installed."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_report(text: str, out: Path) -> None:
    """Write the HTML; an unwritable path is bad input (``--out``). The folder must
    exist: a mistyped path is refused, not created (perhaps as another user)."""
    if not out.parent.is_dir():
        raise ScenarioError(
            f"--out: the folder '{out.parent}' does not exist; create it first or give another path"
        )
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            f"--out: cannot write the report to '{out}': {exc.strerror or exc}"
        ) from None


def print_pdf(html_path: Path, pdf_path: Path, browser: str | None = None) -> None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (A4, no header or footer).

    Raises
    ------
    ScenarioError
        When Chromium is not installed, the PDF cannot be written, or printing fails.
    """
    browser = browser or chromium()
    if browser is None:
        raise ScenarioError(
            "--pdf: Chromium is not installed (looked for "
            f"{', '.join(CHROMIUM_NAMES)} and $CHROMIUM); the HTML report "
            "was written, print it from a browser instead"
        )
    try:
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
            done = subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf_path.resolve()}",
                    html_path.resolve().as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=PDF_TIMEOUT_S,
            )
    except subprocess.TimeoutExpired:
        raise ScenarioError(f"--pdf: Chromium did not finish within {PDF_TIMEOUT_S} s") from None
    except OSError as exc:
        raise ScenarioError(f"--pdf: cannot print to '{pdf_path}': {exc.strerror or exc}") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise ScenarioError(
            f"--pdf: Chromium could not print '{pdf_path}' (exit {done.returncode}: {tail[0]})"
        )


# ----------------------------------------------------------------- from scenarios
def forecast_report(sc, runs=None, seed=None, workers=None, progress=None) -> str:
    """Simulate ``sc`` (its own runs and seed unless given) and report on it."""
    from simulation.engine.runner import run

    # The report draws all three tables: runs (delivery weeks), weekly (the value fan),
    # items (criticality).
    res = run(sc, runs=runs, seed=seed, workers=workers, progress=progress, tables="all")
    return report_html(res)


def status_report(status, runs=None, seed=None) -> str:
    """Re-forecast from ``status`` and report on it, with the plan's recorded trail."""
    from simulation.store import StoreError
    from simulation.store.trail import trail
    from simulation.track import track
    from simulation.track.trail import plan_key

    res = track(status, runs=runs, seed=seed)
    try:
        rows = trail(plan_key(status.plan_ref))
    except StoreError:
        rows = []
    entries = [
        {"as_of": r.as_of.isoformat(), "status": r.status, "summary": r.summary} for r in rows
    ]
    return report_html(res, trail=entries)


def comparison_report(
    scenarios: dict,
    notes: dict[str, list[str]] | None = None,
    runs=None,
    seed=None,
    workers=None,
    progress=None,
) -> str:
    """Run the first scenario and the variants under the same seeds and report on all."""
    from simulation.engine.runner import compare

    # The base is drawn as in forecast_report (all three tables); the variants as numbers.
    cmp = compare(scenarios, runs=runs, seed=seed, workers=workers, progress=progress, tables="all")
    return report_html(cmp.results[cmp.baseline], comparison=cmp, notes=notes)


def stored_decisions(ses) -> tuple[dict[str, Any], str]:
    """The newest stored decision per candidate of session ``ses`` (under its id; a
    session without one, its name's records from before sessions had ids), and a note
    when the store cannot be read."""
    from simulation.store import StoreError
    from simulation.store.decisions import latest_decisions

    try:
        return latest_decisions(ses.name, session_id=ses.id), ""
    except StoreError as exc:
        return {}, f"The decisions could not be read from the store: {exc}"


def session_report(
    ses,
    runs=None,
    seed=None,
    workers=None,
    progress=None,
    pr: Prioritisation | None = None,
    combination: Combination | None = None,
    best: list[dict[str, Any]] | None = None,
) -> str:
    """Rank a Decide session (unless ``pr`` is given) and report on it with its decisions.

    The combination shown is ``combination`` if given, else the accepted
    candidates together (when two or more are accepted). The best set is
    ``best`` (:meth:`~simulation.decide.prioritise.Prioritisation.best_set`'s
    steps) if given, else searched here.
    """
    from simulation.decide.prioritise import prioritise

    pr = pr or prioritise(ses, runs=runs, seed=seed, workers=workers, progress=progress)
    decisions, note = stored_decisions(ses)
    decisions = {c: d for c, d in decisions.items() if c in ses.ids()}
    accepted = [c for c in ses.ids() if c in decisions and decisions[c].decision == "accept"]
    if combination is None and len(accepted) >= 2:
        combination = pr.combine(accepted)
    return report_html(
        pr.base,
        prioritisation=pr,
        combination=combination,
        decisions=decisions,
        store_note=note,
        best=best if best is not None else pr.best_set(),
        accepted=pr.effect(accepted) if accepted else None,
    )
