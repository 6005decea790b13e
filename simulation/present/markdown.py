"""Text other people wrote, shown on a page that renders Markdown.

Streamlit renders Markdown in ``st.markdown``, captions, alerts, subheaders and
widget labels: a decision's author written as ``![x](http://tracker/p.png)``
would load a remote image in every colleague's browser, and ``[Approved](http://x)``
would be a link. :func:`escape_markdown` makes such text read as it was typed.
Every page passes names, rationales, file names and error messages (which quote
the user's values) through it before they meet Markdown
(``docs/reference/security.md``).
"""

from __future__ import annotations

import re

# Every ASCII punctuation character can be escaped with a backslash in CommonMark
# and GitHub Markdown; escaping them all leaves no syntax (emphasis, links, images,
# code, headings, lists, tables, HTML, LaTeX ``$``, Streamlit's ``:color[...]``).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that renders exactly as the characters typed, on one line.

    Runs of white space (line breaks included) become one space, so a name cannot
    start a heading, a list or a code block; every ASCII punctuation character gets
    a backslash. ``None`` is the empty string.

    ``escape_markdown("*Ana*")`` is ``\\*Ana\\*``, which renders as ``*Ana*``.
    """
    if text is None:
        return ""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
