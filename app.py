"""Dashboard entry point: ``streamlit run app.py`` (or ``make run``).

Multipage navigation over the pages in ``dashboard/pages/``; the pages, chart
builders and state helpers live in the ``dashboard`` package, the model in
``simulation`` (which never imports Streamlit).
"""

import contextlib
from pathlib import Path

import streamlit as st

from dashboard import server_settings, sidebar, simulate, state, style
from simulation import ScenarioError
from simulation.engine.runner import warm_pool


@st.cache_resource(show_spinner=False)
def _server_started() -> bool:
    """Once per server: start the engine's worker processes, and simulate the opening
    scenario's forecast (``SIM_FORECAST_AHEAD``), so the first forecast is fast."""
    warm_pool()
    if server_settings.forecast_ahead():
        with contextlib.suppress(ScenarioError):  # the Scenario page says what is wrong
            simulate.ahead(state.default_scenario())
    return True


#: A local icon: a Material icon as page_icon is fetched from the internet, which a
#: server without internet access cannot reach (the browser logs an error per page).
ICON = str(Path(__file__).resolve().parent / "dashboard" / "static" / "icon.png")

st.set_page_config(page_title="Initiative scenario simulator", page_icon=ICON, layout="wide")
style.apply()
setting_problems = server_settings.problems()  # docs/reference/server-settings.md
for problem in setting_problems:
    st.error(f"This server's settings are wrong: {problem}. Fix it and restart the server.")
if setting_problems:
    st.stop()
_server_started()
state.init()
page = st.navigation(
    [
        st.Page(
            "dashboard/pages/scenario.py",
            title="Scenario",
            icon=":material/edit_note:",
            default=True,
        ),
        st.Page("dashboard/pages/forecast.py", title="Forecast", icon=":material/insights:"),
        st.Page("dashboard/pages/whatif.py", title="What-if", icon=":material/compare_arrows:"),
        st.Page("dashboard/pages/decide.py", title="Decide", icon=":material/gavel:"),
        st.Page("dashboard/pages/portfolio.py", title="Portfolio", icon=":material/account_tree:"),
        st.Page("dashboard/pages/train.py", title="Train", icon=":material/school:"),
        st.Page("dashboard/pages/history.py", title="History", icon=":material/history:"),
        st.Page("dashboard/pages/track.py", title="Track", icon=":material/flag:"),
    ]
)
page.run()
sidebar.show()
