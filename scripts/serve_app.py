"""The dashboard as a separate server process, for the browser tests, the load test
and the first-answer bench: one way to start it, wait for it and stop it.

``start_app`` runs ``streamlit run app.py`` from ``root`` on a free port, saving and
recording under ``folder`` (never the user's folders or the configured database),
with ``env`` added to the environment, and returns once the server answers its
health check.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start_app(
    root: Path,
    folder: Path,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    timeout_s: float = 120,
) -> tuple[subprocess.Popen, str]:
    """``(process, url)`` of a dashboard started from ``root``; its log is
    ``folder/server.log``. Raises RuntimeError when it exits or does not answer."""
    port = free_port(host)
    full = dict(
        os.environ,
        SCENARIO_USER_DIR=str(folder / "saved"),
        SIM_DATA_DIR=str(folder / "data"),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONPATH=str(root),
        **(env or {}),
    )
    full.pop("SIM_DATABASE_URL", None)  # the store: a fresh SQLite file under folder
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", host]
    cmd += ["--server.fileWatcherType", "none"]
    with (folder / "server.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=full, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited early with code {proc.returncode} (see {folder / 'server.log'})"
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout_s:g} s")


def stop_app(proc: subprocess.Popen) -> None:
    """Terminate the server; kill it when it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def serving(root: Path, folder: Path, **kwargs) -> Iterator[tuple[subprocess.Popen, str]]:
    """``with serving(root, folder) as (proc, url):`` a dashboard, stopped after."""
    proc, url = start_app(root, folder, **kwargs)
    try:
        yield proc, url
    finally:
        stop_app(proc)
