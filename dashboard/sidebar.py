"""The sidebar under the page menu: which scenario is in use, with what settings."""

from __future__ import annotations

import streamlit as st

from . import state


def show() -> None:
    sc = state.scenario()
    with st.sidebar:
        if sc is None:
            st.caption("No scenario loaded.")
            return
        st.markdown(f"**{sc.name}**")
        runs = sc.simulation.runs
        runs_text = "automatic runs" if runs == "auto" else f"{runs:,} runs"
        st.caption(f"{state.origin().capitalize()} · {runs_text} · seed {sc.simulation.seed}")
        n = len(state.variants())
        if n:
            st.caption(f"{n} what-if variant{'s' if n > 1 else ''}")
        if state.problems():
            st.warning("The Scenario page has problems to fix; pages use the last valid "
                       "version.", icon=":material/warning:")
