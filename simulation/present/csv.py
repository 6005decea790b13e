"""CSV files people open in a spreadsheet: every export goes through here.

A cell of text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula, so a
decision rationale such as ``=HYPERLINK("http://x", "click")`` would run on the
reader's machine. Such a cell is written with a leading apostrophe (the OWASP
rule), which every spreadsheet shows as plain text. Numbers are left as they are:
``-3.5`` stays a number, whether it arrives as a float or as text. See
``docs/reference/security.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pandas is imported where a table is written
    import pandas as pd

#: The first characters a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet reads it as text: text that would start a formula
    gets a leading apostrophe; numbers (also as text) and anything else pass as they are.

    >>> safe_cell("=1+1"), safe_cell("-2.5"), safe_cell(-2.5), safe_cell("ok")
    ("'=1+1", '-2.5', -2.5, 'ok')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name made safe
    (:func:`safe_cell`); numeric columns are untouched."""
    import pandas as pd

    out = frame.rename(columns=lambda c: safe_cell(c) if isinstance(c, str) else c)
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(safe_cell)
    return out


def frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index, ``\\n`` line ends), every cell made safe."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\n")


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as CSV (UTF-8, no index), every cell made safe."""
    Path(path).write_text(frame_csv(frame), encoding="utf-8")


def write_rows(
    stream: TextIO, fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Write dict ``rows`` under a header of ``fieldnames`` to ``stream``, every cell safe."""
    writer = csv.DictWriter(stream, fieldnames=list(fieldnames), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})


def rows_csv(fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """:func:`write_rows` into a string."""
    buf = io.StringIO()
    write_rows(buf, fieldnames, rows)
    return buf.getvalue()
