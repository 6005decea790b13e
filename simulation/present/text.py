"""Plain-text forecasts: the lines the command line prints, in the shared formats
of :mod:`simulation.present.formats` (money ``1.04 M``, dates ``4 May 2027``)."""

from __future__ import annotations

import re
from typing import Any, TextIO

from simulation.engine.plan import MAX_SIM_DAYS
from simulation.engine.summary import RESULT_LABELS
from simulation.present.formats import date, money, pct, points

#: The simulated-time cap as people read it (a run not closed by then never delivers).
CAP = f"{MAX_SIM_DAYS:,.0f} working days"
#: What a delivery percentile that no future reaches within the cap reads as.
NOT_WITHIN_CAP = f"not within {CAP}"
#: The forecast when no simulated future delivers (no dates to give).
NO_FUTURE_DELIVERS = f"No simulated future delivers the whole scope within {CAP}."

# What a terminal acts on instead of showing: C0 controls but tab, line feed and
# carriage return (the progress line's own), DEL and the C1 controls (ESC and CSI
# start colour, cursor and title sequences), lone surrogates, and the bidirectional
# overrides that reorder what a line appears to say.
_TERMINAL_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal: each control character it holds is shown
    as its escape (``\\x1b``, ``\\u202e``) instead of being acted on
    (``docs/reference/security.md``)."""
    return _TERMINAL_CONTROL.sub(_visible, text)


class TerminalStream:
    """A text stream that writes through :func:`terminal_text`: the command line prints
    names, file contents and messages quoting them, never raw control characters."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def delivery_when(iso: str | None, day: float | None = None) -> str:
    """A delivery percentile: its date (and working day), or :data:`NOT_WITHIN_CAP`."""
    if iso is None:
        return NOT_WITHIN_CAP
    return date(iso) if day is None else f"{date(iso)} (day {fmt(day)})"


def never_delivers_note(counts: dict[str, int], runs: int) -> str | None:
    """How many futures never deliver, per scenario; None when every future delivers.

    ``counts`` maps a name (e.g. "the base" or a candidate id) to its futures that
    never deliver, out of ``runs``. Such a future counts as delivering on the
    cap's last day in the Decide job's differences (docs/explanation/never-delivers.md).
    """
    shown = [f"{name} {n:,} of {runs:,}" for name, n in counts.items() if n]
    if not shown:
        return None
    return (
        f"Futures that never deliver within {CAP}: {', '.join(shown)}; "
        f"each counts as delivering on day {MAX_SIM_DAYS:,.0f}."
    )


def fmt(x: Any, spec: str = ".1f") -> str:
    """``x`` in ``spec``, ``n/a`` when unknown."""
    return "n/a" if x is None else format(x, spec)


def format_summary(s: dict[str, Any]) -> str:
    """Readable forecast: the project lens, then the product lens."""
    d, c, v = s["delivery"], s["cost"], s["value"]
    lines = [f"{s['scenario']}  ({s['runs']:,} runs, seed {s['seed']})", "", "Project lens"]
    if d.get("delivered_runs") == 0:
        lines.append(f"  Delivery  {NO_FUTURE_DELIVERS}")
    else:
        lines.append(
            "  Delivery  "
            + "   ".join(
                f"P{q} {delivery_when(d[f'p{q}_date'], d[f'p{q}_day'])}" for q in (50, 85, 95)
            )
        )
    if d.get("on_time_probability") is not None:
        lines.append(
            f"  On time   {pct(d['on_time_probability'])} chance of delivering by "
            f"{date(d['deadline'])}"
        )
    if d.get("undelivered_runs") and d.get("delivered_runs"):
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


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for one: "1 risk", "2 risks", "0 items"."""
    return f"{n} {noun if abs(n) == 1 else (plural or noun + 's')}"


def _count(n: int, word: str) -> str:
    return f"{counted(n, 'item')} {word}"


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
