"""Load test of a shared server: do ten colleagues still get their forecast while one
person runs the most runs this server allows?

Starts the dashboard (``streamlit run app.py``) on a free port, opens ``--sessions``
headless Chromium sessions (Playwright) and has them all open the Forecast page at
once, each with its own seed so the cache serves none of them: first on an idle
server, then while one more session runs a forecast at the per-session runs limit
(``SIM_MAX_RUNS_PER_SESSION``), then idle again (the machine's own load drifts).
Every session draws one forecast before the first round, so the browser's loading
of the chart code is not counted. It prints the others' median and longest Forecast
times in each round, their ratio (the busy server over the idle one), the big run's
own time and the server's memory before, at the peak of and after the big run
(``docs/reference/server-settings.md``). Nothing is asserted: the machine's load
moves every number, the ratio from one run is what to read.

    .venv/bin/python scripts/load_test.py                # 10 sessions, the server's limit
    .venv/bin/python scripts/load_test.py --sessions 5 --big-runs 10000
    SIM_MAX_CONCURRENT_RUNS=2 .venv/bin/python scripts/load_test.py

The server gets this process's environment, so the settings above apply to it.
``--root`` serves another checkout's ``app.py`` (for a before/after comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import server_settings  # noqa: E402
from scripts.serve_app import serving  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TIMEOUT_MS = 600_000
STATUS = '[data-testid="stStatusWidget"]'


def rss_mib(pid: int) -> dict[str, float]:
    """The server process's resident memory now and at its peak (MiB, from /proc)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


async def settle(page) -> None:
    await page.wait_for_timeout(300)
    await page.wait_for_selector(STATUS, state="detached", timeout=TIMEOUT_MS)


async def go(page, title: str) -> None:
    await page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


async def open_session(browser, url: str):
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(url)
    await page.get_by_text("Editing", exact=False).first.wait_for()
    await settle(page)
    return page


async def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    await box.fill(str(value))
    await box.press("Enter")
    await settle(page)


async def prepare(page, seed: int, runs: int | None = None) -> None:
    """On the Scenario page: this session's own seed (and runs)."""
    if await page.get_by_role("heading", name="Scenario", exact=True).count() == 0:
        await go(page, "Scenario")
        await page.get_by_text("Editing", exact=False).first.wait_for()
        await settle(page)
    if runs is not None:
        await set_number(page, "Runs (simulated futures)", runs)
    await set_number(page, "Seed", seed)


async def forecast(page) -> float:
    """Seconds from the click on Forecast to its figures on the page."""
    start = time.perf_counter()
    await go(page, "Forecast")
    await page.get_by_text("P85 delivery", exact=True).first.wait_for()
    await settle(page)
    return time.perf_counter() - start


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(times), 2),
        "max_s": round(max(times), 2),
        "min_s": round(min(times), 2),
    }


async def measure(url: str, sessions: int, big_runs: int, server_pid: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = [await open_session(browser, url) for _ in range(sessions)]
            big = await open_session(browser, url)
            # Warm-up: the first forecast of a server imports and starts what it needs.
            await prepare(big, 999)
            await forecast(big)
            # Every session draws one forecast first (the browser loads the chart code).
            for i, page in enumerate(pages):
                await prepare(page, 500 + i)
            await asyncio.gather(*(forecast(page) for page in pages))
            for i, page in enumerate(pages):
                await prepare(page, 1_000 + i)
            idle = await asyncio.gather(*(forecast(page) for page in pages))

            for i, page in enumerate(pages):
                await prepare(page, 2_000 + i)
            await prepare(big, 3_000, runs=big_runs)
            memory_before = rss_mib(server_pid)
            big_start = time.perf_counter()
            await go(big, "Forecast")
            await big.get_by_text("Simulating:", exact=False).first.wait_for()
            busy = await asyncio.gather(*(forecast(page) for page in pages))
            await big.get_by_text("P85 delivery", exact=True).first.wait_for()
            await settle(big)
            big_s = time.perf_counter() - big_start
            await asyncio.sleep(2)
            memory_after = rss_mib(server_pid)
            # Idle again: the machine's own load drifts; two idle rounds bracket it.
            for i, page in enumerate(pages):
                await prepare(page, 4_000 + i)
            idle_after = await asyncio.gather(*(forecast(page) for page in pages))
        finally:
            await browser.close()
    return {
        "sessions": sessions,
        "big_run_runs": big_runs,
        "idle": summary(idle),
        "busy": summary(busy),
        "idle_again": summary(idle_after),
        "ratio_median": round(statistics.median(busy) / statistics.median(idle), 2),
        "ratio_max": round(max(busy) / max(idle), 2),
        "ratio_median_to_idle_again": round(
            statistics.median(busy) / statistics.median(idle_after), 2
        ),
        "big_run_s": round(big_s, 1),
        "server_rss_mib": {
            "before_big_run": round(memory_before["VmRSS"], 1),
            "peak": round(memory_after["VmHWM"], 1),
            "after_big_run": round(memory_after["VmRSS"], 1),
        },
        "settings": {
            server_settings.RUNS_PER_SESSION_ENV: server_settings.runs_limit(),
            server_settings.CONCURRENT_RUNS_ENV: server_settings.concurrent_limit(),
        },
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="colleagues (default 10)")
    parser.add_argument(
        "--big-runs", type=int, default=None, help="the big run's runs (default: the limit)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    problems = server_settings.problems()
    if problems:
        parser.error("; ".join(problems))
    big_runs = args.big_runs or server_settings.runs_limit()
    with (
        tempfile.TemporaryDirectory(prefix="sim-load-") as tmp,
        serving(args.root.resolve(), Path(tmp)) as (proc, url),
    ):
        result = asyncio.run(measure(url, args.sessions, big_runs, proc.pid))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
