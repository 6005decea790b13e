"""The Decide page says how many futures never deliver (docs/explanation/never-delivers.md).

A page test (Streamlit's AppTest), apart from the library's tests so that mutation
testing does not run the page for every mutant. The session is the hand-worked
one with walk-out, a candidate whose futures never deliver
(``tests/decide/test_never_delivers.py``).
"""

from __future__ import annotations

from tests.decide.test_never_delivers import _session
from tests.helpers import ROOT


def test_decide_page_says_how_many_futures_never_deliver(tmp_path, monkeypatch):
    """The Decide page shows the same note under its ranking (one warning line)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import saved_files
    from simulation import store as st
    from simulation.decide import sessions

    _, path = _session(tmp_path)
    monkeypatch.setattr(sessions, "session_files", lambda folder=None: [path])
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    monkeypatch.setenv(st.URL_ENV, f"sqlite:///{tmp_path / 'app.sqlite'}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("dashboard/pages/decide.py").run()
    at.selectbox(key="decide_file").set_value(path)
    at.button(key="decide_load").click().run()
    at.number_input(key="decide_runs").set_value(10).run()
    at.button(key="decide_rank").click().run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [w.value for w in at.warning if "never deliver" in w.value]
    assert notes == [
        "Futures that never deliver within 5,200 working days: walk-out 10 of 10; "
        "each counts as delivering on day 5,200."
    ]
