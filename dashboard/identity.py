"""Who is using the app (``docs/how-to/sign-people-in.md``): the one place pages ask.

With Streamlit's authentication configured (an ``[auth]`` section in the server's
secrets), people sign in with the organisation's identity provider (OpenID
Connect, ``st.login``), and the author of every record (a decision, a trail
record, a class, a trainee's name) is the signed-in person, shown and never typed.
Without it the app works as before: names are typed, and the pages say that they
are not verified (``simulation.store.decisions.UNVERIFIED_NAMES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from simulation.present.markdown import escape_markdown
from simulation.store.authors import Identity

#: Said in the sidebar when the server does not sign people in.
NOT_SIGNED_IN = "Names are typed here, not verified: this server does not sign people in."


def _auth_section() -> Mapping[str, Any]:
    """The ``[auth]`` section of the secrets, or an empty one (no secrets file at all)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # Streamlit's "no secrets found" is one
        return {}
    return section if isinstance(section, Mapping) else {}


def sign_in_configured() -> bool:
    """Whether this server signs people in: its secrets have an ``[auth]`` section."""
    return bool(_auth_section())


def provider() -> str | None:
    """The provider ``st.login`` uses: None for the keys straight under ``[auth]``, else the
    first named one (``[auth.entra]``: ``"entra"``)."""
    section = _auth_section()
    if "client_id" in section:
        return None
    return next((k for k, v in section.items() if isinstance(v, Mapping)), None)


def identity_from_claims(claims: Mapping[str, Any]) -> Identity | None:
    """The person the OpenID Connect claims describe, or None without a subject.

    The name shown is the ``name`` claim, else given and family names, else
    ``preferred_username``, else the email, else the subject.
    """
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        return None
    email = str(claims.get("email") or "").strip()
    given = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name"))
    name = next(
        (
            " ".join(str(n).split())
            for n in (claims.get("name"), given, claims.get("preferred_username"), email, subject)
            if n and str(n).strip()
        ),
        subject,
    )
    return Identity(name=name, subject=subject, issuer=str(claims.get("iss") or ""), email=email)


def current_author() -> Identity | None:
    """The signed-in person, who authors every record; None when nobody is signed in or
    this server does not sign people in (names are then typed)."""
    if not sign_in_configured():
        return None
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        return None
    return identity_from_claims(user)


def needs_sign_in() -> bool:
    """Whether recording must wait for a sign-in: the server signs people in, nobody has."""
    return sign_in_configured() and current_author() is None


def sign_in_button(what: str, key: str) -> None:
    """In place of a form that records: ask to sign in first, with the button."""
    st.info(f"Sign in to {what}: this server records who did it.", icon=":material/login:")
    st.button("Sign in", key=key, type="primary", on_click=st.login, args=_login_args())


def author_caption(who: Identity, doing: str) -> None:
    """Under a form that records: whose name the record will carry (read-only)."""
    also = f" ({escape_markdown(who.email)})" if who.email and who.email != who.name else ""
    st.caption(f"{doing} as **{escape_markdown(who.name)}**{also}, signed in.")


def _login_args() -> tuple[str, ...]:
    name = provider()
    return () if name is None else (name,)


def sidebar() -> None:
    """Under the page menu: who is signed in with a sign-out, a sign-in, or the notice that
    names are not verified."""
    with st.sidebar:
        if not sign_in_configured():
            st.caption(NOT_SIGNED_IN)
            return
        who = current_author()
        if who is None:
            st.button(
                "Sign in",
                key="identity_sign_in",
                icon=":material/login:",
                on_click=st.login,
                args=_login_args(),
            )
            st.caption("Sign in to record decisions, re-forecasts and classes.")
            return
        also = f" ({escape_markdown(who.email)})" if who.email and who.email != who.name else ""
        st.markdown(f"Signed in as **{escape_markdown(who.name)}**{also}")
        st.button("Sign out", key="identity_sign_out", icon=":material/logout:", on_click=st.logout)
