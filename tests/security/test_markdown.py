"""Text other people typed reads as typed where Markdown is rendered
(``docs/reference/security.md``).

Each payload is rendered as GitHub Markdown (markdown-it's ``gfm-like`` preset,
bare URLs linked as GitHub and Streamlit do) after :func:`escape_markdown`: no
element is made from it, and a reader sees the characters typed (white space runs
as one space).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from dashboard import decide
from simulation.present.markdown import escape_markdown
from tests.helpers import rendered_text

#: Markdown a colleague could type as a name or a rationale, and what it would make.
PAYLOADS = [
    "![x](http://evil.example/pixel.png)",  # an image fetched by every reader
    "[Approved by the board](http://evil.example)",  # a link
    "<img src=x onerror=alert(1)>",  # HTML
    "http://evil.example/x www.evil.example ana@evil.example",  # autolinks
    "**bold** _em_ ~~gone~~ `code`",
    "# Heading\n- list\n1. item\n> quote",
    "a | b\n--|--\n1 | 2",  # a table
    ":red[alarm] :material/warning: $x^2$",  # Streamlit colour, icon, LaTeX
    "Ana \\*not em\\* & <b>",
    "[x]: http://evil.example\n[x]",  # a reference link
]

TAGS = (
    "<a",
    "<img",
    "<em",
    "<strong",
    "<h1",
    "<code",
    "<li",
    "<blockquote",
    "<table",
    "<s>",
    "<b>",
    "<del",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_renders_as_typed(payload):
    """The rendered HTML holds one paragraph and none of the elements the payload
    would make, and its text equals the payload with white space runs joined. Catches
    an escape that misses one character class (``!`` or ``[``: the image comes back;
    a newline: the heading comes back)."""
    html, text = rendered_text(escape_markdown(payload))
    assert not [t for t in TAGS if t in html], html
    assert html.count("<p>") == 1, html
    assert text == " ".join(payload.split())


def test_unescaped_payloads_would_make_elements():
    """The same renderer on the raw payloads makes an image and a link: the test above
    fails if the escape is the identity. Catches a renderer that shows nothing."""
    assert "<img" in rendered_text(PAYLOADS[0])[0]
    assert "<a" in rendered_text(PAYLOADS[1])[0]


def test_the_meanwhile_warning_escapes_the_other_persons_name():
    """Someone recorded a decision as ``![x](http://evil.example/p.png)``: the warning
    shown to the next person renders no image, keeps the decision in bold, and reads the
    name as typed. Catches the warning interpolating ``decided_by`` raw (the bug before)."""
    other = SimpleNamespace(
        decided_by=PAYLOADS[0], decision="accept", decided_at=dt.datetime(2027, 1, 4, 9, 30)
    )
    html, text = rendered_text(decide.meanwhile_note(other, "[Drop](http://x) *it*"))
    assert "<img" not in html and "<a" not in html
    assert "<strong>accept</strong>" in html
    assert text.startswith(f"Meanwhile {PAYLOADS[0]} decided accept on “[Drop](http://x) *it*”")


def test_none_is_empty_and_numbers_read_as_typed():
    """``None`` is nothing to show; ``-1.5`` renders as ``-1.5`` (not a list item).
    Catches a helper that shows ``None`` or lets a leading ``-`` make a list."""
    assert escape_markdown(None) == ""
    html, text = rendered_text(escape_markdown("- 1.5"))
    assert "<li" not in html and text == "- 1.5"


def test_an_uploaded_session_with_hostile_names_renders_no_image_or_link(tmp_path, monkeypatch):
    """A session file uploaded on the Decide page, named with an image, its description a
    link and a candidate named with both: every alert, caption and Markdown element on the
    page renders without ``<img>`` or ``<a>``, and the name reads as typed; the decision
    form says typed names are not verified. Catches a page that interpolates a session's
    text raw into ``st.markdown`` or the load message."""
    from streamlit.testing.v1 import AppTest

    from dashboard import saved_files
    from simulation import store as st
    from simulation.store import decisions as dec
    from tests.helpers import LIBRARY, ROOT

    monkeypatch.setenv(saved_files.USER_DIR_ENV, str(tmp_path / "saved"))
    monkeypatch.setenv(st.URL_ENV, f"sqlite:///{tmp_path / 'app.sqlite'}")
    text = (LIBRARY / "sessions" / "grant-portal-release.yaml").read_text()
    text = text.replace("name: Release scope (grant portal)", f"name: '{PAYLOADS[0]}'", 1)
    text = text.replace(
        "name: Save and resume applications", f"name: '{PAYLOADS[1]} {PAYLOADS[0]}'", 1
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("dashboard/pages/decide.py").run()
    at.file_uploader(key="decide_upload").set_value(
        ("hostile.yaml", text.encode(), "application/x-yaml")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [
        rendered_text(e.value)
        for kind in (at.markdown, at.success, at.caption, at.info, at.warning, at.error)
        for e in kind
    ]
    assert not [h for h, _ in shown if "<img" in h or "<a " in h], shown
    assert any(f"Loaded “{PAYLOADS[0]}”" in t for _, t in shown), shown
    assert any(t.startswith(f"{PAYLOADS[0]}: 5 candidates") for _, t in shown), shown

    # Ranked (20 futures each), the decision form says names are not verified.
    at.number_input(key="decide_runs").set_value(20).run()
    at.button(key="decide_rank").click().run()
    assert not at.exception, [e.value for e in at.exception]
    who = next(t for t in at.text_input if t.key.startswith("decide_who"))
    assert who.help == dec.UNVERIFIED_NAMES
