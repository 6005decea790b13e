"""The portfolio section of the steering-committee report, and the portfolio report.

One self-contained HTML page (the report's style and table helpers,
:mod:`simulation.report.document`): every initiative's delivery and value, the
chance that all are on time, the portfolio's value and NPV, and for each
variant the ripple of its change across the initiatives
(``docs/reference/portfolio.md``). User text (names, descriptions) is escaped.
"""

from __future__ import annotations

import datetime as dt

from simulation.portfolio.runs import PortfolioComparison, PortfolioResults
from simulation.report.document import (
    STYLE,
    _date,
    _days,
    _e,
    _money,
    _pct,
    _table,
    json_block,
    model_version,
)


def _points(x: float | None) -> str:
    return "n/a" if x is None else f"{round(x * 100, 1) + 0.0:+.1f} pp"


def portfolio_section(res: PortfolioResults) -> str:
    """Per initiative both lenses, then the portfolio's numbers."""
    s = res.summary()
    rows = []
    for iid, one in s["initiatives"].items():
        d, v = one["delivery"], one["value"]
        rows.append(
            [
                iid,
                _date(d["p50_date"]),
                _date(d["p85_date"]),
                _date(d["deadline"]),
                _pct(d["on_time_probability"]),
                _money(v["npv_mean"]),
                _pct(v["outcome_probability"]),
            ]
        )
    head = ["Initiative", "P50 delivery", "P85 delivery", "Deadline", "On time", "NPV", "Outcome"]
    return (
        "<h2>The portfolio</h2>"
        f"<p>Initiatives in priority order. In {_pct(s['all_on_time_probability'])} of the "
        "simulated futures every initiative meets its deadline. The portfolio's value is "
        f"{_money(s['value_mean'])} and its NPV {_money(s['npv_mean'])} on average, after "
        f"{_money(s['shared_idle_cost_mean'])} paid to shared people while no initiative "
        "needed them.</p>" + _table(head, rows, numeric={4, 5, 6})
    )


def ripple_section(cmp: PortfolioComparison, notes: dict[str, list[str]]) -> str:
    """For each variant: its changes and what they do to every initiative."""
    parts = ["<h2>What each change does to every initiative</h2>"]
    for name, deltas in cmp.deltas.items():
        changes = "".join(f"<li>{_e(line)}</li>" for line in notes.get(name, []))
        rows = []
        for iid, m in deltas.items():
            if iid == "portfolio":
                continue
            if m.get("cancelled"):
                rows.append([iid, "cancelled", "", _money(m["npv"]["mean"]), ""])
                continue
            rows.append(
                [
                    iid,
                    _days(m["delivery_day"]["mean"], signed=True),
                    _points(m["on_time"]["mean"]),
                    _money(m["npv"]["mean"]),
                    _points(m["outcome"]["mean"]),
                ]
            )
        p = deltas["portfolio"]
        rows.append(
            [
                "Portfolio",
                "",
                _points(p["all_on_time"]["mean"]) + " (all)",
                _money(p["npv"]["mean"]),
                "",
            ]
        )
        head = ["Initiative", "Δ delivery (working days)", "Δ on time", "Δ NPV", "Δ outcome"]
        parts.append(
            f"<h3>{_e(name)}</h3><ul>{changes}</ul>" + _table(head, rows, numeric={1, 2, 3, 4})
        )
    return "".join(parts)


def portfolio_report_html(
    res: PortfolioResults,
    comparison: PortfolioComparison | None = None,
    notes: dict[str, list[str]] | None = None,
    prepared: dt.date | None = None,
) -> str:
    """The portfolio report as one self-contained HTML page."""
    p = res.portfolio
    prepared = prepared or dt.date.today()
    s = res.summary()
    body = [
        f"<h1>{_e(p.name)}</h1>",
        f"<p class='meta'>Portfolio report for the steering committee · prepared "
        f"{prepared.day} {prepared:%b %Y} · {s['runs']:,} simulated futures, seed "
        f"{s['seed']}</p>",
    ]
    if p.description:
        body.append(f"<p>{_e(p.description)}</p>")
    body.append(portfolio_section(res))
    if comparison is not None and comparison.deltas:
        body.append(ripple_section(comparison, notes or {}))
    body.append(
        "<h2>How it was computed</h2>"
        f"<p>{s['runs']:,} simulated futures of every initiative together on one clock; "
        "shared people take the ready work of the highest-priority initiative they serve. "
        "Each initiative draws from its own named random streams, and every variant runs "
        "on the same futures, so a difference is the effect of the change. Model version "
        f"{_e(model_version())}.</p>"
    )
    body.append(f"<script type='application/json' id='summary'>{json_block(s)}</script>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(p.name)}: portfolio report</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
