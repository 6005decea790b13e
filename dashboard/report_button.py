"""The **Download report** button of the Forecast, What-if and Decide pages.

The report (:mod:`simulation.report.document`) is built only when the button is pressed:
Streamlit calls the data callable on click, on its own thread, so the page never
waits for the SVG rendering. Built reports are kept per server process, keyed
by what they are a pure function of (the scenario texts, runs and seed), so a
second click costs nothing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import turns

#: Reports kept per server process (oldest dropped first).
MAX_REPORTS = 16
LOG = logging.getLogger(__name__)
_BUILT: OrderedDict[Any, bytes] = OrderedDict()
_LOCK = threading.Lock()


def report_bytes(
    key: Any, build: Callable[[], str], simulates: tuple[int | str, int] | None = None
) -> bytes:
    """The report for ``key``, built once by ``build`` (HTML text), as UTF-8 bytes.

    ``key`` None: built on every click (a report that reads the store, whose
    decisions change while the page stays the same). ``simulates``: the report
    simulates ``(runs, scenarios)`` itself, so its build waits its turn in the
    server's line (``docs/reference/server-settings.md``).
    """
    with _LOCK:
        if key is not None and key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
    try:
        data = (build() if simulates is None else turns.in_line(*simulates, build)).encode("utf-8")
    except Exception:  # a download must not crash the page; the log has the details
        LOG.exception("the report could not be built")
        return (
            b"<!DOCTYPE html><meta charset='utf-8'><p>The report could not be built; "
            b"the details are in the server log.</p>"
        )
    if key is None:
        return data
    with _LOCK:
        _BUILT[key] = data
        while len(_BUILT) > MAX_REPORTS:
            _BUILT.popitem(last=False)
    return data


def download_report(
    key: Any,
    build: Callable[[], str],
    file_name: str,
    widget_key: str,
    simulates: tuple[int | str, int] | None = None,
) -> None:
    """A **Download report** button: a self-contained HTML report for a steering committee
    (``simulates``: as for :func:`report_bytes`)."""
    st.download_button(
        "Download report",
        data=lambda: report_bytes(key, build, simulates),
        file_name=file_name,
        mime="text/html",
        icon=":material/description:",
        key=widget_key,
        help="One HTML file that opens without a network and prints well: "
        "both lenses, what drives the date and the value, the assumptions "
        "and how it was computed.",
    )


def file_name(name: str) -> str:
    """A report's file name from a scenario or session name."""
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"{slug or 'initiative'}-report.html"
