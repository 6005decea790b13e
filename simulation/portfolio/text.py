"""Plain-text portfolio forecasts: what ``portfolio`` prints (numbers as everywhere else).

Number formats are :mod:`simulation.present.text`'s; this module only lays the
portfolio's summary and its ripple out as tables.
"""

from __future__ import annotations

from typing import Any

from simulation.present.text import fmt, money


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def format_portfolio(s: dict[str, Any]) -> str:
    """Per initiative: P50 and P85 delivery, on time, NPV, outcome; then the portfolio."""
    lines = [
        f"{s['portfolio']}  ({s['runs']:,} runs, seed {s['seed']})",
        "",
        f"  {'initiative':<14}{'P50 date':>12}{'P85 date':>12}{'on time':>9}"
        f"{'NPV mean':>14}{'outcome':>9}",
    ]
    for iid, one in s["initiatives"].items():
        d, v = one["delivery"], one["value"]
        lines.append(
            f"  {iid:<14}{d['p50_date'] or 'never':>12}{d['p85_date'] or 'never':>12}"
            f"{_pct(d['on_time_probability']):>9}{money(v['npv_mean']):>14}"
            f"{_pct(v['outcome_probability']):>9}"
        )
    lines += [
        "",
        f"  All on time   {_pct(s['all_on_time_probability'])} chance that every "
        "initiative meets its deadline",
        f"  Portfolio     value mean {money(s['value_mean'])}   NPV mean {money(s['npv_mean'])}"
        f"   (shared people idle: {money(s.get('shared_idle_cost_mean'))})",
    ]
    for gone in s.get("cancelled", []):
        lines.append(f"  Cancelled     {gone}")
    return "\n".join(lines)


#: The paired metrics the ripple table shows per initiative.
METRICS = ("delivery_day", "on_time", "npv", "outcome")


def _signed(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "n/a"
    # round() then + 0.0: a difference that rounds to zero reads +0, never -0.
    return f"{round(x * 100, 1) + 0.0:+.1f}pp" if pct else f"{round(x, 1) + 0.0:+,.1f}"


def format_ripple(deltas: dict[str, dict[str, Any]]) -> str:
    """What a variant does to every initiative (paired means) and to the portfolio."""
    lines = [f"  {'initiative':<14}{'Δ days':>12}{'Δ on time':>11}{'Δ NPV':>14}{'Δ outcome':>11}"]
    for iid, m in deltas.items():
        if iid == "portfolio":
            continue
        if m.get("cancelled"):
            lines.append(
                f"  {iid:<14}{'cancelled':>12}{'':>11}{money(m['npv']['mean']):>14}{'':>11}"
            )
            continue
        mean = {key: (m.get(key) or {}).get("mean") for key in METRICS}
        lines.append(
            f"  {iid:<14}{_signed(mean['delivery_day']):>12}{_signed(mean['on_time'], True):>11}"
            f"{_signed(mean['npv']):>14}{_signed(mean['outcome'], True):>11}"
        )
    p = deltas["portfolio"]
    lines.append(
        f"  {'portfolio':<14}{'':>12}{_signed(p['all_on_time']['mean'], True):>11}"
        f"{_signed(p['npv']['mean']):>14}{'':>11}   (all on time, NPV; "
        f"90% CI of Δ NPV [{fmt(p['npv']['ci90'][0], ',.0f')}, {fmt(p['npv']['ci90'][1], ',.0f')}])"
    )
    return "\n".join(lines)
