"""One summary, every front end: the same figures read the same way.

The dashboard's sentences, the report and the command line each render one
summary; the P50 and P85 dates, the on-time chance and the mean NPV must appear
in each exactly as :mod:`simulation.present.formats` writes them. The bug this
catches: a front end formatting a number by itself (the report once wrote the
NPV ``1.0 m`` while the page wrote ``1.04 M``, the CLI and the exercises
``1,039,435``).
"""

from __future__ import annotations

import html

import pytest

from simulation import load_scenario, run
from simulation.present import formats, sentences
from simulation.present.text import format_summary
from simulation.report import document
from simulation.train.render import format_value
from tests.helpers import LIBRARY

RUNS = 200


@pytest.fixture(scope="module")
def results():
    sc = load_scenario(LIBRARY / "supply-chain.yaml")
    return run(sc, runs=RUNS, seed=7, workers=1)


def figures(s: dict) -> list[str]:
    d, v = s["delivery"], s["value"]
    return [
        formats.date(d["p50_date"]),
        formats.date(d["p85_date"]),
        formats.pct(d["on_time_probability"]),
        formats.money(v["npv_mean"]),
        formats.date(v["first_value_date_p50"]),
    ]


def test_the_formats_are_the_documented_ones():
    """The shapes the docs promise, worked by hand: 1,039,435 -> ``1.04 M``;
    0.6 -> ``60%``; 2027-06-02 -> ``2 Jun 2027``; +0.22 -> ``+22 pp``."""
    assert formats.money(1_039_435) == "1.04 M"
    assert formats.money(-117_000, signed=True) == "-117 k"
    assert formats.pct(0.6) == "60%"
    assert formats.date("2027-06-02") == "2 Jun 2027"
    assert formats.points(0.22) == "+22 pp"


@pytest.mark.parametrize("front", ["page", "report", "cli", "exercise"])
def test_every_front_end_shows_the_same_figures(results, front):
    s = results.summary()
    if front == "page":
        text = sentences.project_sentence(s) + sentences.product_sentence(s)
    elif front == "report":
        text = html.unescape(document.report_html(results))
    elif front == "cli":
        text = format_summary(s)
    else:  # what an exercise shows for each metric's value
        d, v = s["delivery"], s["value"]
        text = " ".join(
            format_value(kind, x)
            for kind, x in [
                ("date", d["p50_date"]),
                ("date", d["p85_date"]),
                ("probability", d["on_time_probability"]),
                ("money", v["npv_mean"]),
                ("date", v["first_value_date_p50"]),
            ]
        )
    missing = [f for f in figures(s) if f not in text]
    assert not missing, f"the {front} does not show {missing} as the shared formats write them"


def test_user_text_is_shown_not_interpreted():
    """An outcome named like Markdown or HTML reaches each front end inert."""
    s = {
        "value": {
            "potential_value": 1.0,
            "outcome": "**bold** <img src=x>",
            "outcome_probability": 0.5,
            "npv_mean": 1.0,
        }
    }
    md = sentences.product_sentence(s, markup=sentences.MARKDOWN)
    assert "**bold**" not in md and r"\*\*bold\*\*" in md
    page = sentences.product_sentence(s, markup=sentences.HTML)
    assert "<img" not in page and "&lt;img src=x&gt;" in page
