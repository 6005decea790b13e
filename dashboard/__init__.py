"""The Streamlit dashboard: pages, chart builders, state helpers and page prose.

Everything Streamlit-specific lives here; ``simulation/`` stays a plain library.
The pure parts (``analysis``, ``charts``, ``editor``, ``fmt``, ``levers``,
``storage``) import no Streamlit and are tested directly.
"""
