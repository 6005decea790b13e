"""A fast first answer: how long a user waits for the first forecast (``make bench``,
``bench/run_bench.py --only first``, or this file directly).

* **cold command line**: ``python -m simulation run scenarios/supply-chain.yaml
  --runs 1000 --json`` in a fresh process: its wall time and its CPU time
  (user + system; a shared machine inflates it less than the wall time), the
  imports alone (what the command loads before it simulates), and whether
  pandas or Dask was imported (it must not be: the command keeps no table);
* **cold Forecast click**: a fresh ``streamlit run app.py``, headless Chromium
  (Playwright) on it; once the Scenario page has settled, a click on Forecast
  and the time until its seven charts are drawn. Twice: as a server runs by
  default (it simulated the opening scenario's forecast when it started, so the
  page only takes it), and with ``SIM_FORECAST_AHEAD=0``, the page simulating on
  the click (what a click costs after an edit). Split in two: the **server**
  part, from the click to the last message the page receives (the script's
  run: simulating, the tables, the chart specs, sending them), and the
  **browser** part, from that message until the charts are drawn. Also the CPU
  seconds of the server's processes and of Chromium's over the click, and the
  bytes the page received.

``--tree DIR`` measures another checkout too (``git worktree add /tmp/before
main``), alternating with this one so that both share the machine's state;
the medians of both and their ratios are printed. Linux only (``/proc``); the
click needs Playwright and ``/usr/bin/chromium`` (``requirements-dev.txt``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a file: the server helper is in scripts/
    sys.path.insert(0, str(ROOT))

from scripts.serve_app import start_app, stop_app  # noqa: E402

SCENARIO = "supply-chain.yaml"
RUNS = 1000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
#: Charts the Forecast page draws for the bundled scenario (two lenses, drivers, timeline).
FORECAST_CHARTS = 7
#: Libraries a forecast without tables must not import.
HEAVY = ("pandas", "pyarrow", "dask", "distributed")
_TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ processes
def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields after "pid (comm)"


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return kids


def tree_of(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (those still running)."""
    total = 0
    for pid in pids:
        if fields := _stat(pid):
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


# --------------------------------------------------------------- command line
def _env(tree: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(tree))


def cold_cli_once(
    tree: Path, extra: tuple[str, ...] = (), scenario: str = SCENARIO
) -> dict[str, Any]:
    """One cold ``run SCENARIO --runs 1000 --json`` from ``tree``: wall, CPU and the
    heavy imports (``bench/scaling.py`` uses it with the reference scenario)."""
    cmd = [sys.executable, "-X", "importtime", "-m", "simulation", "run", scenario]
    before = os.times()
    t0 = time.perf_counter()
    p = subprocess.run(
        [*cmd, "--runs", str(RUNS), "--json", *extra],
        cwd=tree,
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    after = os.times()
    modules = {
        line.split("|")[2].strip()
        for line in p.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return {
        "wall_s": wall,
        "cpu_s": (after.children_user - before.children_user)
        + (after.children_system - before.children_system),
        "heavy": sorted(m for m in modules if m.split(".")[0] in HEAVY and "." not in m),
        "runs": json.loads(p.stdout)["runs"],
    }


def imports_once(tree: Path) -> float:
    """Wall seconds of a fresh process that imports what ``run`` loads before simulating."""
    code = "import simulation.cli, simulation.engine.runner, simulation.scenario.loading"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=_env(tree), check=True)
    return time.perf_counter() - t0


# ------------------------------------------------------------------ dashboard
_DRAWN = f"""() => {{
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return charts.length >= {FORECAST_CHARTS}
    && charts.every(c => c.querySelector('canvas, svg.marks'));
}}"""


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


def forecast_click_once(tree: Path, ahead: bool = True) -> dict[str, Any]:
    """A fresh server from ``tree``, a fresh browser; the first click on Forecast
    (``ahead``: the server simulated the opening forecast when it started)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="first-answer-") as folder:
        ahead_env = {"SIM_FORECAST_AHEAD": "1" if ahead else "0"}
        proc, url = start_app(tree, Path(folder), env=ahead_env)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1440, "height": 1000})
                    page.set_default_timeout(180_000)
                    frames: list[tuple[float, int]] = []
                    page.on(
                        "websocket",
                        lambda ws: ws.on(
                            "framereceived",
                            lambda f: frames.append((time.perf_counter(), len(f))),
                        ),
                    )
                    page.goto(url)
                    page.get_by_text("Editing", exact=False).first.wait_for()
                    _settle(page)
                    page.wait_for_timeout(1000)  # the pool the app starts, idle again
                    frames.clear()
                    server = tree_of(proc.pid)
                    chromium = [
                        p for p in tree_of(os.getpid()) if p not in server and "chrom" in _comm(p)
                    ]
                    cpu0 = cpu_s(server), cpu_s(chromium)
                    t0 = time.perf_counter()
                    nav = page.locator('[data-testid="stSidebarNav"]')
                    nav.get_by_text("Forecast", exact=True).click()
                    page.wait_for_function(_DRAWN, polling=16)
                    drawn = time.perf_counter()
                    cpu1 = cpu_s(server), cpu_s(chromium)
                    _settle(page)
                finally:
                    browser.close()
        finally:
            stop_app(proc)
    arrived = [t for t, _ in frames if t <= drawn]
    last = (arrived[-1] if arrived else t0) - t0
    return {
        "total_s": drawn - t0,
        "server_s": last,
        "browser_s": drawn - t0 - last,
        "server_cpu_s": cpu1[0] - cpu0[0],
        "browser_cpu_s": cpu1[1] - cpu0[1],
        "received_bytes": sum(n for t, n in frames if t <= drawn),
    }


def click_available() -> str | None:
    """Why the click cannot be measured here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed"
    return None


# ---------------------------------------------------------------------- bench
def _medians(rows: list[dict[str, Any]]) -> dict[str, float]:
    keys = [k for k, v in rows[0].items() if isinstance(v, int | float)]
    return {k: statistics.median(r[k] for r in rows) for k in keys}


def bench(repeats: int = 5, trees: dict[str, Path] | None = None, click: bool = True) -> dict:
    """Each measurement ``repeats`` times per tree, the trees alternating."""
    trees = trees or {"this": ROOT}
    why_not = click_available() if click else "not asked for"
    out: dict[str, Any] = {"repeats": repeats, "scenario": SCENARIO, "runs": RUNS}
    for name in trees:
        out[name] = {"cli": [], "imports_s": [], "click": [], "click_on_edit": []}
    for _ in range(repeats):
        for name, tree in trees.items():
            out[name]["cli"].append(cold_cli_once(tree))
            out[name]["imports_s"].append(imports_once(tree))
            if why_not is None:
                out[name]["click"].append(forecast_click_once(tree))
                out[name]["click_on_edit"].append(forecast_click_once(tree, ahead=False))
    for name in trees:
        r = out[name]
        r["cli_median"] = _medians(r["cli"])
        r["imports_median_s"] = statistics.median(r["imports_s"])
        r["heavy_imports"] = sorted({m for row in r["cli"] for m in row["heavy"]})
        r["click_median"] = _medians(r["click"]) if r["click"] else None
        r["click_on_edit_median"] = _medians(r["click_on_edit"]) if r["click_on_edit"] else None
    out["click_skipped"] = why_not
    return out


def report(res: dict[str, Any]) -> str:
    names = [k for k, v in res.items() if isinstance(v, dict) and "cli" in v]
    lines = [f"A fast first answer: medians of {res['repeats']} (trees alternating)"]
    for name in names:
        r, c = res[name], res[name]["cli_median"]
        lines.append(
            f"{name}: cold CLI run {res['scenario']} --runs {res['runs']:,} --json "
            f"{c['wall_s']:.2f} s wall, {c['cpu_s']:.2f} s CPU; imports alone "
            f"{r['imports_median_s']:.2f} s; heavy imports: "
            f"{', '.join(r['heavy_imports']) or 'none'}"
        )
        for what, label in (
            ("click_median", "cold Forecast click"),
            ("click_on_edit_median", "cold Forecast click, nothing simulated ahead"),
        ):
            k = r.get(what)
            if k:
                lines.append(
                    f"{name}: {label} {k['total_s']:.2f} s (server {k['server_s']:.2f} s, "
                    f"browser {k['browser_s']:.2f} s); CPU server {k['server_cpu_s']:.2f} s, "
                    f"Chromium {k['browser_cpu_s']:.2f} s; "
                    f"{k['received_bytes'] / 1024:.0f} KiB received"
                )
    if len(names) == 2:
        a, b = (res[n] for n in names)
        ratio = ", ".join(
            f"{key} {b['cli_median'][key] / a['cli_median'][key]:.2f}x"
            for key in ("wall_s", "cpu_s")
        )
        lines.append(f"{names[1]} / {names[0]}, cold CLI: {ratio}")
        for what, label in (("click_median", ""), ("click_on_edit_median", " (none ahead)")):
            if a.get(what) and b.get(what):
                keys = ("total_s", "server_s", "browser_s", "server_cpu_s", "browser_cpu_s")
                ratio = ", ".join(f"{key} {b[what][key] / a[what][key]:.2f}x" for key in keys)
                lines.append(f"{names[1]} / {names[0]}, Forecast click{label}: {ratio}")
    if res["click_skipped"]:
        lines.append(f"Forecast click not measured: {res['click_skipped']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tree", type=Path, help="another checkout, measured alternately first")
    ap.add_argument("--no-click", action="store_true", help="the command line only")
    ap.add_argument("--out", type=Path, help="write the JSON here")
    args = ap.parse_args(argv)
    trees = {"this": ROOT}
    if args.tree:
        label = re.sub(r"\W+", "-", args.tree.resolve().name) or "other"
        trees = {label: args.tree.resolve(), "this": ROOT}
    res = bench(args.repeats, trees, click=not args.no_click)
    print(report(res))
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
