"""Dashboard entry point (placeholder until the dashboard issue lands)."""

import streamlit as st

st.title("Initiative scenario simulator")
st.write("Run `python -m simulation run scenarios/supply-chain.yaml` for a forecast.")
