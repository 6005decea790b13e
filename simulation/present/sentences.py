"""The sentences that state a forecast, the same on a page and in the report.

Each function reads the engine's summary (``Results.summary()``) and returns
plain words with a few figures emphasised. The front end decides how text is
marked up: :data:`MARKDOWN` for the dashboard, :data:`HTML` for the report,
:data:`PLAIN` for a terminal. User text inside a sentence (an outcome's name)
goes through the markup's ``escape`` so it is shown, never interpreted.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulation.present.formats import date, money, out_of_100, pct
from simulation.present.markdown import escape_markdown
from simulation.present.text import CAP, NO_FUTURE_DELIVERS, counted


@dataclass(frozen=True)
class Markup:
    """How one front end emphasises a figure and shows user text."""

    strong: Callable[[str], str]
    escape: Callable[[str], str]


MARKDOWN = Markup(strong=lambda t: f"**{t}**", escape=escape_markdown)
HTML = Markup(strong=lambda t: f"<b>{t}</b>", escape=lambda t: html.escape(str(t)))
PLAIN = Markup(strong=lambda t: t, escape=str)

#: The adoption models in words (the scenario's ``value.adoption.model``).
ADOPTION_MODELS = {
    "instant": "Instant (full use at go-live)",
    "linear": "Linear ramp over some weeks",
    "bass": "Bass diffusion (slow start, word of mouth)",
}


def adoption_model_name(model: str) -> str:
    """The adoption model's short name: ``Bass diffusion``, ``Linear ramp over some weeks``."""
    return ADOPTION_MODELS.get(model, model).split(" (")[0]


def adoption_fit_words(
    model: str, fitted: bool, points: int, measured: int, needed: int
) -> str | None:
    """What a re-forecast did with the measured adoption, in words (None: none measured).

    ``points`` measurements fell on or after the first go-live (the ones a fit can
    use) out of ``measured``; ``needed`` is how many a fit needs. Says when the
    plan's curve was kept and why, so a room does not read the plan's adoption as
    the measured one.
    """
    if measured <= 0:
        return None
    early = measured - points
    before = f"; {early} before anything went live, not used" if early > 0 else ""
    if fitted:
        return f"adoption fitted to {points} measurements ({adoption_model_name(model)}){before}"
    if model == "instant":
        return (
            f"adoption measured {measured} times, but the plan's adoption is instant: "
            "nothing to fit"
        )
    after = f"{counted(points, 'adoption measurement')} after go-live"
    return f"{after}{before}: the plan's adoption curve is kept until {needed} are measured"


def undelivered_note(summary: dict[str, Any]) -> str | None:
    """A warning when some simulated futures never delivered the whole scope."""
    d = summary["delivery"]
    n = int(d.get("undelivered_runs") or 0)
    total = int(summary.get("runs") or 0)
    if n == 0 or total == 0:
        return None
    return (
        f"{n:,} of {total:,} simulated futures ({pct(n / total)}) never delivered the "
        f"whole scope within {CAP}. They count as later than any date: "
        "percentiles and on-time chances include them as misses."
    )


def project_sentence(summary: dict[str, Any], markup: Markup = MARKDOWN) -> str:
    """``In 85 of 100 simulated futures the whole scope is live by ...``: dates, the
    deadline's chance, cost."""
    d, b = summary["delivery"], markup.strong
    parts = []
    if d.get("delivered_runs") == 0:
        parts.append(b(markup.escape(NO_FUTURE_DELIVERS)))
    elif d.get("p85_date"):
        p95 = f" (95 in 100 by {date(d['p95_date'])})" if d.get("p95_date") else ""
        parts.append(
            f"In 85 of 100 simulated futures the whole scope is live by "
            f"{b(date(d['p85_date']))}; in half of them by {b(date(d.get('p50_date')))}{p95}."
        )
    elif d.get("p50_date"):
        parts.append(
            f"Half of the simulated futures have the whole scope live by "
            f"{b(date(d['p50_date']))}, but more than 15 in 100 never finish it within {CAP}."
        )
    else:
        parts.append(
            f"In most simulated futures the scope is {b('never')} finished: look for a "
            "team that is too small, dependencies that cannot be met, or runaway "
            "scope creep."
        )
    if d.get("deadline"):
        p = d.get("on_time_probability")
        parts.append(
            f"The chance of making the {date(d['deadline'])} deadline is {b(pct(p))} "
            f"({out_of_100(p)} futures)."
        )
    else:
        parts.append("No deadline is set, so there is no on-time chance to show.")
    c = summary["cost"]
    if c.get("mean"):
        parts.append(
            f"The team costs about {money(c['mean'])} on average "
            f"({money(c.get('p85'))} or less in 85 of 100 futures)."
        )
    return " ".join(parts)


def product_sentence(
    summary: dict[str, Any],
    misfit_share: float | None = None,
    horizon_weeks: int | None = None,
    markup: Markup = MARKDOWN,
) -> str:
    """``Users first get value around ...; NPV ...; the outcome is reached in ...``."""
    v, b = summary["value"], markup.strong
    if not v.get("potential_value"):
        return (
            "No backlog item has a value per week, so there is no value to forecast. "
            "Give items a value per week in the scenario to see the product lens."
        )
    parts = []
    if v.get("first_value_date_p50"):
        parts.append(
            f"Users first get value around {b(date(v['first_value_date_p50']))} "
            "(the median future)."
        )
    else:
        parts.append(f"In the median future users get {b('no value')} within the horizon.")
    horizon = f"over the {horizon_weeks}-week horizon" if horizon_weeks else "over the horizon"
    npv, roi = v.get("npv_mean"), v.get("roi_mean")
    if npv is not None:
        text = f"Counting value and cost {horizon}, the average NPV is {b(money(npv))}"
        extra = []
        if v.get("npv_p50") is not None:
            extra.append(f"{money(v['npv_p50'])} in the median future")
        if roi is not None and math.isfinite(roi):
            extra.append(
                f"ROI {roi:.1f}: every 1 spent earns {roi + 1:.1f} in value"
                if roi > 0
                else f"ROI {roi:.1f}"
            )
        parts.append(text + (f" ({'; '.join(extra)})" if extra else "") + ".")
    outcome = markup.escape(v.get("outcome") or "The outcome")
    by = f"by {date(v['outcome_by'])}" if v.get("outcome_by") else "within the horizon"
    p = v.get("outcome_probability")
    parts.append(f"“{outcome}” is reached {by} in {b(pct(p))} of futures ({out_of_100(p)}).")
    if misfit_share is not None and math.isfinite(misfit_share) and misfit_share >= 0.005:
        parts.append(
            f"About {pct(misfit_share)} of what is built misses the real need at "
            "first and earns little until its fix goes live."
        )
    return " ".join(parts)


def best_order_sentence(
    best: list[str],
    best_npv: float,
    cd3: list[str],
    cd3_npv: float,
    beats_share: float,
    behind_share: float = 0.0,
    markup: Markup = MARKDOWN,
) -> str:
    """``Build A, then B, then C: average NPV 109 k. ...``: the best order against CD3.

    ``best`` and ``cd3`` are item names in build order; NPVs are mean money over
    the value horizon; ``beats_share`` is the share of futures in which the best
    order's NPV beats the CD3 order's, ``behind_share`` the share in which the CD3
    order's beats the best's (docs/reference/sequencing.md).
    """
    b, e = markup.strong, markup.escape
    first = f"Build {b(', then '.join(e(n) for n in best))}: average NPV {b(money(best_npv))}."
    if list(best) == list(cd3):
        return first + " This is also the CD3 order (value per week ÷ duration, highest first)."
    if money(best_npv) == money(cd3_npv):
        verdict = " On average the two orders earn the same: either will do."
    elif behind_share > beats_share:
        verdict = " It wins in fewer futures than it loses, but by more on average."
    else:
        verdict = ""
    return (
        f"{first} The CD3 order (value per week ÷ duration, highest first), "
        f"{', then '.join(e(n) for n in cd3)}, averages {money(cd3_npv)}; "
        f"the best order earns more in {b(pct(beats_share))} of futures "
        f"({out_of_100(beats_share)})"
        + (f" and less in {pct(behind_share)}." if behind_share > 0 else ", and never less.")
        + verdict
    )
