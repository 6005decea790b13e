"""The report's JSON block survives hostile names (``docs/reference/security.md``).

The report carries its summary in ``<script type='application/json' id='summary'>``.
A scenario named ``<!--<script>`` would put the HTML tokenizer in its "script data
double escaped" state, where ``</script>`` no longer ends the block: the rest of the
page is swallowed and the block is no longer JSON. Chromium parses the file as a
browser does; Node's ``JSON.parse`` reads the block's text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simulation import run
from simulation.report.document import json_block, report_html
from tests.helpers import make_scenario

CHROMIUM = Path("/usr/bin/chromium")

NAMES = [
    "<!--<script>",
    "</script><script>alert(1)</script>",
    "a & b <!-- c --> d",
    "line\u2028break\u2029para",
    "&lt;script&gt; \"quoted\" 'single' \\back",
]


def test_json_block_has_no_markup_characters():
    """Every name comes back from ``json.loads`` unchanged, and the block has no ``<``,
    ``>``, ``&``, U+2028 or U+2029 in it. Catches escaping only ``</`` (the bug before:
    ``<!--`` passed)."""
    for name in NAMES:
        block = json_block({"scenario": name})
        assert not set(block) & set("<>&\u2028\u2029"), block
        assert json.loads(block) == {"scenario": name}


def test_json_block_keeps_other_letters_as_written():
    """Only the markup characters are escaped: a name in another alphabet reads in the
    page's source as it was typed (the page is UTF-8), not as ``\\u`` codes. Catches
    ASCII-only JSON (``Caf\\u00e9``), which parses the same but no one can read."""
    block = json_block({"scenario": "Café Zürich – 東京"})
    assert '"Café Zürich – 東京"' in block


def _dom(html_path: Path) -> str:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def _json_parse(text: str):
    out = subprocess.run(
        [
            "node",
            "-e",
            "process.stdout.write(JSON.stringify(JSON.parse("
            "require('fs').readFileSync(0, 'utf8'))))",
        ],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return json.loads(out)


def test_a_browser_reads_the_block_back_for_hostile_names(tmp_path):
    """One report per hostile name (20 runs, seed 1): in the DOM Chromium builds, the
    ``summary`` element's text through ``JSON.parse`` equals the summary, and the page's
    last section still follows it as an element. Catches a block a name can end early or
    hide the rest of the page behind (``<!--<script>`` before the fix)."""
    if not CHROMIUM.exists() or shutil.which("node") is None:
        pytest.skip("needs /usr/bin/chromium and node")
    for i, name in enumerate(NAMES):
        res = run(make_scenario(name=name), runs=20, seed=1)
        path = tmp_path / f"r{i}.html"
        path.write_text(report_html(res), encoding="utf-8")
        dom = _dom(path)
        found = re.search(r'<script type="application/json" id="summary">(.*?)</script>', dom, re.S)
        assert found, f"{name!r}: the summary block is not an element of its own"
        # The DOM is serialised with the block's text raw; JSON.parse it as a page would.
        assert _json_parse(found.group(1)) == json.loads(json.dumps(res.summary())), name
        assert dom.rstrip().endswith("</body></html>"), f"{name!r}: the page ends inside"
