"""What a re-forecast did with the measured adoption, said in words (Track page, CLI)."""

from __future__ import annotations

import pytest

from simulation.present.sentences import adoption_fit_words
from simulation.track import load_status, track
from simulation.track.adoption import MIN_POINTS
from tests.helpers import LIBRARY


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((("bass", True, 3, 3, 3)), "adoption fitted to 3 measurements (Bass diffusion)"),
        (
            ("bass", True, 3, 5, 3),
            "adoption fitted to 3 measurements (Bass diffusion); 2 before anything went "
            "live, not used",
        ),
        (
            ("bass", False, 2, 2, 3),
            "2 adoption measurements after go-live: the plan's adoption curve is kept "
            "until 3 are measured",
        ),
        (
            ("linear", False, 0, 3, 3),
            "0 adoption measurements after go-live; 3 before anything went live, not used: "
            "the plan's adoption curve is kept until 3 are measured",
        ),
        (
            ("bass", False, 1, 1, 3),
            "1 adoption measurement after go-live: the plan's adoption curve is kept "
            "until 3 are measured",
        ),
        (
            ("instant", False, 2, 2, 3),
            "adoption measured 2 times, but the plan's adoption is instant: nothing to fit",
        ),
        (("bass", False, 0, 0, 3), None),
    ],
)
def test_the_words_for_each_case(args, said):
    """Each case by hand: fitted, kept for too few, some before go-live (not used),
    an instant plan, nothing measured. Catches the measurements before go-live
    counted as used, a kept curve said as fitted, and a sentence with nothing measured."""
    assert adoption_fit_words(*args) == said


def test_two_measurements_say_the_plan_curve_is_kept():
    """The bundled week-9 status measured adoption twice after go-live (3% and 5%):
    the re-forecast keeps the plan's curve, and the words say so with the numbers."""
    status = load_status(LIBRARY / "status" / "2027-03-05.yaml")
    fit = track(status, runs=20).adoption_fit
    assert (fit.fitted, fit.points, len(status.adoption)) == (False, 2, 2)
    words = adoption_fit_words(fit.model, fit.fitted, fit.points, 2, MIN_POINTS)
    assert words == (
        "2 adoption measurements after go-live: the plan's adoption curve is kept "
        "until 3 are measured"
    )
