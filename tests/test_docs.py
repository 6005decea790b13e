"""Every example in the docs runs, so a reader never copies code that fails.

- Python blocks (```` ```python ````) in ``docs/**/*.md`` and ``README.md`` are
  executed with Sybil, in page order, sharing one namespace per page (with
  ``tmp_path``, a scratch folder, for examples that write files); a block
  written as a doctest (``>>>``) has its printed output checked.
- Command-line blocks (```` ```console ```` starting with ``$ python -m
  simulation``) are run and their output compared with the block, line for line.
  ``make golden`` (``scripts/regenerate.py``) rewrites those outputs after an
  intended engine change.

Blocks that cannot run here (a cluster address, a server) are preceded by
``<!-- skip: next -->`` and say so in the page.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.markdown import ClearNamespaceParser, PythonCodeBlockParser, SkipParser

from scripts.regenerate import console_examples, doc_pages, run_console_example

ROOT = Path(__file__).resolve().parent.parent

SYBIL = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.md"],
    path="..",
)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _pages_with_python() -> list[Path]:
    return [p for p in doc_pages() if "```python" in p.read_text(encoding="utf-8")]


@pytest.fixture
def quiet_store(tmp_path, monkeypatch):
    """Examples that record something write to a store of their own, never data/."""
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)
    monkeypatch.delenv("SIM_SCHEDULER", raising=False)
    monkeypatch.chdir(ROOT)
    return tmp_path


@pytest.mark.parametrize("page", _pages_with_python(), ids=_rel)
def test_python_examples_run(page: Path, quiet_store):
    """Each Python block of the page runs (doctests print what the page shows)."""
    document = SYBIL.parse(page)
    document.namespace["tmp_path"] = quiet_store
    for example in document:
        example.evaluate()


def _console_params():
    return [
        pytest.param(page, example, id=f"{_rel(page)}:{example.line}")
        for page in doc_pages()
        for example in console_examples(page.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("page", "example"), _console_params())
def test_command_line_examples_print_what_the_page_shows(page: Path, example):
    """The block's command prints exactly the block's output (stdout, then stderr)."""
    code, printed = run_console_example(example.command)
    assert code in (0, 2), printed
    assert printed == example.output.strip(), (
        f"{_rel(page)} line {example.line}: `{example.command}` printed\n{printed}\n"
        "(run `make golden` after an intended change)"
    )
