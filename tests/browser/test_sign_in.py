"""Browser test: signing in through a real OpenID Connect provider, then deciding as
the signed-in person (docs/how-to/sign-people-in.md).

The provider is ``oidc-provider-mock`` (a real authorization-code provider with its
own login page) on a free local port in this process; the app gets an ``[auth]``
section in a secrets file of the test's own (``STREAMLIT_SECRETS_FILES``), never the
repository's. Chromium clicks "Sign in", types the subject on the provider's page,
comes back signed in, ranks a session and records a decision with no name box; the
stored decision's author is the identity the provider vouched for. Signing out goes
through the provider's end-session page and back.
"""

from __future__ import annotations

import warnings

import pytest

from simulation.store import Store
from simulation.store import decisions as dec
from tests.browser.test_decide_room import rank_a_session
from tests.browser.test_pages import _no_exception, _settle, app_page, running_app

# The provider is built on Authlib's older modules, which warn on every use.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::authlib.deprecate.AuthlibDeprecationWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]

RUNS = 50
SUBJECT = "ada"
CLAIMS = {"name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture
def provider():
    """An OpenID Connect provider on a free port of localhost, knowing Ada's claims."""
    with warnings.catch_warnings():  # its import warns too
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock  # requirements-dev.txt

    ada = oidc_provider_mock.User(sub=SUBJECT, claims=CLAIMS)
    with oidc_provider_mock.run_server_in_thread(port=0, user_claims=[ada]) as server:
        yield f"http://localhost:{server.server_port}"


def secrets_file(tmp_path, issuer: str):
    """Streamlit's ``[auth]`` for the provider; ``{port}`` is the app's own port."""
    path = tmp_path / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-this-test-only"\n'
        'client_id = "initiative-sim"\n'
        'client_secret = "a-client-secret-for-this-test-only"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    return path


def test_sign_in_with_a_real_provider_and_decide_as_the_signed_in_person(tmp_path, provider):
    secrets = secrets_file(tmp_path, provider)
    env = {"STREAMLIT_SECRETS_FILES": str(secrets)}
    with running_app(tmp_path, host="localhost", env=env) as url, app_page(url) as (page, errors):
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Sign in to record decisions").wait_for()
        assert sidebar.get_by_text("Signed in as").count() == 0

        # The provider's own login page: type the subject, authorise, come back.
        sidebar.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{provider}/oauth2/authorize**")
        page.get_by_placeholder("sub").fill(SUBJECT)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{url}/**")
        sidebar.get_by_text("Signed in as Ada Lovelace").wait_for()
        _settle(page)

        # Decide: rank a session, record a decision without typing a name.
        rank_a_session(page, RUNS)
        _settle(page)
        page.get_by_text("Deciding as Ada Lovelace").wait_for()
        assert page.get_by_role("textbox", name="Decided by").count() == 0, "no typed name"
        page.get_by_label("Rationale").fill("Decided by the signed-in person.")
        page.get_by_role("button", name="Record decision").click()
        page.get_by_text("Recorded: accept").wait_for()
        _settle(page)
        _no_exception(page, "Decide page (signed in)")

        store = Store(f"sqlite:///{tmp_path / 'data' / 'app.sqlite'}")
        try:
            [row] = dec.list_decisions(store=store)
        finally:
            store.dispose()
        assert row.decided_by == "Ada Lovelace"
        assert row.decided_by_identity == {
            "sub": SUBJECT,
            "iss": provider,
            "email": "ada@example.com",
        }

        # Signing out ends the provider's session too, and comes back signed out.
        sidebar.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{provider}/oauth2/end_session**")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{url}/**")
        sidebar.get_by_role("button", name="Sign in").wait_for()
        assert sidebar.get_by_text("Signed in as").count() == 0
        assert not errors, f"browser errors: {errors}"
