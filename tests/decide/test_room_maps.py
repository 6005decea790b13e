"""The Decide trade-off maps (``simulation.present.maps``): labels that never collide,
ticks that never repeat, names beside the map instead of ids.

The browser test (``tests/browser/test_decide_room.py``) measures the drawn SVG;
these check the rules themselves, fast and without a browser.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from simulation.present import maps


def _boxes(fx, py, texts, spots, width):
    """Pixel boxes of the labels as :func:`maps.place_labels` placed them, at ``width``."""
    out = []
    for f, y, t, (side, shift) in zip(fx, py, texts, spots, strict=True):
        w = maps._label_width(t)
        x = width * f
        x0, x1 = (
            (x + maps.LABEL_GAP, x + maps.LABEL_GAP + w)
            if side > 0
            else (
                x - maps.LABEL_GAP - w,
                x - maps.LABEL_GAP,
            )
        )
        out.append((x0, x1, y + shift - maps.LABEL_HEIGHT / 2, y + shift + maps.LABEL_HEIGHT / 2))
    return out


def _overlap(a, b) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[2], b[2])


@pytest.mark.parametrize(
    ("fx", "py"),
    [
        ([0.5] * 6, [170.0] * 6),  # six candidates on one spot (all "no change")
        ([0.50, 0.51, 0.52, 0.5, 0.49, 0.5], [170, 172, 168, 171, 169, 170]),
        ([0.9, 0.91, 0.1, 0.12, 0.5], [60, 62, 280, 282, 170]),  # near the edges
    ],
)
def test_labels_never_overlap_at_any_width(fx, py):
    """Crowded dots: at 420, 900 and 1,500 pixels wide no two label boxes overlap,
    and every label stays out of the caption bands (30 px at top and bottom).
    Catches: labels placed at a fixed offset (all six on one spot) or checked at
    one width only (apart at 420 px, on top of each other when wider)."""
    texts = [str(i + 1) for i in range(len(fx))]
    spots = maps.place_labels(np.array(fx), np.array(py, dtype=float), texts)
    for width in (maps.WIDTHS[0], 900, maps.WIDTHS[1]):
        boxes = _boxes(fx, py, texts, spots, width)
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
            assert not _overlap(a, b), f"labels {i + 1} and {j + 1} at {width}px"
        for b in boxes:
            assert b[2] >= maps.BAND and b[3] <= maps.HEIGHT - maps.BAND
            assert b[0] >= 0 and b[1] <= width


def _tick_labels(svg: str) -> dict[str, list[str]]:
    """Tick labels per axis in a vl-convert SVG."""
    out = {}
    for axis in re.split(r'aria-roledescription="axis"', svg)[1:]:
        name = re.search(r'aria-label="([XY])-axis', axis).group(1)
        labels = axis.split("role-axis-label", 1)[1].split("role-axis-domain", 1)[0]
        out[name] = re.findall(r">([^<]+)</text>", labels)
    return out


def points(npv: list[float], days: list[float]) -> pd.DataFrame:
    n = len(npv)
    return pd.DataFrame(
        {
            "rank": range(1, n + 1),
            "name": [f"Candidate {i}" for i in range(n)],
            "verdict": ["gain"] * n,
            "delivery": days,
            "delivery_low": days,
            "delivery_high": days,
            "npv": npv,
            "npv_low": npv,
            "npv_high": npv,
        }
    )


@pytest.mark.parametrize(
    ("npv", "days", "si"),
    [
        ([21_000, 23_500, 24_000], [0.1, 0.2, 0.3], True),  # a narrow band of money
        ([1_040_000, 1_046_000, -2_000], [-12, 3, 40], True),
        ([150, 120, 80], [0, 0, 0], True),  # small money, no delay at all
        ([0.4, -0.3, 0.1], [0.2, -0.1, 0], False),  # under a point either way
    ],
)
def test_ticks_never_repeat_and_zero_reads_zero(npv, days, si):
    """Rendered by vl-convert: each axis's tick labels are distinct, and 0 reads "0"
    (not "+0"). Under a point either way, ticks 0.2 apart written "+.0f" would read
    "-0, -0, +0, +0, +0"; the step sets the decimals instead (and the digits of
    money: "+.2~s" for 20k-24k by 1k). Names, never ids, are in the key."""
    pts = points(npv, days)
    spec = maps.tradeoff_spec(
        pts, "delivery", "npv", "Δ days", "Δ NPV", maps.VALUE_QUADRANTS, y_si=si, width=500
    )
    ticks = _tick_labels(vlc.vegalite_to_svg(spec))
    assert set(ticks) == {"X", "Y"}
    for axis, labels in ticks.items():
        assert len(labels) >= 3, (axis, labels)
        assert len(labels) == len(set(labels)), (axis, labels)
        assert "+0" not in labels, (axis, labels)
    assert maps.key_rows(pts)[0] == (1, "Candidate 0", "gain")


def test_nice_ticks_are_round_and_inside():
    """[-12.5, 41] over about 6 ticks: span 53.5 / 6 = 8.9, rounded up to 10:
    -10, 0, ..., 40."""
    ticks, step = maps.nice_ticks(-12.5, 41)
    assert step == 10 and ticks == [-10, 0, 10, 20, 30, 40]
    assert maps.tick_format([20_000, 22_000, 24_000], 2_000, si=True) == "+.2~s"
    assert maps.tick_format([-0.5, 0, 0.5], 0.5, si=False) == "+,.1f"
