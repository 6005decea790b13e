"""``list [FOLDER]``: the scenario library, one base or variant a line."""

from __future__ import annotations

from pathlib import Path

from simulation.scenario.errors import ScenarioError
from simulation.scenario.library import LIBRARY_DIR

NAME = "list"


def register(sub):
    li = sub.add_parser(NAME, help="list the scenario library")
    li.add_argument("folder", nargs="?", default=str(LIBRARY_DIR))
    return li


def command(args) -> int:
    """The library: file, kind (base/variant), name and the situation in one line."""
    import shutil
    import textwrap

    from simulation.scenario.library import list_library

    folder = Path(args.folder)
    if not folder.is_dir():
        raise ScenarioError("not a folder", source=str(folder))
    rows = list_library(folder)
    if not rows:
        print(f"no scenarios in {args.folder}")
        return 0
    width = max(len(r["file"]) for r in rows)
    indent = " " * 10
    columns = max(shutil.get_terminal_size((100, 24)).columns, 60)
    print(f"{'KIND':<8}  {'FILE':<{width}}  NAME")
    for r in rows:
        extends = f"  (extends {r['extends']})" if r["extends"] else ""
        print(f"{r['kind']:<8}  {r['file']:<{width}}  {r['name']}{extends}")
        if r["summary"]:
            line = textwrap.shorten(r["summary"], width=columns - len(indent), placeholder="...")
            print(f"{indent}{line}")
    return 0
