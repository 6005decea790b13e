"""Plain-text forecasts: the lines the command line prints, in the shared formats
of :mod:`simulation.present.formats` (money ``1.04 M``, dates ``4 May 2027``)."""

from __future__ import annotations

from typing import Any

from simulation.engine.summary import RESULT_LABELS
from simulation.present.formats import date, money, pct, points


def fmt(x: Any, spec: str = ".1f") -> str:
    """``x`` in ``spec``, ``n/a`` when unknown."""
    return "n/a" if x is None else format(x, spec)


def format_summary(s: dict[str, Any]) -> str:
    """Readable forecast: the project lens, then the product lens."""
    d, c, v = s["delivery"], s["cost"], s["value"]
    lines = [
        f"{s['scenario']}  ({s['runs']:,} runs, seed {s['seed']})",
        "",
        "Project lens",
        f"  Delivery  P50 {date(d['p50_date'])} (day {fmt(d['p50_day'])})   "
        f"P85 {date(d['p85_date'])} (day {fmt(d['p85_day'])})   "
        f"P95 {date(d['p95_date'])} (day {fmt(d['p95_day'])})",
    ]
    if d.get("on_time_probability") is not None:
        lines.append(
            f"  On time   {pct(d['on_time_probability'])} chance of delivering by "
            f"{date(d['deadline'])}"
        )
    if d.get("undelivered_runs"):
        lines.append(
            f"  Warning   {d['undelivered_runs']} runs did not deliver within the "
            "20-year simulated-time cap"
        )
    lines += [
        f"  Cost      mean {money(c['mean'])}   P85 {money(c['p85'])}",
        "",
        "Product lens",
        f"  First value  P50 {date(v['first_value_date_p50'])} "
        f"(day {fmt(v['first_value_day_p50'])})",
        f"  NPV          mean {money(v['npv_mean'])}   P50 {money(v['npv_p50'])}"
        f"   ROI {fmt(v['roi_mean'], '.2f')}",
        f"  Outcome      {v['outcome']}: {pct(v['outcome_probability'])} chance"
        + (f" by {date(v['outcome_by'])}" if v.get("outcome_by") else " within the horizon"),
    ]
    return "\n".join(lines)


def format_deltas(deltas: dict[str, dict[str, Any]]) -> str:
    """Paired differences: mean with its 90% confidence interval."""
    out = []
    for key, d in deltas.items():
        label = RESULT_LABELS.get(key, key)
        if d["mean"] is None:
            out.append(f"  {label:<28} n/a")
            continue
        if key in ("on_time", "outcome"):
            f = points
        elif key in ("npv", "cost", "value"):
            f = lambda x: money(x, signed=True)  # noqa: E731
        else:  # days: round() then + 0.0, so a zero difference reads +0.0, never -0.0
            f = lambda x: "n/a" if x is None else f"{round(x, 1) + 0.0:+,.1f}"  # noqa: E731
        lo, hi = d["ci90"]
        out.append(f"  {label:<28} {f(d['mean']):>14}   90% CI [{f(lo)}, {f(hi)}]")
    return "\n".join(out)
