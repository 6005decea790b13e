"""Hostile input: every file in tests/hostile/ is refused quickly with a clear message.

Each file attacks one thing (the loader, the shapes, the types, the dates, the
references, the limits). Every one must become a :class:`ScenarioError` whose
message names the problem (and the field path where there is one), within a
fraction of a second and a few megabytes, through the Python API, the upload
path (bytes) and the CLI (exit code 2, no traceback).

The expected words for each file are in :data:`EXPECTED`; a new file in the
folder without an entry fails :func:`test_every_hostile_file_has_an_expectation`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from simulation import ScenarioError, load_scenario, load_scenario_text
from simulation.scenario.yamlio import MAX_FILE_BYTES, MAX_VALUES

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).resolve().parents[1] / "hostile"

#: Seconds one file may take through the API (they take ~0.01-0.1 s).
API_SECONDS = 1.0
#: Peak Python memory one file may use while being refused, in bytes.
API_PEAK_BYTES = 50_000_000
#: Seconds the one CLI call over the whole corpus may take.
CLI_SECONDS = 30.0

#: File -> words its message must contain (field path first, then the problem).
EXPECTED: dict[str, tuple[str, ...]] = {
    # file level
    "empty.yaml": ("the file is empty",),
    "only-comments.yaml": ("the file is empty",),
    "top-level-list.yaml": ("must hold a mapping of sections", "got a list"),
    "top-level-scalar.yaml": ("must hold a mapping of sections", "got the text"),
    "binary-png.yaml": ("not a text file", "zero byte"),
    "latin1.yaml": ("not UTF-8 text", "0xe9", "line 2"),
    "utf16.yaml": ("UTF-16", "save it as UTF-8"),
    "control-chars.yaml": ("not a text file", "U+0007", "line 2"),
    "escape-control-chars.yaml": ("name: the character U+001B", "YAML escape", "line 3"),
    "syntax-error.yaml": ("not valid YAML at line 4",),
    "tab-indent.yaml": ("not valid YAML at line 4", "tab"),
    "multi-document.yaml": ("one YAML document",),
    # the loader
    "alias-bomb.yaml": ("description", f"more than {MAX_VALUES:,} values", "alias"),
    "alias-bomb-merge.yaml": (f"more than {MAX_VALUES:,} values",),
    "recursive-alias.yaml": ("team.changes[0]", "recursive"),
    "deep-nesting-flow.yaml": ("name[0]", "nested more than 40 levels"),
    "deep-nesting-block.yaml": ("team.k0.k1", "nested more than 40 levels"),
    "python-object-tag.yaml": ("name:", "tag '!!python/object/apply:os.system' is not allowed"),
    "binary-set-tags.yaml": ("name:", "tag '!!binary' is not allowed"),
    "duplicate-top-key.yaml": ("name: duplicate key 'name'", "line 2"),
    "duplicate-nested-key.yaml": ("team.size: duplicate key 'size'", "line 5"),
    "complex-key.yaml": ("a key must be plain text",),
    # shapes
    "items-as-mapping.yaml": ("items: expected a list, got a mapping",),
    "team-as-list.yaml": ("team: expected a mapping", "got a list"),
    "item-as-text.yaml": ("items[0]: expected a mapping", "got the text 'ingest'"),
    "empty-items.yaml": ("items: needs at least 1 entry",),
    "missing-start-date.yaml": ("start_date: required",),
    # types and numbers
    "wrong-type-text-number.yaml": ("team.size: expected a whole number", "'three'"),
    "wrong-type-bool-number.yaml": ("team.focus: expected a number, got true/false",),
    "wrong-type-number-text.yaml": ("name: expected text, got the number 12345",),
    "nan-effort.yaml": ("items[0].effort: must be a finite number",),
    "inf-focus.yaml": ("team.focus: must be a finite number",),
    "neg-inf-window.yaml": ("risks[0].window[0]: must be a finite number",),
    "huge-float-effort.yaml": ("items[1].effort.high: must be <= 1,000,000",),
    "huge-int-team.yaml": ("team.size: must be <= 500",),
    "huge-int-digits.yaml": ("team.size:", "5,000 digits"),
    "negative-effort.yaml": ("items[0].effort: must be >= 0",),
    "high-below-mode.yaml": ("items[2].effort.high: must be >= mode",),
    # dates
    "date-not-a-date.yaml": ("start_date: '2027-02-30' is not a real date",),
    "date-as-number.yaml": ("start_date: expected a date like 2027-01-04", "20270104"),
    "date-with-time.yaml": ("start_date: expected a date without a time of day",),
    "date-out-of-range.yaml": ("start_date: must be between 1900-01-01 and 2199-12-31",),
    "deadline-before-start.yaml": ("deadline: must be on or after start_date",),
    "holiday-not-a-date.yaml": ("calendar.holidays[1]: '2027-13-01' is not a real date",),
    # keys
    "unknown-key.yaml": ("teem: unknown key; did you mean 'team'?",),
    "unknown-nested-key.yaml": ("team.focsu: unknown key; did you mean 'focus'?",),
    "unknown-dist-param.yaml": (
        "items[1].effort.hihg: not a parameter of triangular",
        "did you mean 'high'?",
    ),
    "unknown-dist-kind.yaml": ("items[1].effort.dist: unknown distribution 'gamma'",),
    "unknown-enum.yaml": ("delivery.approach: must be one of", "did you mean 'big_bang'?"),
    "dist-without-kind.yaml": (
        "items[1].effort: a distribution needs 'dist'",
        "'dist: triangular'",
    ),
    # references
    "duplicate-id.yaml": ("items[2].id: 'model' is already used by items[1]",),
    "missing-dependency.yaml": (
        "items[2].depends_on[0]: no item has id 'modle'",
        "did you mean 'model'?",
    ),
    "dependency-cycle.yaml": (
        "items[0].depends_on: dependency cycle",
        "ingest -> report -> model -> ingest",
    ),
    "self-dependency.yaml": ("items[0].depends_on[0]: an item cannot depend on itself",),
    "risk-unknown-item.yaml": (
        "risks[0].impact.items[0]: no item has id 'ingets'",
        "did you mean 'ingest'?",
    ),
    "duplicate-risk-id.yaml": ("risks[1].id: 'r1' is already used by risks[0]",),
    "remove-unknown-item.yaml": ("scope.changes[0].remove[0]: no item has id 'reports'",),
    # impossible combinations and limits
    "team-below-zero.yaml": (
        "team.changes[2].add: more people leave than are on the team",
        "day 20",
    ),
    "team-over-limit.yaml": ("team.size: must be <= 500 (the limit)",),
    "team-grows-over-limit.yaml": ("team.changes[0].add", "600 people", "500 limit"),
    "runs-over-limit.yaml": ("simulation.runs: must be a whole number from 1 to 100,000",),
    "horizon-over-limit.yaml": ("value.horizon_weeks: must be <= 1040 (the limit)",),
    "creep-rate-over-limit.yaml": ("scope.creep.rate_per_week: must be <= 20 (the limit)",),
    "creep-volume-over-limit.yaml": ("scope.creep.rate_per_week:", "5,000 limit", "until_day"),
    "rework-certain.yaml": ("iteration.rework_probability: must be <= 0.95",),
    "release-every-denormal.yaml": ("delivery.release_every_days: must be >= 0.1",),
    "focus-tiny.yaml": ("team.focus: must be >= 0.01",),
    "name-too-long.yaml": ("name: at most 200 characters",),
    "items-over-limit.yaml": ("items: at most 2,000 entries (got 2,001)",),
    "holidays-over-limit.yaml": ("calendar.holidays: at most 5,000 entries (got 6,000)",),
    "samples-over-limit.yaml": ("items[0].effort.samples: at most 10,000 samples",),
    "risks-over-limit.yaml": ("risks: at most 200 entries (got 300)",),
    "risk-window-missing.yaml": ("risks[0].window: required for a blocker risk",),
    "risk-window-three.yaml": ("risks[0].window: expected [first day, last day]",),
    "empirical-empty.yaml": ("items[0].effort.samples: needs at least one sample",),
}

FILES = sorted(p.name for p in HOSTILE.glob("*.yaml"))


def _oversize(tmp: Path) -> Path:
    """A file just over the size limit (generated: not worth committing a megabyte)."""
    path = tmp / "oversize.yaml"
    line = "# padding padding padding padding padding padding padding padding padding\n"
    path.write_text("name: big\n" + line * (MAX_FILE_BYTES // len(line) + 1))
    return path


def test_corpus_is_large_and_every_file_has_an_expectation():
    """The corpus covers every class of problem; each file says what it expects."""
    assert len(FILES) >= 25
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_api_refuses_hostile_file_quickly(name: str):
    """load_scenario raises ScenarioError naming the file and the problem, fast and small."""
    path = HOSTILE / name
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(str(path) + ": "), message
    for words in EXPECTED[name]:
        assert words in message, f"{name}: expected {words!r} in {message!r}"
    assert info.value.problems or "YAML" in message or "file" in message or "text" in message
    assert elapsed < API_SECONDS * 3, f"{name} took {elapsed:.2f}s (tracing on)"
    assert peak < API_PEAK_BYTES, f"{name} used {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("name", FILES)
def test_upload_path_refuses_hostile_bytes(name: str):
    """The dashboard's upload path (bytes in, source name given) gives the same message."""
    raw = (HOSTILE / name).read_bytes()
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(raw, source="upload.yaml")
    assert time.perf_counter() - start < API_SECONDS
    message = str(info.value)
    assert message.startswith("upload.yaml: ")
    for words in EXPECTED[name]:
        assert words in message


def test_api_refuses_oversize_and_special_files(tmp_path: Path):
    """Too large, a folder, a device, a FIFO, a missing file, a non-path: all ScenarioError."""
    cases = {
        _oversize(tmp_path): "larger than the 1,000,000 byte limit",
        tmp_path: "is a folder",
        tmp_path / "missing.yaml": "file not found",
    }
    if os.name == "posix":
        cases[Path("/dev/zero")] = "not a regular file"
        fifo = tmp_path / "pipe.yaml"
        os.mkfifo(fifo)
        cases[fifo] = "not a regular file"  # would block forever if opened for reading
    for path, words in cases.items():
        start = time.perf_counter()
        with pytest.raises(ScenarioError, match=words):
            load_scenario(path)
        assert time.perf_counter() - start < API_SECONDS
    with pytest.raises(ScenarioError, match="expected a file path"):
        load_scenario(123)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="expected YAML text or bytes"):
        load_scenario_text(None)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="character limit"):
        load_scenario_text("#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioError, match="U\\+D800"):
        load_scenario_text("name: \ud800")


def _cli(*args: str, timeout: float = CLI_SECONDS) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cli_validate_refuses_the_whole_corpus_in_one_call(tmp_path: Path):
    """One ``validate`` over every file: exit 2, one clear line per file, no traceback."""
    paths = [str(HOSTILE / name) for name in FILES] + [str(_oversize(tmp_path))]
    start = time.perf_counter()
    proc = _cli("validate", *paths)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(paths)
    for name in FILES:
        line = next(x for x in errors if x.startswith(f"error: {HOSTILE / name}: "))
        for words in EXPECTED[name]:
            assert words in line, f"{name}: expected {words!r} in {line!r}"
    assert elapsed < CLI_SECONDS


@pytest.mark.parametrize(
    "name",
    ["alias-bomb.yaml", "binary-png.yaml", "dependency-cycle.yaml", "date-out-of-range.yaml"],
)
def test_cli_run_refuses_hostile_file(name: str):
    """``run`` exits 2 with the message, never a traceback, within seconds."""
    proc = _cli("run", str(HOSTILE / name), "--runs", "10", timeout=20)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {HOSTILE / name}: ")
    assert EXPECTED[name][0] in proc.stderr
