"""Who recorded a row (``docs/how-to/sign-people-in.md``): a typed name, or a person
the server's identity provider signed in.

Every table that keeps an author keeps the name shown beside the claims that say
who it really is (subject, issuer, email) as JSON; an empty claims column means
the name was typed and nobody verified it. Each recording function takes the
author as ``str | Identity``, so a signed-in author's name is never typed
separately from the identity it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.scenario.errors import ScenarioError


@dataclass(frozen=True)
class Identity:
    """A person the identity provider vouched for (OpenID Connect claims).

    ``name`` is the name shown; ``subject`` (the ``sub`` claim) and ``issuer``
    (``iss``) identify the person for good, ``email`` is what people recognise.
    """

    name: str
    subject: str
    issuer: str = ""
    email: str = ""

    def claims(self) -> dict[str, str]:
        """What the store keeps beside the name: the non-empty ``sub``, ``iss``, ``email``."""
        out = {"sub": self.subject, "iss": self.issuer, "email": self.email}
        return {k: v for k, v in out.items() if v}


def verified_as(claims: dict[str, str] | None) -> str:
    """How a stored identity reads in a table: its email, else its subject; "" when typed."""
    if not claims:
        return ""
    return str(claims.get("email") or claims.get("sub") or "")


def author(by: str | Identity, field: str, limit: int) -> tuple[str, dict[str, str] | None]:
    """The name and claims to store for ``by``: a typed name (claims None) or an identity.

    Raises
    ------
    ScenarioError
        Naming ``field`` when the name is empty, or a typed one is longer than
        ``limit`` characters (a signed-in name is cut to ``limit``: the claims
        keep who it is).
    """
    if isinstance(by, Identity):
        name, claims = " ".join(by.name.split())[:limit], by.claims()
        if not by.subject:
            message = "a signed-in author needs the identity's subject"
            raise ScenarioError(f"{field}: {message}", problems=[(field, message)])
    else:
        name, claims = ("" if by is None else str(by)).strip(), None
    if not name:
        raise ScenarioError(f"{field}: required", problems=[(field, "required")])
    if len(name) > limit:
        message = f"at most {limit:,} characters"
        raise ScenarioError(f"{field}: {message}", problems=[(field, message)])
    return name, claims
