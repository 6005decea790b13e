"""Plain-text forecasts: the sentences and number formats the command line prints."""

from __future__ import annotations

from typing import Any

from simulation.engine.summary import RESULT_LABELS


def money(x: float | None) -> str:
    """Money with thousands separators and no decimals, ``n/a`` when unknown."""
    return "n/a" if x is None else f"{x:,.0f}"


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
        f"  Delivery  P50 {d['p50_date']} (day {fmt(d['p50_day'])})   "
        f"P85 {d['p85_date']} (day {fmt(d['p85_day'])})   "
        f"P95 {d['p95_date']} (day {fmt(d['p95_day'])})",
    ]
    if d.get("on_time_probability") is not None:
        lines.append(
            f"  On time   {d['on_time_probability']:.0%} chance of delivering by {d['deadline']}"
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
        f"  First value  P50 {v['first_value_date_p50']} (day {fmt(v['first_value_day_p50'])})",
        f"  NPV          mean {money(v['npv_mean'])}   P50 {money(v['npv_p50'])}"
        f"   ROI {fmt(v['roi_mean'], '.2f')}",
        f"  Outcome      {v['outcome']}: {fmt(v['outcome_probability'], '.0%')} chance"
        + (f" by {v['outcome_by']}" if v.get("outcome_by") else " within the horizon"),
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
        pct = key in ("on_time", "outcome")
        # round() then + 0.0: a difference that rounds to zero reads +0.0, never -0.0.
        f = (
            (lambda x: "n/a" if x is None else f"{round(x, 3) + 0.0:+.1%}")
            if pct
            else (lambda x: "n/a" if x is None else f"{round(x, 1) + 0.0:+,.1f}")
        )
        lo, hi = d["ci90"]
        out.append(f"  {label:<28} {f(d['mean']):>14}   90% CI [{f(lo)}, {f(hi)}]")
    return "\n".join(out)


def _count(n: int, word: str) -> str:
    return f"{n} item{'s' if abs(n) != 1 else ''} {word}"


def since_last_record(prev: dict[str, Any], now: dict[str, Any]) -> str:
    """What changed between two re-forecasts, in one sentence (``docs/reference/track.md``).

    ``prev`` and ``now`` are trail entries: ``{"status": the status as written,
    "summary": the run summary with the re-forecast's fields}``. Working days for
    the date, percent for NPV, percentage points for the outcome chance.
    """
    ps, ns = prev["summary"], now["summary"]
    done = int(ns.get("done", 0)) - int(ps.get("done", 0))
    added = len(now["status"].get("added") or []) - len(prev["status"].get("added") or [])
    removed = len(now["status"].get("removed") or []) - len(prev["status"].get("removed") or [])
    scope = [_count(done, "done")]
    if added:
        scope.append(_count(added, "added"))
    if removed:
        scope.append(_count(removed, "removed"))
    parts = [", ".join(scope)]
    p85 = (ns["delivery"].get("p85_day"), ps["delivery"].get("p85_day"))
    if None not in p85:
        moved = p85[0] - p85[1]
        parts.append(
            "the P85 date did not move"
            if abs(moved) < 0.5
            else f"the P85 date moved {abs(moved):.0f} working days "
            f"{'later' if moved > 0 else 'earlier'}"
        )
    npv = (ns["value"].get("npv_mean"), ps["value"].get("npv_mean"))
    if None not in npv and npv[1]:
        parts.append(f"NPV {(npv[0] - npv[1]) / abs(npv[1]):+.0%}".replace("-", "\u2212"))
    chance = (ns["value"].get("outcome_probability"), ps["value"].get("outcome_probability"))
    if None not in chance:
        pp = (chance[0] - chance[1]) * 100
        parts.append(f"outcome chance {pp:+.0f} pp".replace("-", "\u2212"))
    return (
        f"Since the last record ({ps.get('as_of') or prev.get('as_of')}): " + "; ".join(parts) + "."
    )


def format_trail(rows: list[dict[str, Any]]) -> str:
    """The trail as aligned text, oldest first (dates ISO, chances %, money rounded)."""
    head = ("As of", "P50", "P85", "On time", "Mean NPV", "Outcome", "Realised")
    body = [
        (
            str(r["as_of"]),
            str(r["p50_date"]),
            str(r["p85_date"]),
            fmt(r["on_time_probability"], ".0%"),
            money(r["npv_mean"]),
            fmt(r["outcome_probability"], ".0%"),
            money(r["realised_value"]),
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=False)]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in (head, *body)
    )
