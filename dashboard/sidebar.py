"""The sidebar under the page menu: which scenario is in use, with what settings, and
who is signed in (``dashboard/identity.py``)."""

from __future__ import annotations

import streamlit as st

from simulation.present.markdown import escape_markdown

from . import identity, simulate, state


def show() -> None:
    _scenario()
    _engine()
    identity.sidebar()


def _engine() -> None:
    """Where the futures are simulated, when it is not this machine."""
    address = simulate.scheduler()
    if address:
        with st.sidebar:
            st.caption(f"Simulating on the Dask cluster at `{address}` (SIM_SCHEDULER)")


def _scenario() -> None:
    sc = state.scenario()
    with st.sidebar:
        if sc is None:
            st.caption("No scenario loaded.")
            return
        st.markdown(f"**{escape_markdown(sc.name)}**")
        runs = sc.simulation.runs
        runs_text = "automatic runs" if runs == "auto" else f"{runs:,} runs"
        st.caption(f"{state.origin().capitalize()} · {runs_text} · seed {sc.simulation.seed}")
        n = len(state.variants())
        if n:
            st.caption(f"{n} what-if variant{'s' if n > 1 else ''}")
        if state.problems():
            st.warning(
                "The Scenario page has problems to fix; pages use the last valid version.",
                icon=":material/warning:",
            )
