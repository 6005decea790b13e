"""A few style touches Streamlit has no option for (kept small and in one place)."""

from __future__ import annotations

import streamlit as st

#: Metric values shrink with their column so a date like "18 May 2027" fits three to a
#: row in a lens (each metric is a size container; 17cqi = 17% of the metric's width),
#: from 1.55rem in a wide column down to 1.05rem; never cut off with an ellipsis.
CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: clamp(1.05rem, 17cqi, 1.55rem); }
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] p { font-size: 0.85rem; }
</style>
"""


def apply() -> None:
    st.html(CSS)
