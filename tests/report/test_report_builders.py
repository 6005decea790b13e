"""The report builders hand what they were given to the engine and to the page.

``forecast_report``, ``comparison_report`` and ``session_report`` each simulate
(unless given results) and build the page; these tests put spies in place of the
engine's entry points and of ``report_html`` and check that every option arrives
where it is due: runs, seed, workers and the progress callback to the engine, all
three tables for the page's charts, the notes, the combination and the store's
note to the page. A report built with another seed than asked would state other
numbers than the command line's.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simulation.report import document as doc


@pytest.fixture
def page(monkeypatch):
    """``report_html`` replaced by a recorder: what each report would draw."""
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(doc, "report_html", lambda *a, **k: calls.append((a, k)) or "<html>")
    return calls


def progress(done: int, total: int) -> None:
    """A progress callback, told apart from any other by identity."""


def test_forecast_and_comparison_pass_every_option(monkeypatch, page):
    """Runs 300, seed 9, one worker and the progress callback reach ``run`` and
    ``compare`` as given, with all three tables asked for; the comparison's page gets
    the baseline's results, the comparison and the variants' notes. Catches an option
    dropped (the engine's default seed or runs used instead) or the notes lost."""
    from simulation.engine import runner

    asked: dict[str, dict] = {}
    base_results = object()

    def run(sc, **kw):
        asked["run"] = kw
        return base_results

    cmp = SimpleNamespace(baseline="base", results={"base": base_results})

    def compare(scenarios, **kw):
        asked["compare"] = kw
        return cmp

    monkeypatch.setattr(runner, "run", run)
    monkeypatch.setattr(runner, "compare", compare)
    want = {"runs": 300, "seed": 9, "workers": 1, "progress": progress, "tables": "all"}
    assert doc.forecast_report("sc", runs=300, seed=9, workers=1, progress=progress)
    assert asked["run"] == want
    notes = {"v": ["+1 person"]}
    doc.comparison_report(
        {"base": "a", "v": "b"}, notes, runs=300, seed=9, workers=1, progress=progress
    )
    assert asked["compare"] == want
    assert page[-1] == ((base_results,), {"comparison": cmp, "notes": notes})


def test_session_report_passes_options_combination_and_store_note(monkeypatch, page):
    """The ranking is asked for with the given runs, seed, workers and progress; the
    decisions are read under the session's id; two accepted candidates are combined
    (one alone is not), and the page gets that combination, the store's note and the
    accepted set's effect. Catches an option dropped, decisions read across sessions,
    the combination made for one candidate or lost, and the store's note not shown."""
    import simulation.decide.prioritise as prio
    from simulation.store import StoreError
    from simulation.store import decisions as store

    combined: list[list[str]] = []
    pr = SimpleNamespace(
        base="base results",
        combine=lambda ids: combined.append(list(ids)) or "combination",
        best_set=lambda: ["steps"],
        effect=lambda ids: {"ids": list(ids)},
    )
    asked: dict[str, dict] = {}

    def prioritise(ses, **kw):
        asked["prioritise"] = kw
        return pr

    monkeypatch.setattr(prio, "prioritise", prioritise)
    read: list[dict] = []
    accepted = {"a": SimpleNamespace(decision="accept"), "b": SimpleNamespace(decision="accept")}

    def latest(name, **kw):
        read.append({"name": name, **kw})
        return dict(accepted)

    monkeypatch.setattr(store, "latest_decisions", latest)
    ses = SimpleNamespace(name="Q3", id="s-1", ids=lambda: ["a", "b", "c"])
    doc.session_report(ses, runs=300, seed=9, workers=1, progress=progress)
    assert asked["prioritise"] == {"runs": 300, "seed": 9, "workers": 1, "progress": progress}
    assert read == [{"name": "Q3", "session_id": "s-1"}]
    assert combined == [["a", "b"]]
    args, kw = page[-1]
    assert args == ("base results",) and kw["prioritisation"] is pr
    assert kw["combination"] == "combination" and kw["store_note"] == ""
    assert kw["best"] == ["steps"] and kw["accepted"] == {"ids": ["a", "b"]}

    del accepted["b"]
    combined.clear()
    doc.session_report(ses, pr=pr, best=["found on the page"])
    assert combined == [] and page[-1][1]["combination"] is None
    assert page[-1][1]["best"] == ["found on the page"], "a best set given is not searched again"

    def unreadable(name, **kw):
        raise StoreError("the database is locked")

    monkeypatch.setattr(store, "latest_decisions", unreadable)
    doc.session_report(ses, pr=pr)
    assert page[-1][1]["store_note"] == (
        "The decisions could not be read from the store: the database is locked"
    )
    assert page[-1][1]["accepted"] is None


def test_write_report_names_the_file_it_cannot_write(tmp_path):
    """A report is written as UTF-8 (a name in another alphabet survives); a path that
    cannot be written (a folder of that name) is said with the path and the system's
    reason. Catches the file written in the locale's encoding, and the failure as a
    traceback."""
    from simulation.scenario.errors import ScenarioError

    out = tmp_path / "r.html"
    doc.write_report("<h1>Café 東京</h1>", out)
    assert out.read_bytes().decode("utf-8") == "<h1>Café 東京</h1>"
    folder = tmp_path / "r-folder.html"
    folder.mkdir()
    with pytest.raises(ScenarioError) as err:
        doc.write_report("x", folder)
    assert str(err.value) == f"--out: cannot write the report to '{folder}': Is a directory"
