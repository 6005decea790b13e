"""The Streamlit dashboard: pages, chart builders, state helpers and page prose.

Everything Streamlit-specific lives here; ``simulation/`` stays a plain library.
The pure parts (``page_tables``, ``charts``, ``editor``, ``fmt``, ``levers``,
``saved_files``) import no Streamlit and are tested directly.
"""
