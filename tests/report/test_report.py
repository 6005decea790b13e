"""The steering-committee report: its numbers, its self-containment, its errors.

See docs/reference/drivers-and-report.md.

The browser test opens the report in Chromium with every network request blocked:
each chart must render (an SVG with a size), the console must stay free of errors
and no request may leave the machine. Its P50/P85 dates and on-time chance must
equal ``run --json``'s. It also takes the screenshots in ``docs/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simulation import load_scenario, run
from simulation.cli import main
from simulation.report.document import _date, _pct, report_html
from tests.helpers import LIBRARY, SCREENSHOTS

SCENARIO = LIBRARY / "supply-chain-vendor-risks.yaml"
VARIANT = LIBRARY / "supply-chain-creep-controlled.yaml"
SESSION = LIBRARY / "sessions" / "supply-chain-q2.yaml"
RUNS = "300"
CHROMIUM = Path("/usr/bin/chromium")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _summary_of(text: str) -> dict:
    found = re.search(r"<script type='application/json' id='summary'>(.*?)</script>", text, re.S)
    assert found, "the report carries its summary as data"
    return json.loads(found.group(1).replace("<\\/", "</"))


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(SCENARIO), "--runs", RUNS, "--out", str(out)]) == 0
    return out


def test_report_numbers_are_run_json(report_file, capsys):
    code, out, _ = _cli(capsys, "run", str(SCENARIO), "--runs", RUNS, "--json")
    assert code == 0
    expected = json.loads(out)
    text = report_file.read_text()
    assert _summary_of(text) == expected, "the report's numbers are the summary's"
    d = expected["delivery"]
    for shown in (
        f"<b>{_date(d['p50_date'])}</b>",
        f"<b>{_date(d['p85_date'])}</b>",
        f"<b>{_pct(d['on_time_probability'])}</b>",
    ):
        assert shown in text, f"{shown} is in the report's sentences"


def test_report_is_self_contained(report_file):
    text = report_file.read_text()
    assert "<script src" not in text and "<link" not in text, "nothing to fetch"
    # Every URL left is an XML namespace of the inline SVGs, never a resource.
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    for heading in (
        "The situation",
        "Both lenses",
        "What drives the date and the value",
        "The assumptions",
        "How it was computed",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert text.count("<svg") == 5, "delivery, value, two tornados, criticality"


@pytest.mark.browser
def test_report_opens_offline_in_chromium(report_file, tmp_path):
    """Network blocked: every chart renders, no console error, no request leaves."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is needed for the report test in CI", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    left: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1200})
            page = context.new_page()

            def block(route):
                if not route.request.url.startswith("file://"):
                    left.append(route.request.url)
                    return route.abort()
                return route.continue_()

            context.route("**/*", block)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report_file.as_uri())
            page.wait_for_load_state("load")
            sizes = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg')]
                .map(s => { const b = s.getBoundingClientRect();
                            return [b.width, b.height, s.querySelectorAll('path,rect,line,text')
                            .length]; })""")
            shown = page.inner_text("body")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "report.png"))
        finally:
            browser.close()
    assert not left, f"requests tried to leave the machine: {left}"
    assert not errors, f"console errors: {errors}"
    assert len(sizes) == 5 and all(w > 100 and h > 50 and n > 10 for w, h, n in sizes), sizes
    expected = run(load_scenario(SCENARIO), runs=int(RUNS)).summary()["delivery"]
    for value in (
        _date(expected["p50_date"]),
        _date(expected["p85_date"]),
        _pct(expected["on_time_probability"]),
    ):
        assert value in shown, f"{value} is on the page as rendered"


@pytest.mark.browser
def test_pdf_through_chromium(tmp_path, capsys):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    out, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    code, said, err = _cli(
        capsys, "report", str(SCENARIO), "--runs", "100", "--out", str(out), "--pdf", str(pdf)
    )
    assert code == 0, err
    assert pdf.read_bytes()[:5] == b"%PDF-" and "PDF written" in said
    if shutil.which("pdftoppm"):  # the README's picture of the PDF's first page
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(SCREENSHOTS / "report-pdf"),
            ],
            check=True,
            timeout=60,
        )


def test_pdf_without_chromium_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    code, _, err = _cli(
        capsys,
        "report",
        str(SCENARIO),
        "--out",
        str(tmp_path / "r.html"),
        "--pdf",
        str(tmp_path / "r.pdf"),
    )
    assert code == 2 and "--pdf: Chromium is not installed" in err
    assert "Traceback" not in err and not (tmp_path / "r.html").exists(), (
        "said before simulating anything"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "nope.yaml", "--out", "r.html"], "nope.yaml"),
        (
            ["report", str(SCENARIO), "--out", "/proc/no/such/r.html"],
            "--out: the folder '/proc/no/such' does not exist",
        ),
        (["report", "--out", "r.html"], "give a scenario FILE"),
        (["report", str(SCENARIO), "--session", str(SESSION), "--out", "r.html"], "not both"),
    ],
)
def test_bad_input_exits_2_with_a_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "/proc/" in " ".join(argv):  # simulates first: keep it small
        argv = [*argv, "--runs", "20"]
    code, _, err = _cli(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err, err


def test_variants_and_session_reports(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))  # a fresh, empty store
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)
    out = tmp_path / "variants.html"
    assert (
        _cli(capsys, "report", str(SCENARIO), str(VARIANT), "--runs", "100", "--out", str(out))[0]
        == 0
    )
    text = out.read_text()
    assert "The variants against" in text and "Paired difference (variant - base)" in text
    out = tmp_path / "session.html"
    assert (
        _cli(capsys, "report", "--session", str(SESSION), "--runs", "100", "--out", str(out))[0]
        == 0
    )
    text = out.read_text()
    assert "<h2>The session:" in text and "No decision recorded yet." in text


def test_report_html_without_value_or_risks():
    """A scenario with nothing uncertain and no value still reports, in words."""
    from tests.helpers import make_scenario

    text = report_html(run(make_scenario(), runs=20, seed=1))
    assert "No backlog item has a value per week" in text
    assert "No single uncertain input stands out" in text


def test_session_report_reads_like_the_room(tmp_path, monkeypatch):
    """The hand-worked session (tests/decide/test_room_sentences.py) with "report"
    accepted first and "extra" second: the report states the ranking rule in the
    page's words, draws both trade-off maps with a key of names, gives the accepted
    set together (+10 working days, -100 pp, "+16 k"), the best set in words and the
    decisions in the order made. Catches: the old rule ("ranked by how often it
    beats the next one"), decisions listed in file order, a missing best set."""
    from simulation.decide.prioritise import prioritise
    from simulation.decide.sessions import load_session
    from simulation.present import decide as words
    from simulation.report.document import session_report
    from simulation.store import decisions as dec
    from tests.helpers import ROOT

    monkeypatch.setenv("SIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SIM_DATABASE_URL", raising=False)
    ses = load_session(ROOT / "tests" / "data" / "hand-session.yaml")
    pr = prioritise(ses, runs=20, seed=3, workers=1)
    dec.record_decision(ses.name, "report", "accept", "Ana (PMO)", "first")
    dec.record_decision(ses.name, "extra", "accept", "Ben (product)", "second")
    text = session_report(ses, pr=pr)
    assert f"<p>{words.RANK_RULE}</p>" in text, "the page's sentence, as it is"
    assert "how often it beats the next one" not in text
    maps_part = text.split("<h3>Trade-off maps</h3>", 1)[1].split("<h3>", 1)[0]
    assert maps_part.count('<figure class="chart"><svg') == 2, "both maps, drawn inline"
    assert "Extra report (25 days, 300/week)" in maps_part, "the key names the candidates"
    assert (
        "together against the base: delivery +10 working days on average, on-time chance "
        "-100 pp, NPV +16 k, outcome chance ±0 pp." in text
    )
    assert "Recommended: “Extra report (25 days, 300/week)”" in text
    assert "would lower the set&#x27;s NPV by 2.4 k" in text
    decisions = text.split("<h3>Decisions</h3>", 1)[1]
    assert decisions.index("Second report") < decisions.index("Extra report"), "order made"
