"""Dashboard entry point: ``streamlit run app.py`` (or ``make run``).

Multipage navigation over the pages in ``dashboard/pages/``; the pages, chart
builders and state helpers live in the ``dashboard`` package, the model in
``simulation`` (which never imports Streamlit).
"""

import streamlit as st

from dashboard import sidebar, state, style

st.set_page_config(page_title="Initiative scenario simulator", page_icon=":material/insights:",
                   layout="wide")
style.apply()
state.init()
page = st.navigation([
    st.Page("dashboard/pages/scenario.py", title="Scenario", icon=":material/edit_note:",
            default=True),
    st.Page("dashboard/pages/forecast.py", title="Forecast", icon=":material/insights:"),
    st.Page("dashboard/pages/whatif.py", title="What-if", icon=":material/compare_arrows:"),
])
page.run()
sidebar.show()
