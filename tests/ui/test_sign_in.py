"""Who records, through Streamlit's AppTest (docs/how-to/sign-people-in.md).

Without an ``[auth]`` section the pages work as before: the name is typed and the
page says names are not verified. With one, a person who has not signed in is asked
to sign in where the page records; a signed-in person records under their own
name, shown read-only, with the identity's claims kept in the store. The real
sign-in through an identity provider is ``tests/browser/test_sign_in.py``.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import identity
from simulation import store as st
from simulation.present.markdown import escape_markdown
from simulation.store import classrooms as cl
from simulation.store import decisions as dec
from simulation.store.trail import trail
from simulation.track.trail import plan_key
from tests.helpers import LIBRARY, ROOT

APP = str(ROOT / "app.py")
TIMEOUT_S = 120
SESSION = LIBRARY / "sessions" / "grant-portal-release.yaml"
RUNS = 20
#: What Streamlit's [auth] needs; nothing here is contacted (no sign-in happens in AppTest).
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret",
    "client_id": "initiative-sim",
    "client_secret": "test-only",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ADA = {
    "is_logged_in": True,
    "sub": "ada-7f3",
    "iss": "https://login.example",
    "name": "Ada Lovelace",
    "email": "ada@x.org",
}
CLAIMS = {"sub": "ada-7f3", "iss": "https://login.example", "email": "ada@x.org"}


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch):
    """Each test records into its own database."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv(st.URL_ENV, url)
    return url


def app(auth: bool, user: dict | None = None) -> AppTest:
    """The app with secrets of its own (never a developer's secrets file): with the
    ``[auth]`` section or without it, and the person ``st.user`` reads."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["sim_test"] = "secrets of this test only"
    if auth:
        at.secrets["auth"] = AUTH
    at.user = user if user is not None else {}
    return at.run()


def clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


def ranked(at: AppTest) -> AppTest:
    at.switch_page("dashboard/pages/decide.py").run()
    at.selectbox(key="decide_file").set_value(SESSION)
    at.button(key="decide_load").click().run()
    at.number_input(key="decide_runs").set_value(RUNS).run()
    at.button(key="decide_rank").click().run()
    clean(at, "ranked")
    return at


def record(at: AppTest, cid: str, why: str) -> AppTest:
    at.selectbox(key="decide_candidate").set_value(cid)
    next(w for w in at.text_area if w.label == "Rationale").set_value(why)
    next(b for b in at.button if b.label == "Record decision").click()
    return at.run()


def test_without_sign_in_the_name_is_typed_and_said_to_be_unverified(store_url):
    """The page as before: a "Decided by" box, the notice beside it and in the sidebar,
    no sign-in button; the typed name is stored without claims."""
    at = ranked(app(auth=False))
    who = [t for t in at.text_input if t.label == "Decided by"]
    assert len(who) == 1 and who[0].help == dec.UNVERIFIED_NAMES
    captions = [c.value for c in at.caption]
    assert dec.UNVERIFIED_NAMES in captions and identity.NOT_SIGNED_IN in captions
    assert not [b for b in at.button if b.label in ("Sign in", "Sign out")]
    who[0].set_value("Ben (typed)")
    record(at, "late-api", "Typed")
    clean(at, "recorded")
    [row] = dec.list_decisions(store=st.Store(store_url))
    assert (row.decided_by, row.decided_by_identity) == ("Ben (typed)", None)


def test_without_sign_in_a_trainee_types_a_name_and_is_told_it_is_unverified(store_url):
    """Train as before: code and display name, the notice under them; the trainer opens
    a class that has no owner."""
    at = app(auth=False)
    at.switch_page("dashboard/pages/train.py").run()
    at.radio(key="tr_mode").set_value("Join a class").run()
    assert at.text_input(key="tr_join_name").label == "Your display name"
    assert dec.UNVERIFIED_NAMES in [c.value for c in at.caption]
    at.radio(key="tr_mode").set_value("Run a class (trainer)").run()
    at.selectbox(key="tr_open_pick").set_value("brooks-law.yaml")
    next(b for b in at.button if b.label == "Open class").click().run()
    clean(at, "opened")
    code = at.session_state["tr_opened"].code
    assert cl.find_class(code, st.Store(store_url)).owner is None
    assert not [c for c in at.caption if c.value.startswith("Opened by")]


def test_signed_in_the_author_is_the_identity_and_never_typed(store_url):
    """No "Decided by" box, the name shown read-only; the stored decision carries the
    identity's name and claims. Catches a page that still takes a typed name."""
    at = ranked(app(auth=True, user=ADA))
    assert not [t for t in at.text_input if t.label == "Decided by"]
    shown = f"Deciding as **Ada Lovelace** ({escape_markdown('ada@x.org')}), signed in."
    assert shown in [c.value for c in at.caption]
    assert dec.UNVERIFIED_NAMES not in [c.value for c in at.caption]
    assert any("Signed in as **Ada Lovelace**" in m.value for m in at.sidebar.markdown)
    assert any(b.label == "Sign out" for b in at.sidebar.button)
    record(at, "late-api", "Signed in")
    clean(at, "recorded")
    assert any("(Ada Lovelace)" in s.value for s in at.success)
    [row] = dec.list_decisions(store=st.Store(store_url))
    assert (row.decided_by, row.decided_by_identity) == ("Ada Lovelace", CLAIMS)


def test_configured_but_not_signed_in_asks_to_sign_in_before_recording(store_url):
    """The ranking is there, the decision form is not: a Sign in button takes its place."""
    at = ranked(app(auth=True, user={"is_logged_in": False}))
    labels = [b.label for b in at.button]
    assert "Record decision" not in labels
    assert at.button(key="decide_sign_in").label == "Sign in"
    assert at.button(key="identity_sign_in").label == "Sign in", "and one in the sidebar"
    assert not [t for t in at.text_input if t.label == "Decided by"]
    assert dec.list_decisions(store=st.Store(store_url)) == []


def test_signed_in_a_class_is_owned_and_trainees_join_under_their_name(store_url):
    """The trainer's class keeps its owner; a trainee joins with the code only, as the
    signed-in name. Catches the display-name box left in, or the owner not recorded."""
    trainer = app(auth=True, user=ADA)
    trainer.switch_page("dashboard/pages/train.py").run()
    trainer.radio(key="tr_mode").set_value("Run a class (trainer)").run()
    trainer.selectbox(key="tr_open_pick").set_value("brooks-law.yaml")
    next(b for b in trainer.button if b.label == "Open class").click().run()
    clean(trainer, "opened")
    opened = trainer.session_state["tr_opened"]
    assert any(c.value.startswith("Opened by Ada Lovelace.") for c in trainer.caption)
    owned = cl.find_class(opened.code, st.Store(store_url))
    assert (owned.owner, owned.owner_identity) == ("Ada Lovelace", CLAIMS)

    ben = {**ADA, "sub": "ben-2", "name": "Ben Okafor", "email": "ben@x.org"}
    trainee = app(auth=True, user=ben)
    trainee.switch_page("dashboard/pages/train.py").run()
    trainee.radio(key="tr_mode").set_value("Join a class").run()
    assert not [t for t in trainee.text_input if t.key == "tr_join_name"]
    trainee.text_input(key="tr_join_code").set_value(opened.code)
    next(b for b in trainee.button if b.label == "Join").click().run()
    clean(trainee, "joined")
    assert any("as **Ben Okafor** (signed in)" in m.value for m in trainee.markdown)

    nobody = app(auth=True, user={"is_logged_in": False})
    nobody.switch_page("dashboard/pages/train.py").run()
    nobody.radio(key="tr_mode").set_value("Join a class").run()
    assert nobody.button(key="tr_join_sign_in").label == "Sign in"
    assert not [t for t in nobody.text_input if t.key == "tr_join_code"]


def test_signed_in_a_recorded_reforecast_carries_the_identity(store_url):
    """The Track page's record is the signed-in person's, shown in the trail's table."""
    at = app(auth=True, user=ADA)
    at.switch_page("dashboard/pages/track.py").run()
    at.selectbox(key="track_source").set_value("scenarios/status/2027-03-05.yaml").run()
    at.button(key="track_run").click().run()
    at.button(key="track_record").click().run()
    clean(at, "recorded")
    assert any(s.value.endswith("by Ada Lovelace.") for s in at.success)
    plan_ref = at.session_state["track_plan"][1]
    [rec] = trail(plan_key(plan_ref), st.Store(store_url))
    assert (rec.recorded_by, rec.recorded_by_identity) == ("Ada Lovelace", CLAIMS)
    table = [d.value for d in at.dataframe if "Recorded by" in d.value.columns][-1]
    assert list(table["Signed in as"]) == ["ada@x.org"]


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"sub": "s1", "name": "Ada  Lovelace", "email": "a@x.org"}, "Ada Lovelace"),
        ({"sub": "s1", "given_name": "Ada", "family_name": "King"}, "Ada King"),
        ({"sub": "s1", "preferred_username": "ada.k", "email": "a@x.org"}, "ada.k"),
        ({"sub": "s1", "email": "a@x.org"}, "a@x.org"),
        ({"sub": "s1"}, "s1"),
    ],
)
def test_the_name_shown_comes_from_the_claims_in_order(claims, name):
    """name, then given and family names, then preferred_username, email, subject."""
    assert identity.identity_from_claims(claims).name == name


def test_claims_without_a_subject_are_nobody():
    assert identity.identity_from_claims({"name": "Ada", "email": "a@x.org"}) is None


class _NoSecretsFile:
    """``st.secrets`` on a server without any secrets file: every read raises."""

    def get(self, key, default=None):
        raise FileNotFoundError("No secrets found")


def _secrets(monkeypatch, data):
    import streamlit
    from streamlit.runtime.secrets import Secrets

    fake = _NoSecretsFile() if data is None else Secrets()
    if data is not None:
        fake._secrets = data
    monkeypatch.setattr(streamlit, "secrets", fake)


@pytest.mark.parametrize(
    ("data", "configured", "provider"),
    [
        (None, False, None),
        ({"other": "x"}, False, None),
        ({"auth": AUTH}, True, None),
        ({"auth": {"cookie_secret": "s", "entra": {"client_id": "c"}}}, True, "entra"),
    ],
    ids=["no secrets file", "no [auth]", "keys under [auth]", "a named provider"],
)
def test_sign_in_is_configured_by_an_auth_section(monkeypatch, data, configured, provider):
    """No secrets file at all is "not configured", not an error; keys straight under
    ``[auth]`` sign in with the default provider, ``[auth.entra]`` with "entra"."""
    _secrets(monkeypatch, data)
    assert identity.sign_in_configured() is configured
    assert identity.provider() == provider
