"""A few style touches Streamlit has no option for (kept small and in one place)."""

from __future__ import annotations

import streamlit as st

#: Metric values at this size fit a date like "16 Jun 2027" three to a row in a lens.
CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 1.55rem; }
[data-testid="stMetricLabel"] p { font-size: 0.85rem; }
</style>
"""


def apply() -> None:
    st.html(CSS)
