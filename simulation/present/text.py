"""Plain-text forecasts: the sentences and number formats the command line prints."""

from __future__ import annotations

import re
from typing import Any, TextIO

from simulation.engine.summary import RESULT_LABELS

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
