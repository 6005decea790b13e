"""The Decide trade-off maps as Vega-Lite dicts: readable on a projector and in the report.

Each candidate is a dot with its 90% interval bars, labelled with its rank
number; the names are listed beside the map (:func:`key_rows`). Labels are
placed here, not by the renderer, so that none collides with another label, a
dot or a quadrant caption at any plot width from :data:`WIDTHS` ``[0]`` to
``[1]`` pixels: the map's height is fixed, so a vertical gap in pixels holds at
every width, and horizontal gaps are checked across the width range. The
quadrant captions sit in bands at the top and bottom of the plot that hold no
data. Tick values are chosen here too, each label distinct (never "1k, 1k, 2k").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simulation.present.charts import FONT, NEUTRAL, SCHEMA, _records

#: A verdict's colour (the table, the key and the maps use the same ones).
VERDICT_COLOURS = {
    "gain": "#2e8540",
    "trade-off": "#1f6fb2",
    "saving": "#b36b00",
    "loss": "#c0392b",
}
#: Plot height (pixels, fixed) and the plot widths the label placement holds for.
HEIGHT = 340
WIDTHS = (420, 1500)
#: Pixels at the top and at the bottom of the plot kept free of data for the captions.
BAND = 30
#: Rank labels: font size, height of a label box and width of a digit (pixels, generous).
LABEL_FONT = 13
LABEL_HEIGHT = 15
DIGIT_WIDTH = 8.5
#: Gap between a dot's centre and its label, and a dot's half-size (pixels).
LABEL_GAP = 8
DOT = 6
#: Vertical shifts tried for a label, in pixels (first that collides with nothing wins).
SHIFTS = (0, -14, 14, -28, 28, -42, 42, -56, 56)
CAPTION_FONT = 12

#: Quadrant captions: (x side, y side) -> caption.
VALUE_QUADRANTS = {
    (-1, 1): "gain: sooner or same, more value",
    (1, 1): "trade-off: later, more value",
    (-1, -1): "saving: sooner, less value",
    (1, -1): "loss: later or same, less value",
}
PROBABILITY_QUADRANTS = {
    (-1, 1): "outcome likelier, date at risk",
    (1, 1): "both likelier",
    (-1, -1): "both less likely",
    (1, -1): "date safer, outcome at risk",
}


# ------------------------------------------------------------------ ticks
def nice_ticks(lo: float, hi: float, count: int = 6) -> tuple[list[float], float]:
    """Round tick values inside ``[lo, hi]`` a step of 1, 2 or 5 x 10^k apart: (ticks, step)."""
    span = hi - lo if hi > lo else 1.0
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + 1e-9 * step:
        ticks.append(round(t / step) * step + 0.0)
        t += step
    return ticks, step


def tick_format(ticks: list[float], step: float, si: bool) -> str:
    """A d3 format that writes every tick differently: SI prefixes (``~s``) with as many
    significant digits as the step needs, or fixed decimals for small units."""
    if si:
        top = max(abs(t) for t in ticks) or step
        digits = max(1, math.floor(math.log10(top)) - math.floor(math.log10(step)) + 1)
        return f"+.{digits}~s"
    decimals = max(0, -math.floor(math.log10(step)))
    return f"+,.{decimals}f"


def _zero(fmt: str) -> str:
    """Axis labels in ``fmt``, but zero as a plain ``0`` (never ``+0``)."""
    return f"datum.value === 0 ? '0' : format(datum.value, '{fmt}')"


# ------------------------------------------------------------------ labels
def _label_width(text: str) -> float:
    return DIGIT_WIDTH * len(text) + 2


def _boxes_overlap(a: tuple, b: tuple) -> bool:
    """Boxes ``(fraction low, fraction high, offset low, offset high, y low, y high)``:
    x runs from ``width * fraction low + offset low`` to ``width * fraction high +
    offset high`` pixels; True if they overlap at any plot width in :data:`WIDTHS`."""
    if a[4] >= b[5] or b[4] >= a[5]:
        return False
    for w in np.linspace(WIDTHS[0], WIDTHS[1], 60):
        ax0, ax1 = w * a[0] + a[2], w * a[1] + a[3]
        bx0, bx1 = w * b[0] + b[2], w * b[1] + b[3]
        if ax0 < bx1 and bx0 < ax1:
            return True
    return False


def place_labels(
    fx: np.ndarray, py: np.ndarray, texts: list[str], bars: list[tuple] = ()
) -> list[tuple[int, float]]:
    """Each label's side (+1 right of its dot, -1 left) and vertical shift (pixels, down).

    ``fx``: the dots' x as a fraction of the plot width; ``py``: their y in pixels
    from the top; ``bars``: the interval bars as boxes (see :func:`_boxes_overlap`).
    Labels are placed in order (the ranking's), each at the first spot that
    overlaps no label placed so far, no dot, no bar, no caption band and stays
    inside the plot; if none is free, the spot that collides least.
    """
    dots = [(f, f, -DOT, DOT, y - DOT, y + DOT) for f, y in zip(fx, py, strict=True)]
    dots += list(bars)
    placed: list[tuple] = []
    out = []
    for f, y, text in zip(fx, py, texts, strict=True):
        w = _label_width(text)
        sides = (1, -1) if f < 0.75 else (-1, 1)
        best, best_hits = None, math.inf
        for shift in SHIFTS:
            for side in sides:
                lo, hi = (LABEL_GAP, LABEL_GAP + w) if side > 0 else (-LABEL_GAP - w, -LABEL_GAP)
                box = (f, f, lo, hi, y + shift - LABEL_HEIGHT / 2, y + shift + LABEL_HEIGHT / 2)
                inside = (
                    box[4] >= BAND
                    and box[5] <= HEIGHT - BAND
                    and all(w_ * f + lo >= 0 and w_ * f + hi <= w_ for w_ in WIDTHS)
                )
                hits = sum(_boxes_overlap(box, o) for o in placed + dots) + (0 if inside else 5)
                if hits < best_hits:
                    best, best_hits = (side, float(shift), box), hits
                if hits == 0:
                    break
            if best_hits == 0:
                break
        side, shift, box = best  # type: ignore[misc]
        placed.append(box)
        out.append((side, shift))
    return out


# ------------------------------------------------------------------ the map
def _domain(low: pd.Series, high: pd.Series, band: float, size: float) -> list[float]:
    """A domain holding 0 and every interval, with ``band`` pixels free at each end."""
    lo = float(min(np.nanmin(low), 0.0))
    hi = float(max(np.nanmax(high), 0.0))
    span = (hi - lo) or 1.0
    ext = span * band / (size - 2 * band)
    return [lo - ext, hi + ext]


def tradeoff_spec(
    points: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    quadrants: dict[tuple[int, int], str],
    x_si: bool = False,
    y_si: bool = False,
    width: int | str = 560,
) -> dict[str, Any]:
    """A trade-off map: one dot per candidate, labelled with its ``rank``.

    ``points`` has ``rank``, ``name``, ``verdict`` and, for ``x`` and ``y``, the
    mean and ``<col>_low`` / ``<col>_high`` (90% interval). ``*_si``: the axis
    is money (SI prefixes: ``+20k``) rather than days or percentage points.
    ``width``: pixels, or ``"container"`` on the page (labels hold from
    :data:`WIDTHS` ``[0]`` to ``[1]`` pixels).
    """
    xd = _domain(points[f"{x}_low"], points[f"{x}_high"], 0.06 * WIDTHS[0], WIDTHS[0])
    yd = _domain(points[f"{y}_low"], points[f"{y}_high"], BAND, HEIGHT)
    xt, xstep = nice_ticks(*xd)
    yt, ystep = nice_ticks(*yd)
    x_fmt, y_fmt = tick_format(xt, xstep, x_si), tick_format(yt, ystep, y_si)
    data = points.copy()
    data["label"] = data["rank"].astype(int).astype(str)
    fx = ((data[x] - xd[0]) / (xd[1] - xd[0])).to_numpy(dtype=float)
    py = ((yd[1] - data[y]) / (yd[1] - yd[0]) * HEIGHT).to_numpy(dtype=float)
    fx_lo = ((data[f"{x}_low"] - xd[0]) / (xd[1] - xd[0])).to_numpy(dtype=float)
    fx_hi = ((data[f"{x}_high"] - xd[0]) / (xd[1] - xd[0])).to_numpy(dtype=float)
    py_lo = ((yd[1] - data[f"{y}_high"]) / (yd[1] - yd[0]) * HEIGHT).to_numpy(dtype=float)
    py_hi = ((yd[1] - data[f"{y}_low"]) / (yd[1] - yd[0]) * HEIGHT).to_numpy(dtype=float)
    bars = [(a, b, 0.0, 0.0, v - 1.5, v + 1.5) for a, b, v in zip(fx_lo, fx_hi, py, strict=True)]
    bars += [(f, f, -1.5, 1.5, a, b) for f, a, b in zip(fx, py_lo, py_hi, strict=True)]
    spots = place_labels(fx, py, list(data["label"]), bars)
    data["side"] = [s for s, _ in spots]
    data["label_y"] = [
        yv - shift * (yd[1] - yd[0]) / HEIGHT for yv, (_, shift) in zip(data[y], spots, strict=True)
    ]
    xs = {"domain": xd, "nice": False, "zero": False}
    ys = {"domain": yd, "nice": False, "zero": False}
    colour = {
        "field": "verdict",
        "type": "nominal",
        "legend": None,
        "scale": {"domain": list(VERDICT_COLOURS), "range": list(VERDICT_COLOURS.values())},
    }
    x_axis = {"values": xt, "format": x_fmt, "labelExpr": _zero(x_fmt), "title": x_title}
    y_axis = {"values": yt, "format": y_fmt, "labelExpr": _zero(y_fmt), "title": y_title}
    tooltip = [
        {"field": "rank", "type": "quantitative", "title": "Rank"},
        {"field": "name", "type": "nominal", "title": "Candidate"},
        {"field": "verdict", "type": "nominal", "title": "Verdict"},
        {"field": x, "type": "quantitative", "title": x_title, "format": x_fmt},
        {"field": y, "type": "quantitative", "title": y_title, "format": y_fmt},
    ]

    def enc(xf: str, yf: str, **more: Any) -> dict[str, Any]:
        return {
            "x": {"field": xf, "type": "quantitative", "scale": xs, "axis": x_axis},
            "y": {"field": yf, "type": "quantitative", "scale": ys, "axis": y_axis},
            **more,
        }

    corners = [
        {
            "qx": xd[0] if sx < 0 else xd[1],
            "qy": yd[1] if sy > 0 else yd[0],
            "caption": text,
            "align": "left" if sx < 0 else "right",
            "baseline": "top" if sy > 0 else "bottom",
        }
        for (sx, sy), text in quadrants.items()
    ]
    captions = [
        {
            "data": {"values": [c for c in corners if c["align"] == a and c["baseline"] == b]},
            "mark": {
                "type": "text",
                "align": a,
                "baseline": b,
                "dx": 5 if a == "left" else -5,
                "dy": 6 if b == "top" else -6,
                "color": "#555",
                "fontStyle": "italic",
                "fontSize": CAPTION_FONT,
            },
            "encoding": enc("qx", "qy", text={"field": "caption"}),
        }
        for a in ("left", "right")
        for b in ("top", "bottom")
    ]
    zero = [
        {
            "mark": {"type": "rule", "color": "#888", "strokeDash": [4, 3]},
            "encoding": {"x": {"datum": 0, "type": "quantitative", "scale": xs}},
        },
        {
            "mark": {"type": "rule", "color": "#888", "strokeDash": [4, 3]},
            "encoding": {"y": {"datum": 0, "type": "quantitative", "scale": ys}},
        },
    ]
    bars = [
        {
            "mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.55},
            "encoding": enc(f"{x}_low", y, x2={"field": f"{x}_high"}, color=colour),
        },
        {
            "mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.55},
            "encoding": enc(x, f"{y}_low", y2={"field": f"{y}_high"}, color=colour),
        },
        {
            "mark": {"type": "point", "filled": True, "size": 110, "opacity": 1},
            "encoding": enc(x, y, color=colour, tooltip=tooltip),
        },
    ]
    labels = [
        {
            "transform": [{"filter": f"datum.side == {side}"}],
            "mark": {
                "type": "text",
                "align": "left" if side > 0 else "right",
                "baseline": "middle",
                "dx": LABEL_GAP if side > 0 else -LABEL_GAP,
                "fontSize": LABEL_FONT,
                "fontWeight": "bold",
            },
            "encoding": enc(x, "label_y", text={"field": "label"}, color=colour),
        }
        for side in (1, -1)
    ]
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": HEIGHT,
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleColor": NEUTRAL},
        },
        "data": {"values": _records(data)},
        "layer": [*zero, *captions, *bars, *labels],
    }


def key_rows(points: pd.DataFrame) -> list[tuple[int, str, str]]:
    """The map's key: ``(rank, name, verdict)`` per candidate, in rank order."""
    rows = points.sort_values("rank")
    return [(int(r.rank), str(r.name), str(r.verdict)) for r in rows.itertuples()]
