"""How a prioritisation session reads: the ranking rule, rank confidence, the best set
and the accepted set in words (``docs/how-to/run-a-prioritisation-session.md``).

The Decide page and the report print these same sentences, so the room reads
the same words on the projector and in the document it takes away. Every
function takes plain numbers and names (the Decide job computes them); none
simulates anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulation.present.formats import days, is_missing, money, pct, points

#: How the ranking is made, in one sentence (the page and the report print it as is).
RANK_RULE = (
    "Candidates are ranked on their mean differences against the base in the same "
    "simulated futures: gains first (most NPV added first), then trade-offs by NPV "
    "per day of delay, then savings (least NPV given up first), then losses; "
    "“ahead of the next” is the share of those futures in which a candidate ranks "
    "above the next one down by the same rule."
)
#: Below this share of futures a candidate's lead over the next one is a close call.
CLOSE_CALL = 0.75
#: What a missing value per day reads as, and why (a candidate that is not later).
NO_VALUE_PER_DAY = "—"
NO_VALUE_PER_DAY_REASON = "— means no delay, so no value per day of delay."
#: The constraint keys of a session in words.
CONSTRAINT_NAMES = {
    "on_time_probability": "on-time chance",
    "outcome_probability": "outcome chance",
}


def and_list(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def value_per_day(x: Any) -> str:
    """NPV per working day of delay, or :data:`NO_VALUE_PER_DAY` when not later."""
    return NO_VALUE_PER_DAY if is_missing(x) else money(x)


def ahead_note(confidence: Any, next_name: str) -> str:
    """Rank confidence where it shows: how often this candidate ranks above the next.

    ``confidence`` is the share of futures (0 to 1); missing on the last row.
    Below :data:`CLOSE_CALL` it is a close call; below one half the next one
    does better in most futures, which the note says in so many words.
    """
    if is_missing(confidence):
        return "last"
    c = float(confidence)
    if c >= CLOSE_CALL:
        return f"ahead of the next in {pct(c)} of futures"
    if c >= 0.5:
        return f"close call: ahead of “{next_name}” in only {pct(c)} of futures"
    return (
        f"close call: ahead on the means, but “{next_name}” does better on this "
        f"metric in {pct(1 - c)} of futures"
    )


def ahead_short(confidence: Any) -> str:
    """The rank confidence in a table cell: ``92%``, or ``68% · close call``."""
    if is_missing(confidence):
        return "last"
    c = float(confidence)
    return pct(c) if c >= CLOSE_CALL else f"{pct(c)} · close call"


def close_calls(table: Any) -> list[str]:
    """The close calls of a ranking in words: ``#1 “A”: close call: ...``.

    ``table``: the ranking (``rank``, ``name``, ``rank_confidence`` columns) in
    rank order, as the Decide job's table has them.
    """
    names = list(table["name"])
    out = []
    for i, (rank, conf) in enumerate(zip(table["rank"], table["rank_confidence"], strict=True)):
        if not is_missing(conf) and float(conf) < CLOSE_CALL:
            out.append(f"#{rank} “{names[i]}”: {ahead_note(conf, names[i + 1])}.")
    return out


def constraint_words(constraint: Mapping[str, float]) -> str:
    """``on-time chance at least 60%``; ``no constraint`` when there is none."""
    if not constraint:
        return "no constraint"
    return and_list([f"{CONSTRAINT_NAMES[k]} at least {pct(v)}" for k, v in constraint.items()])


def broken_words(broken: Sequence[tuple[str, float, float]]) -> str:
    """``take the on-time chance to 38%, below the 50% the session asked for``."""
    return and_list(
        [
            f"take the {CONSTRAINT_NAMES[k]} to {pct(v)}, below the {pct(floor)} "
            "the session asked for"
            for k, v, floor in broken
        ]
    )


def breaks(effect: Mapping[str, Any], constraint: Mapping[str, float]) -> list[tuple]:
    """The constraint keys a set's ``effect`` breaks: ``(key, value, floor)``."""
    return [
        (k, effect[k], floor)
        for k, floor in constraint.items()
        if not is_missing(effect.get(k)) and effect[k] < floor - 1e-12
    ]


def effect_words(effect: Mapping[str, Any]) -> str:
    """A set's effect against the base: dates, on-time chance, NPV and outcome chance.

    ``effect`` as :meth:`simulation.decide.prioritise.Prioritisation.effect`
    gives it (working days, money, probabilities from 0 to 1).
    """
    on_time = (
        f"on-time chance {pct(effect['on_time_probability'])} ({points(effect['on_time'])})"
        if not is_missing(effect.get("on_time_probability"))
        else "no deadline"
    )
    outcome = (
        f"outcome chance {pct(effect['outcome_probability'])} ({points(effect['outcome'])})"
        if not is_missing(effect.get("outcome_probability"))
        else "no outcome target"
    )
    return (
        f"P50 delivery {days(effect['p50_days'], signed=True)}, "
        f"P85 {days(effect['p85_days'], signed=True)}; {on_time}; "
        f"NPV {money(effect['npv'], signed=True)}; {outcome}"
    )


def best_set_sentence(
    effect: Mapping[str, Any],
    left_out: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    constraint: Mapping[str, float],
) -> str:
    """The recommended set in words, and why each other candidate was left out.

    ``effect``: the final set's effect (see :func:`effect_words`); ``left_out``:
    as :meth:`simulation.decide.prioritise.Prioritisation.left_out` gives it.
    """
    chosen = [names.get(c, c) for c in effect["ids"]]
    rule = constraint_words(constraint)
    if chosen:
        head = (
            f"Recommended: {and_list([f'“{n}”' for n in chosen])} ({rule}). "
            f"Against the base: {effect_words(effect)}."
        )
    else:
        head = f"Recommended: the base as it is; no candidate raises mean NPV with {rule}."
    reasons = []
    for entry in left_out:
        name = f"“{names.get(entry['id'], entry['id'])}”"
        if entry["reason"] == "constraint":
            reasons.append(f"{name} would {broken_words(entry['broken'])}")
        elif entry["reason"] == "fit":
            reasons.append(f"{name} changes the same things as the set and does not fit it")
        else:
            gained = entry["point"]["npv"] - effect["npv"]
            if gained < 0:
                reasons.append(f"{name} would lower the set's NPV by {money(-gained)}")
            else:
                reasons.append(f"{name} would add only {money(gained)} of NPV to the set")
    if not reasons:
        return head
    return head + " Left out: " + "; ".join(reasons) + "."


def accepted_sentence(effect: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    """The accepted set together against the base, in one sentence."""
    if effect is None or not effect["ids"]:
        return "Nothing is accepted yet: accept candidates to see what they do together."
    chosen = and_list([f"“{names.get(c, c)}”" for c in effect["ids"]])
    return (
        f"The accepted set ({chosen}) together against the base: "
        f"delivery {days(effect['delivery_days'], signed=True, working=True)} on average, "
        f"on-time chance {points(effect['on_time'])}, "
        f"NPV {money(effect['npv'], signed=True)}, "
        f"outcome chance {points(effect['outcome'])}."
    )


def combination_note(effect: Mapping[str, Any], constraint: Mapping[str, float]) -> str:
    """Whether a combination keeps the session's constraint, in one sentence."""
    if not constraint:
        return ""
    broken = breaks(effect, constraint)
    if broken:
        return f"Together they break the session's constraint: they {broken_words(broken)}."
    return f"Together they keep the session's constraint ({constraint_words(constraint)})."
