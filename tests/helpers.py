"""Scenario builders shared by the test files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from simulation.scenario.schema import Scenario, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios"
#: Where browser tests save their screenshots: ``tests/artifacts/screenshots``
#: (ignored by git), so a test run leaves the work tree clean; ``make screenshots``
#: sets ``SIM_SCREENSHOTS=docs`` to refresh the ones the docs show.
SCREENSHOTS = ROOT / os.environ.get("SIM_SCREENSHOTS", "tests/artifacts/screenshots")
#: ``make fuzz`` multiplies every property test's example count by this.
FUZZ_SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1") or 1))


def examples(n: int) -> int:
    """A property test's example count: ``n``, times ``FUZZ_SCALE`` under ``make fuzz``."""
    return n * FUZZ_SCALE


def make_scenario(**overrides: Any) -> Scenario:
    """A tiny deterministic scenario; keyword arguments replace whole sections."""
    data: dict[str, Any] = {
        "name": "test",
        "start_date": "2027-01-04",
        "team": {"size": 1},
        "items": [{"id": "a", "effort": 10}],
    }
    data.update(overrides)
    return parse_scenario(data)


def items(*efforts: Any, deps: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Items a, b, c, ... with the given efforts and optional {id: [dependencies]}."""
    deps = deps or {}
    out = []
    for i, e in enumerate(efforts):
        iid = chr(ord("a") + i)
        out.append({"id": iid, "effort": e, "depends_on": deps.get(iid, [])})
    return out


def rendered_text(markdown: str) -> tuple[str, str]:
    """``markdown`` rendered as GitHub Markdown (autolinks too): (the HTML, its text).

    Pages escape what users typed (``simulation.present.markdown``), so tests compare
    what a reader sees, not the escaped source."""
    import html
    import re

    from markdown_it import MarkdownIt

    out = MarkdownIt("gfm-like").render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


def seen(element: Any) -> str:
    """The text a reader sees of an AppTest alert, caption or Markdown element (or of a
    Markdown string): what users typed is escaped in the page's Markdown source."""
    return rendered_text(element if isinstance(element, str) else element.value)[1]
