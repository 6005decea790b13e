"""Portfolio files and variants: what loads, and bad files that name the field.

Each bad file differs from a good one in one place; the message must name the
file and the field path, the CLI must exit 2 with it and never a traceback.
"""

from __future__ import annotations

import json

import pytest
import yaml

from simulation.cli import main
from simulation.portfolio import load_portfolio
from simulation.portfolio.portfolios import portfolio_files
from simulation.scenario.errors import ScenarioError
from tests.helpers import LIBRARY

GOOD = {
    "name": "H1",
    "initiatives": [
        {"id": "supply", "plan": "supply-chain.yaml"},
        {"id": "grant", "plan": "grant-portal.yaml", "team_size": 0},
    ],
    "shared": [{"id": "eng", "size": 2, "cost_per_person_day": 900, "serves": ["supply", "grant"]}],
    "depends_on": [{"item": "grant/status", "after": "supply/ingest"}],
}


def write(tmp_path, data, name="p.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def bad(**replace):
    data = json.loads(json.dumps(GOOD))
    for key, value in replace.items():
        data[key] = value
    return data


def test_good_file_loads_with_library_plans(tmp_path):
    """Plans named by file resolve in the library; team_size 0 is allowed when a pool
    serves the initiative; the portfolio's day 0 is the earliest start (supply's)."""
    p = load_portfolio(write(tmp_path, GOOD))
    assert p.ids == ("supply", "grant")
    assert p.initiative("grant").team_size == 0
    assert p.initiative("supply").team_size == 5  # the plan's own
    assert str(p.start_date) == "2027-01-04"


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (
            bad(depends_on=[{"item": "grant/status", "after": "suply/ingest"}]),
            "depends_on[0].after",
            "initiative 'suply' is not in the portfolio; did you mean 'supply'?",
        ),
        (
            bad(depends_on=[{"item": "grant/statuss", "after": "supply/ingest"}]),
            "depends_on[0].item",
            "initiative 'grant' has no item 'statuss'; did you mean 'status'?",
        ),
        (
            bad(shared=[{"id": "eng", "size": 2, "serves": []}]),
            "shared[0].serves",
            "a pool must serve at least one initiative",
        ),
        (
            bad(shared=[{"id": "eng", "size": 2, "serves": ["nobody"]}]),
            "shared[0].serves[0]",
            "is not in the portfolio",
        ),
        (
            bad(initiatives=[{"id": "supply", "plan": "no-such-plan.yaml"}]),
            "initiatives[0].plan",
            "not found",
        ),
        (
            bad(shared=[], depends_on=[]),
            "initiatives[1].team_size",
            "nobody would work on it",
        ),
        (
            bad(initiatives=[{"id": "supply", "plan": "supply-chain.yaml", "team": 3}]),
            "initiatives[0].team",
            "unknown key",
        ),
        (
            bad(
                initiatives=[
                    {"id": "supply", "plan": "supply-chain.yaml"},
                    {"id": "supply", "plan": "grant-portal.yaml"},
                ]
            ),
            "initiatives[1].id",
            "duplicate id 'supply'",
        ),
    ],
)
def test_bad_files_name_the_field(tmp_path, data, path, words):
    """Unknown initiative or item, a pool serving nobody, a missing plan, an
    initiative nobody works on, an unknown key, a duplicate id: each message is
    ``p.yaml: <path>: <words>`` and the CLI exits 2 with it."""
    file = write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_portfolio(file)
    message = str(info.value)
    assert message.startswith(f"{file}: {path}: "), message
    assert words in message


def test_cycle_across_initiatives_is_named(tmp_path):
    """grant/status waits for supply/ingest (fine alone); adding supply/ingest after
    grant/status closes a loop through both initiatives, reported at the first
    dependency on it with the loop spelt out. Catches a check that looks at
    each plan alone (neither plan has a cycle)."""
    data = bad(
        depends_on=[
            {"item": "grant/status", "after": "supply/ingest"},
            {"item": "supply/ingest", "after": "grant/status"},
        ]
    )
    with pytest.raises(ScenarioError) as info:
        load_portfolio(write(tmp_path, data))
    assert "depends_on[0]: the dependencies wait for each other in a cycle" in str(info.value)
    assert "supply/ingest -> grant/status -> supply/ingest" in str(info.value)


def test_cli_exits_2_naming_the_field(tmp_path, capsys):
    """The CLI prints ``error: FILE: PATH: message`` and returns 2 (no traceback)."""
    file = write(tmp_path, bad(shared=[{"id": "eng", "size": 2, "serves": []}]))
    assert main(["portfolio", str(file), "--runs", "5"]) == 2
    err = capsys.readouterr().err
    assert f"{file}: shared[0].serves:" in err
    assert "Traceback" not in err


def test_variant_with_bad_change_names_it(tmp_path):
    """A variant's change that names an unknown initiative points at its field."""
    write(tmp_path, GOOD)
    v = write(
        tmp_path,
        {"extends": "p.yaml", "changes": [{"defer": {"initiative": "grnt", "days": 5}}]},
        "v.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        load_portfolio(v)
    assert "changes[0].defer.initiative: initiative 'grnt' is not in the portfolio" in str(
        info.value
    )


def test_bundled_portfolios_load_and_describe_their_changes():
    """The bundled example and its two variants load; the variants say what they change."""
    files = {p.name: p for p in portfolio_files()}
    assert {"data-platform.yaml", "data-platform-grant-first.yaml"} <= set(files)
    grant_first = load_portfolio(files["data-platform-grant-first.yaml"])
    assert grant_first.ids[0] == "grant"
    move = load_portfolio(files["data-platform-move-two.yaml"])
    assert [c.describe() for c in move.changes] == ["Move 2 people from finance to grant"]


def test_cli_json_with_a_variant(capsys):
    """``portfolio BASE VARIANT --json`` prints every portfolio's summary and, per
    variant, every initiative's paired deltas plus the portfolio's; reprioritising
    grant first moves grant earlier (negative mean Δ delivery day) on the bundled
    example (measured about -5 working days at 300 runs)."""
    folder = LIBRARY / "portfolios"
    code = main(
        [
            "portfolio",
            str(folder / "data-platform.yaml"),
            str(folder / "data-platform-grant-first.yaml"),
            "--runs",
            "60",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"scenarios", "deltas"}
    base = out["scenarios"]["2027 H1 data portfolio"]
    assert set(base["initiatives"]) == {"supply", "grant", "finance"}
    assert {"all_on_time_probability", "value_mean", "npv_mean"} <= set(base)
    ripple = out["deltas"]["Grant portal first"]
    assert set(ripple) == {"supply", "grant", "finance", "portfolio"}
    assert ripple["grant"]["delivery_day"]["mean"] < 0
    assert ripple["supply"]["delivery_day"]["mean"] > 0


def test_hostile_plans_and_a_variant_cycle(tmp_path):
    """A plan outside the folder and the library is refused (never read), and a
    variant extending itself is a cycle named as such, not a recursion error."""
    outside = write(tmp_path, bad(initiatives=[{"id": "a", "plan": "../../../etc/hosts"}]))
    with pytest.raises(ScenarioError, match=r"initiatives\[0\]\.plan: .* points outside"):
        load_portfolio(outside)
    loop = write(tmp_path, {"extends": "loop.yaml", "changes": [{"cancel": "a"}]}, "loop.yaml")
    with pytest.raises(
        ScenarioError, match=r"extend each other in a cycle: loop\.yaml -> loop\.yaml"
    ):
        load_portfolio(loop)
