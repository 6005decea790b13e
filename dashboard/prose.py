"""Page prose: the explanatory text of each page lives in ``dashboard/text/*.md``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

TEXT_DIR = Path(__file__).resolve().parent / "text"


@cache
def text(name: str) -> str:
    """The markdown of ``dashboard/text/<name>.md`` (read once per process; read-only)."""
    return (TEXT_DIR / f"{name}.md").read_text(encoding="utf-8").strip()


def part(name: str, heading: str) -> str:
    """One ``## heading`` section of a prose file (without the heading line)."""
    lines = text(name).splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip().lower() == heading.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()
