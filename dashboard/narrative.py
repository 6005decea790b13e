"""Plain-words sentences under each lens: what the numbers mean for the room.

Pure functions of the engine's summary dict (``Results.summary()``), so they
are tested without Streamlit and read the same on every page.
"""

from __future__ import annotations

from typing import Any

from simulation.present.markdown import escape_markdown
from simulation.present.sentences import (  # noqa: F401 (the pages call them from here)
    product_sentence,
    project_sentence,
    undelivered_note,
)

from . import fmt


def delta_sentence(
    name: str,
    base: dict[str, Any],
    other: dict[str, Any],
    deltas: dict[str, dict[str, float]],
    shift_days: dict[str, float],
) -> str:
    """One variant against the baseline in words, with the paired intervals.

    ``deltas`` maps a metric key (``delivery_day``, ``npv``, ``on_time``,
    ``outcome``) to its paired ``mean``, ``ci_low``, ``ci_high``;
    ``shift_days`` holds the P50 and P85 date shifts in working days.
    """
    bd, od = base["delivery"], other["delivery"]
    parts = [f"**{escape_markdown(name)}**:", date_headline(bd, od, shift_days)]
    shift = deltas.get("delivery_day", {})
    mean = shift.get("mean")
    if mean is not None and not fmt.is_missing(mean) and abs(mean) >= 0.05:
        word = "later" if mean > 0 else "earlier"
        parts.append(
            f"Future by future, delivery is {fmt.days(abs(mean), working=True)} {word}"
            " on average"
            f"{_interval(shift, lambda x: fmt.days(x, signed=True))}."
        )
    if bd.get("deadline"):
        parts.append(
            f"On-time chance {fmt.pct(bd.get('on_time_probability'))} → "
            f"{fmt.pct(od.get('on_time_probability'))}"
            f"{_change(deltas.get('on_time', {}), fmt.points)}."
        )
    npv = deltas.get("npv", {})
    if npv:
        parts.append(
            f"NPV {fmt.money(base['value'].get('npv_mean'))} → "
            f"{fmt.money(other['value'].get('npv_mean'))}"
            f"{_change(npv, lambda x: fmt.money(x, signed=True))}."
        )
    parts.append(
        f"Outcome chance {fmt.pct(base['value'].get('outcome_probability'))} → "
        f"{fmt.pct(other['value'].get('outcome_probability'))}"
        f"{_change(deltas.get('outcome', {}), fmt.points)}."
    )
    first = shift_days.get("first_value")
    if first is not None and not fmt.is_missing(first) and abs(first) >= 0.5:
        word = "later" if first > 0 else "earlier"
        parts.append(
            f"Users first get value {fmt.days(abs(first), working=True)} {word} "
            f"({fmt.short_date(base['value'].get('first_value_date_p50'))} → "
            f"{fmt.date(other['value'].get('first_value_date_p50'))}, P50)."
        )
    return " ".join(parts)


def date_headline(bd: dict[str, Any], od: dict[str, Any], shift_days: dict[str, float]) -> str:
    """The P50 and P85 dates in one sentence, the larger shift first.

    "The P85 date stays" while the P50 slips ten working days reads as "no
    effect", so both are stated when they differ, leading with the one that
    moves most; when they move alike, one clause says so.
    """
    moves = {}
    for q in ("p50", "p85"):
        shift = shift_days.get(q)
        moves[q] = None if shift is None or fmt.is_missing(shift) else float(shift)
    if any(m is None for m in moves.values()):
        return (
            f"P50 delivery {fmt.date(bd.get('p50_date'))} → {fmt.date(od.get('p50_date'))}, "
            f"P85 {fmt.date(bd.get('p85_date'))} → {fmt.date(od.get('p85_date'))}."
        )

    def clause(q: str) -> str:
        label, m = q.upper(), moves[q]
        if abs(m) < 0.5:
            return f"the {label} date stays at {fmt.date(od.get(f'{q}_date'))}"
        word = "later" if m > 0 else "earlier"
        return (
            f"the {label} date moves {fmt.days(abs(m), working=True)} {word} "
            f"({fmt.short_date(bd.get(f'{q}_date'))} → {fmt.date(od.get(f'{q}_date'))})"
        )

    p50, p85 = moves["p50"], moves["p85"]
    if abs(p50) < 0.5 and abs(p85) < 0.5:
        return (
            f"the P50 and P85 dates stay at {fmt.date(od.get('p50_date'))} and "
            f"{fmt.date(od.get('p85_date'))}."
        )
    if abs(p50 - p85) < 0.5:
        word = "later" if p50 > 0 else "earlier"
        return (
            f"the P50 and P85 dates both move {fmt.days(abs(p50), working=True)} {word} "
            f"(to {fmt.date(od.get('p50_date'))} and {fmt.date(od.get('p85_date'))})."
        )
    first, second = ("p50", "p85") if abs(p50) > abs(p85) else ("p85", "p50")
    return f"{clause(first)}; {clause(second)}."


def _change(d: dict[str, float], f) -> str:
    """`` (+6 pp, 90% interval +4 pp to +8 pp)`` for a paired difference."""
    mean = d.get("mean")
    if mean is None or fmt.is_missing(mean):
        return ""
    text = f" ({f(mean)}"
    lo, hi = d.get("ci_low"), d.get("ci_high")
    if (
        lo is not None
        and hi is not None
        and not fmt.is_missing(lo)
        and not fmt.is_missing(hi)
        and f(lo) != f(hi)
    ):
        text += f", 90% interval {f(lo)} to {f(hi)}"
    return text + ")"


def _interval(d: dict[str, float], f) -> str:
    lo, hi = d.get("ci_low"), d.get("ci_high")
    if lo is None or hi is None or fmt.is_missing(lo) or fmt.is_missing(hi) or f(lo) == f(hi):
        return ""
    return f" (90% interval {f(lo)} to {f(hi)})"


#: A paired mean delivery shift above this (working days) is "not earlier".
NOT_EARLIER_DAYS = -0.5
#: Share of the items with dependencies that must have waited on one to call it a chain.
CHAIN_SHARE = 0.5


#: What each reason of :func:`dashboard.page_tables.idle_parts` is, in words.
IDLE_REASONS = {
    "wip": "held back by the WIP limit",
    "waiting": "waiting for an item they depend on",
    "tail": "at the end, with nothing left to start while the last items finish",
}


def idle_words(idle: float, parts: dict[str, float] | None) -> str:
    """``68% of the paid person-days nobody had an item in hand: 40% held back by ...``.

    Idle means paid with no item in hand: the parts say why, largest first, and leave
    out those under half a percent.
    """
    text = f"{fmt.pct(idle)} of the paid person-days nobody had an item in hand"
    shown = sorted(((v, k) for k, v in (parts or {}).items() if v >= 0.005), reverse=True)
    if not shown:
        return text
    return text + ": " + ", ".join(f"{fmt.pct(v)} {IDLE_REASONS[k]}" for v, k in shown)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def why_sentences(
    facts: dict[str, Any] | None, mean_shift: float | None, p50_shift: float | None
) -> list[str]:
    """Why more people did not bring the date earlier: at most two sentences.

    ``facts`` is :func:`dashboard.page_tables.people_effect` (None: no more
    people, nothing to explain); the shifts are the paired mean and the P50
    delivery shift in working days. Empty when the date does get earlier.
    """
    if facts is None:
        return []
    # Not earlier: the paired mean moves less than half a day earlier, or the median
    # date does not move earlier (NaN, unknown, compares False: nothing said).
    not_earlier = (mean_shift is not None and mean_shift > NOT_EARLIER_DAYS) or (
        p50_shift is not None and p50_shift >= 0
    )
    if not not_earlier:
        return []
    out = []
    people, base_people = facts["people"]
    idle, base_idle = facts["idle"]
    if facts["wip_limit"] is not None:
        w = facts["wip_limit"]
        out.append(
            f"The WIP limit of {w} items lets at most {w} of the {people} people work "
            f"at once. {_first_upper(idle_words(idle, facts.get('idle_parts')))} "
            f"({fmt.pct(base_idle)} idle with {base_people} people in the baseline)."
        )
    for c in facts["newcomers"][:1]:
        busy, base_busy = facts["busy"]
        n = int(c.add)
        out.append(
            f"The {n} newcomer{'s' if n > 1 else ''} from day {c.at_day:g} start at "
            f"{fmt.pct(c.start_productivity)} of full productivity, need {c.ramp_up_days:g} "
            f"working days to get up to speed and each take{'s' if n == 1 else ''} "
            f"{fmt.pct(c.mentoring)} of an experienced colleague's time meanwhile (Brooks' "
            f"law): the same work kept people busy for {busy:,.0f} person-days instead of "
            f"{base_busy:,.0f}."
        )
    dependent = facts["dependent"]
    if dependent and facts["held"] >= CHAIN_SHARE * dependent:
        out.append(
            f"In the median future {facts['held']:g} of the {dependent} items that "
            "depend on others started the moment the item they wait for was done: a "
            "chain of dependent items sets the pace, and more people cannot shorten it "
            f"({idle_words(idle, facts.get('idle_parts'))})."
        )
    return out[:2]
