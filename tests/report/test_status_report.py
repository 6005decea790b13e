"""The report made from a status: where we are, what changed, the trail."""

from __future__ import annotations

from simulation.report.document import report_html
from simulation.track import load_status, track
from tests.helpers import LIBRARY


def test_status_section_shows_where_we_are_and_the_trail():
    """Week 10 of the bundled history, with weeks 9 and 10 as the trail.

    The section states 7 done and 2 in progress, value realised 750 (worked out
    in the CLI test), the plan's and today's P85 side by side, and the sentence
    since week 9; a plain forecast report has no such section. Catches: the
    section missing from a status report, or shown on a plain one.
    """
    week10 = track(load_status(LIBRARY / "status" / "2027-03-12.yaml"), runs=100, seed=1)
    week9 = track(load_status(LIBRARY / "status" / "2027-03-05.yaml"), runs=100, seed=1)
    entries = [
        {
            "as_of": r.as_of.isoformat(),
            "status": s.data,
            "summary": r.summary() | r.status_summary(),
        }
        for r, s in (
            (week9, load_status(LIBRARY / "status" / "2027-03-05.yaml")),
            (week10, load_status(LIBRARY / "status" / "2027-03-12.yaml")),
        )
    ]
    page = report_html(week10, trail=entries)
    assert "<h2>Where we are</h2>" in page
    assert "7 items done; 2 in progress" in page and "Value realised to date: 750." in page
    assert "Since the last record (2027-03-05): 2 items done;" in page
    assert "Where we are" not in report_html(_plain_results())


def _plain_results():
    from simulation.engine.runner import run
    from simulation.scenario.loading import load_scenario

    return run(load_scenario(LIBRARY / "supply-chain.yaml"), runs=20, seed=1)
