"""Printing the report to PDF when Chromium fails, is missing or hangs.

A small shell script stands in for Chromium (``$CHROMIUM`` or the ``browser``
argument): it exits with an error, writes an empty file, writes the PDF, or sleeps
past a lowered time limit. Each failure is a ScenarioError that names ``--pdf``, the
file and what Chromium said, never a traceback; the real Chromium is driven by
``tests/report/test_report.py``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from simulation.report import document as doc
from simulation.scenario.errors import ScenarioError


def fake_browser(folder: Path, body: str) -> str:
    """An executable shell script named like a browser, running ``body``."""
    path = folder / "chromium"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def html(folder: Path) -> Path:
    page = folder / "r.html"
    page.write_text("<html><body>report</body></html>")
    return page


def test_a_browser_that_fails_is_quoted(tmp_path):
    """Chromium exits 3 with three lines on stderr: the message gives the PDF's path,
    the exit status and the last line. With nothing on stderr it says "no message".
    Catches the failure passed over (a report "written" with no PDF), the wrong line
    quoted, and a crash on an empty stderr."""
    pdf = tmp_path / "out" / "r.pdf"
    browser = fake_browser(
        tmp_path, "echo starting >&2; echo 'loading' >&2; echo 'GPU process crashed' >&2; exit 3"
    )
    with pytest.raises(ScenarioError) as err:
        doc.print_pdf(html(tmp_path), pdf, browser)
    assert (
        str(err.value) == f"--pdf: Chromium could not print '{pdf}' (exit 3: GPU process crashed)"
    )
    quiet = fake_browser(tmp_path, "exit 4")
    with pytest.raises(ScenarioError) as err:
        doc.print_pdf(html(tmp_path), pdf, quiet)
    assert str(err.value).endswith("(exit 4: no message)")


def test_an_empty_or_missing_pdf_is_a_failure_even_at_exit_0(tmp_path):
    """Chromium exits 0 but writes nothing, or an empty file: both are failures. A
    browser that writes the file is a success, in a folder made for it. Catches
    "exit 0" trusted alone, and a PDF folder that must exist beforehand."""
    pdf = tmp_path / "new" / "folder" / "r.pdf"
    nothing = fake_browser(tmp_path, "exit 0")
    with pytest.raises(ScenarioError, match="exit 0: no message"):
        doc.print_pdf(html(tmp_path), pdf, nothing)
    empty = fake_browser(tmp_path, f"touch '{pdf}'")
    with pytest.raises(ScenarioError, match="could not print"):
        doc.print_pdf(html(tmp_path), pdf, empty)
    one_byte = fake_browser(tmp_path, f"printf x > '{pdf}'")
    doc.print_pdf(html(tmp_path), pdf, one_byte)
    writes = fake_browser(
        tmp_path,
        'for a in "$@"; do case $a in --print-to-pdf=*) printf %%PDF- > "${a#*=}";; esac; done',
    )
    doc.print_pdf(html(tmp_path), pdf, writes)
    assert pdf.read_bytes() == b"%PDF-"


def test_a_browser_that_hangs_or_cannot_start(tmp_path, monkeypatch):
    """A browser still running after the time limit (lowered to 1 s) is stopped and
    said to be late; a browser path that cannot be run is said with the system's
    reason; no browser at all says where it looked. Catches a print with no time
    limit (the command hangs), and these failures as tracebacks."""
    monkeypatch.setattr(doc, "PDF_TIMEOUT_S", 1)
    slow = fake_browser(tmp_path, "sleep 5")
    with pytest.raises(ScenarioError) as err:
        doc.print_pdf(html(tmp_path), tmp_path / "r.pdf", slow)
    assert str(err.value) == "--pdf: Chromium did not finish within 1 s"
    not_a_program = tmp_path / "plain.txt"
    not_a_program.write_text("not a program")
    with pytest.raises(ScenarioError) as err:
        doc.print_pdf(html(tmp_path), tmp_path / "r.pdf", str(not_a_program))
    assert str(err.value) == f"--pdf: cannot print to '{tmp_path / 'r.pdf'}': Permission denied"
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "none"))
    with pytest.raises(ScenarioError) as err:
        doc.print_pdf(html(tmp_path), tmp_path / "r.pdf")
    assert str(err.value) == (
        "--pdf: Chromium is not installed (looked for chromium, chromium-browser, "
        "google-chrome, google-chrome-stable and $CHROMIUM); the HTML report was "
        "written, print it from a browser instead"
    )


def test_chromium_from_the_environment_must_be_a_program(tmp_path, monkeypatch):
    """``$CHROMIUM`` names the browser when it is an executable file; a folder, a file
    that cannot be run or a missing path is no browser (the caller then says it is not
    installed). Catches the variable taken without checking it can run."""
    program = fake_browser(tmp_path, "exit 0")
    monkeypatch.setenv("CHROMIUM", program)
    assert doc.chromium() == program
    plain = tmp_path / "plain"
    plain.write_text("x")
    for path in (plain, tmp_path, tmp_path / "missing"):
        monkeypatch.setenv("CHROMIUM", str(path))
        assert doc.chromium() is None, path
    os.chmod(plain, 0o755)
    monkeypatch.setenv("CHROMIUM", str(plain))
    assert doc.chromium() == str(plain)
