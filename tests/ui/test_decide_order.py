"""The Decide page's Best order section through Streamlit's AppTest.

The page shows :func:`simulation.best_order`'s ranking for the session's base (same
runs and seed), the sentence against CD3, and "Use this order" adds the chosen
order to the What-if variants as a ``reorder`` change.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import decide_order, saved_files
from simulation import best_order, load_session
from simulation import store as st
from simulation.scenario.changes import Reorder
from tests.helpers import LIBRARY, ROOT

APP = str(ROOT / "app.py")
DECIDE = "dashboard/pages/decide.py"
SESSION = LIBRARY / "sessions" / "grant-portal-release.yaml"
RUNS = 20
TIMEOUT_S = 300


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    monkeypatch.setenv(st.URL_ENV, f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_best_order_on_the_page_equals_the_engine_and_becomes_a_variant():
    """The table lists best_order's orders by name with its mean NPV (same runs and
    seed), the CD3 sentence is shown, and "Use this order" adds a variant whose one
    change is ``reorder`` of the best order. Catches a page that ranks on its own,
    runs other futures than the engine, or loses the chosen order."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(DECIDE).run()
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    at.number_input(key="decide_runs").set_value(RUNS).run()
    at.button(key="decide_rank").click().run()
    at.button(key="decide_order_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ses = load_session(SESSION)
    s = best_order(ses.base, runs=RUNS, seed=ses.base.simulation.seed)
    table = [d.value for d in at.dataframe if "Beats CD3" in d.value.columns][-1]
    assert list(table["Order"]) == list(s.table["names"])
    assert list(table["Mean NPV"]) == list(decide_order.order_view(s)["Mean NPV"])
    text = " ".join(m.value for m in at.markdown)
    assert decide_order.sentence(s) in text
    at.button(key="decide_order_use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = [v for v in at.session_state["variants"] if v.name.startswith("Build order:")]
    assert len(made) == 1 and made[0].changes == [Reorder(ids=tuple(s.best))]
