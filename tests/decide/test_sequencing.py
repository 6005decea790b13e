"""Sequencing: the best order against hand-worked cost-of-delay totals, the swap search,
CD3, the variant a chosen order becomes, and the ``sequence`` command.

The hand-worked cases use one person, fixed efforts, continuous delivery, instant
adoption, no cost and no discount, so every future is the same and a total is
sum(value per month x months live before the horizon). A month is 4 weeks = 20
working days (docs/reference/sequencing.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from simulation import ScenarioError, best_order, load_scenario
from simulation.decide.sequencing import MAX_EXHAUSTIVE_ORDERS, cd3_order
from tests.helpers import ROOT, make_scenario

CALCULATOR = ROOT / "tests" / "data" / "cost-of-delay.yaml"
HORIZON = ROOT / "tests" / "data" / "cost-of-delay-horizon.yaml"


def totals(s) -> dict[tuple[str, ...], float]:
    return {tuple(r.order): r.npv_mean for r in s.table.itertuples()}


def test_focused_objective_calculator_example_is_reproduced_exactly():
    """Focused Objective's "Cost of Delay Prioritization Calculator" example.

    Features (months of work, value a month once live, thousands): small 3 and 3,
    medium 4 and 7, large 6 and 9; one person; 14 months counted.

    * biggest first (large, medium, small): live at 6, 10, 13 months:
      9 x 8 + 7 x 4 + 3 x 1 = 72 + 28 + 3 = **103**;
    * shortest first (small, medium, large): live at 3, 7, 13:
      3 x 11 + 7 x 7 + 9 x 1 = 33 + 49 + 9 = **91**;
    * WSJF / CD3 (value ÷ duration: medium 1.75, large 1.5, small 1): live at 4,
      10, 13: 7 x 10 + 9 x 4 + 3 x 1 = 70 + 36 + 3 = **109**;
    * the other three: medium, small, large 7 x 10 + 3 x 7 + 9 x 1 = 100;
      large, small, medium 9 x 8 + 3 x 5 + 7 x 1 = 94; small, large, medium
      3 x 11 + 9 x 5 + 7 x 1 = 85.

    In the model: 20 working days a month, 750/1,750/2,250 a week, a 56-week
    horizon, so each total is the calculator's in thousands. The delivery is day
    260 (13 months) whatever the order. Catches a reorder that does not reach the
    engine (every order would earn 91), value counted past the horizon, or a
    ranking that is not by mean NPV.
    """
    s = best_order(load_scenario(CALCULATOR), runs=3, seed=1)
    assert totals(s) == {
        ("medium", "large", "small"): 109_000,
        ("large", "medium", "small"): 103_000,
        ("medium", "small", "large"): 100_000,
        ("large", "small", "medium"): 94_000,
        ("small", "medium", "large"): 91_000,
        ("small", "large", "medium"): 85_000,
    }
    assert list(s.table["npv_mean"]) == sorted(s.table["npv_mean"], reverse=True)
    assert s.method == "exhaustive" and s.tried == 6
    assert s.cd3 == ["medium", "large", "small"] == s.best, "CD3 is optimal here (Smith's rule)"
    assert s.best_beats_share == 0.0, "an order cannot beat itself"
    assert set(s.table["delivery_p50_day"]) == {260.0} == set(s.table["delivery_p85_day"])
    assert s.row(["small", "medium", "large"]).current


def test_cd3_is_not_best_when_the_horizon_cuts_the_big_item_off():
    """Own case: platform 10 months at 6 a month (CD3 0.6), reporting 4 at 2 (0.5),
    alerting 2 at 0.8 (0.4), in thousands; 12 months counted.

    * CD3 (platform, reporting, alerting): platform live at 10: 6 x 2 = 12;
      reporting at 14 and alerting at 16 are past the horizon: **12**;
    * platform, alerting, reporting: 12 + alerting at 12: 0.8 x 0 = **12**;
    * reporting, platform, alerting: reporting at 4: 2 x 8 = **16**;
    * reporting, alerting, platform: 2 x 8 + alerting at 6: 0.8 x 6 = 16 + 4.8 = **20.8**;
    * alerting, reporting, platform: 0.8 x 10 + 2 x 6 = 8 + 12 = **20**;
    * alerting, platform, reporting: 0.8 x 10 = **8**.

    The best order (20.8) beats CD3 (12) in every future. Catches a best order
    that is the CD3 order by construction, and a beats-CD3 share of the wrong sign.
    """
    s = best_order(load_scenario(HORIZON), runs=3, seed=1)
    assert totals(s) == {
        ("reporting", "alerts", "platform"): 20_800,
        ("alerts", "reporting", "platform"): 20_000,
        ("reporting", "platform", "alerts"): 16_000,
        ("platform", "reporting", "alerts"): 12_000,
        ("platform", "alerts", "reporting"): 12_000,
        ("alerts", "platform", "reporting"): 8_000,
    }
    assert s.cd3 == ["platform", "reporting", "alerts"]
    assert s.best == ["reporting", "alerts", "platform"]
    assert s.best_beats_share == 1.0 and s.best_behind_share == 0.0
    assert s.row(s.cd3).npv_vs_best == -8_800, "20,800 - 12,000, paired per future"


def test_swap_search_climbs_past_one_pass():
    """Six items (720 orders, above the exhaustive limit): the horizon case plus three
    one-day items x, y, z worth nothing; 240 working days counted, a week is 5 days.

    From CD3 (platform, reporting, alerts, x, y, z: 12,000) each pass takes the best
    single swap:

    1. x <-> platform: x, reporting, alerts, platform: reporting live at day 81 earns
       500 x (240 - 81) / 5 = 15,900, alerts at 121 earns 200 x 119 / 5 = 4,760:
       20,660 (better than alerts <-> platform's 20,000);
    2. x <-> reporting: reporting at 80 earns 16,000, alerts at 121 4,760: 20,760;
    3. x <-> alerts: reporting, alerts, x, platform: 16,000 + 200 x 120 / 5 = 20,800,
       the most any order earns (platform cannot go live within 240 days after them);
    4. no swap raises it.

    Catches a search that stops after one pass (20,660) or never leaves CD3 (12,000).
    """
    base = load_scenario(HORIZON)
    extra = [{"id": i, "effort": 1} for i in ("x", "y", "z")]
    data = base.model_dump(mode="json", exclude_none=True)
    sc = make_scenario(**{**data, "items": data["items"] + extra})
    s = best_order(sc, runs=2, seed=1)
    assert s.method == "cd3+swaps" and s.tried > 1 and MAX_EXHAUSTIVE_ORDERS < 720
    assert s.best == ["reporting", "alerts", "x", "platform", "y", "z"]
    assert s.table["npv_mean"].iloc[0] == 20_800
    assert s.row(s.cd3).npv_mean == 12_000


def test_cd3_divides_by_the_median_effort():
    """CD3 = value per week ÷ median effort. a: 10 days, 100/week: 10. b: triangular
    1-2-100 days, 320/week; its median is 100 - sqrt(0.5 x 99 x 98) = 30.35 (the mode's
    CDF is 1/99 < 0.5), so 320 / 30.35 = 10.5; its mean is 103 / 3 = 34.3, which would
    give 9.3 and put b last. c: 4 days, 40/week: 10, a tie with a that keeps backlog
    order. So b, a, c. Catches a score on the mean effort (a, c, b) and an unstable sort.
    """
    sc = make_scenario(
        items=[
            {"id": "a", "effort": 10, "value": {"per_week": 100}},
            {
                "id": "b",
                "effort": {"dist": "triangular", "low": 1, "mode": 2, "high": 100},
                "value": {"per_week": 320},
            },
            {"id": "c", "effort": 4, "value": {"per_week": 40}},
        ]
    )
    assert cd3_order(sc, ["a", "b", "c"]) == ["b", "a", "c"]
    assert cd3_order(sc, ["c", "a"]) == ["c", "a"], "ties keep the order given"


def test_a_chosen_order_is_a_variant_of_the_base(tmp_path):
    """The best order saved as a variant file extends the base and loads back with the
    items in that order; its NPV is the ranked one (20,800). Catches a variant that
    lists the wrong order or loses the base."""
    s = best_order(load_scenario(HORIZON), runs=2, seed=1)
    (tmp_path / "base.yaml").write_text(HORIZON.read_text())
    data = s.variant_file("base.yaml")
    assert data["extends"] == "base.yaml"
    assert data["changes"] == [{"reorder": {"ids": ["reporting", "alerts", "platform"]}}]
    path = tmp_path / "order.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    variant = load_scenario(path)
    assert [it.id for it in variant.items] == s.best
    assert variant.name == "Cost of delay, short horizon: build order"
    assert variant.items == s.variant().items, "the file and the Python variant agree"
    cd3 = s.variant(s.cd3)
    assert [it.id for it in cd3.items] == s.cd3


def test_items_subset_goes_first_and_bad_ids_are_named():
    """Ordering only reporting and alerting tries their two orders, each placed before
    the platform: reporting, alerts, platform (20,800) beats alerts, reporting,
    platform (20,000). An unknown id is named with a suggestion."""
    sc = load_scenario(HORIZON)
    s = best_order(sc, items=["alerts", "reporting"], runs=2, seed=1)
    assert totals(s) == {("reporting", "alerts"): 20_800, ("alerts", "reporting"): 20_000}
    with pytest.raises(
        ScenarioError,
        match=r"items\[1\]: no unstarted planned item has id "
        r"'reportin'; did you mean 'reporting'",
    ):
        best_order(sc, items=["alerts", "reportin"], runs=2)
    with pytest.raises(ScenarioError, match=r"items\[1\]: 'alerts' is listed twice"):
        best_order(sc, items=["alerts", "alerts"], runs=2)


def test_uncertain_efforts_same_seed_same_ranking_and_the_share_is_paired():
    """Two people, triangular efforts: the same seed gives the same table, the best
    order's mean NPV is the highest, and its beats-CD3 share is the share of paired
    futures computed from the NPVs kept (the same number, two ways), and so is the share
    in which CD3 does better. Catches orders
    simulated with different seeds (the share would not be paired)."""
    items = [
        {
            "id": c,
            "effort": {"dist": "triangular", "low": 5, "mode": 10 + 3 * i, "high": 30},
            "value": {"per_week": 100 * (4 - i)},
        }
        for i, c in enumerate("abcd")
    ]
    sc = make_scenario(
        items=items, team={"size": 2, "cost_per_person_day": 10}, value={"horizon_weeks": 20}
    )
    one, two = best_order(sc, runs=40, seed=7), best_order(sc, runs=40, seed=7)
    assert one.table.equals(two.table)
    assert one.table["npv_mean"].iloc[0] == one.table["npv_mean"].max()
    diff = one.npv[tuple(one.best)] - one.npv[tuple(one.cd3)]
    assert one.best_beats_share == pytest.approx(float((diff > 0.5).mean()))
    assert one.best_behind_share == pytest.approx(float((diff < -0.5).mean()))


# ---------------------------------------------------------------- command line
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


def test_sequence_json_has_the_documented_shape_and_the_hand_totals():
    """``sequence FILE --json``: orders best first with the calculator's 109 / 103 /
    ... / 85 (thousands), best = CD3 order, share 0. Catches a JSON shape drift."""
    p = cli("sequence", str(CALCULATOR), "--runs", "2", "--seed", "1", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [o["npv_mean"] for o in out["orders"]] == [
        109_000,
        103_000,
        100_000,
        94_000,
        91_000,
        85_000,
    ]
    assert set(out["orders"][0]) == {
        "order",
        "value_mean",
        "npv_mean",
        "delivery_p50_day",
        "delivery_p85_day",
    }
    assert out["best"] == ["medium", "large", "small"] == out["cd3"]["order"]
    assert out["cd3"]["best_beats_share"] == 0 and out["cd3"]["npv_mean"] == 109_000


def test_sequence_text_and_bad_items():
    """The text form states the best order against CD3 in the shared sentence; an
    unknown ``--items`` id exits 2 naming the option, with no traceback."""
    p = cli("sequence", str(HORIZON), "--runs", "2")
    assert p.returncode == 0, p.stderr
    assert "Build Reporting, then Alerting, then Platform: average NPV 21 k." in p.stdout
    assert "the best order earns more in 100% of futures (100 of 100), and never less." in (
        p.stdout
    )
    bad = cli("sequence", str(HORIZON), "--items", "platfrm")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --items: items[0]: no unstarted planned item has id")
    assert "Traceback" not in bad.stderr


def test_items_removed_before_work_starts_are_not_ordered():
    """a, b, c with c removed on day 0 (a scheduled scope change): only a and b are
    unstarted, so two orders are tried; with every item removed there is nothing to
    order, and the message says so instead of a validation traceback."""
    items = [{"id": i, "effort": 5, "value": {"per_week": 10}} for i in "abc"]
    sc = make_scenario(items=items, scope={"changes": [{"at_day": 0, "remove": ["c"]}]})
    s = best_order(sc, runs=1, seed=1)
    assert s.items == ["a", "b"] and s.tried == 2
    gone = make_scenario(items=items[:1], scope={"changes": [{"at_day": 0, "remove": ["a"]}]})
    with pytest.raises(ScenarioError, match="items: no unstarted item to order"):
        best_order(gone, runs=1)


@pytest.mark.parametrize(
    ("best_npv", "cd3_npv", "beats", "behind", "ends"),
    [
        (1_031_000, 1_029_000, 0.09, 0.14, "either will do."),  # both read 1.03 M
        (1_100_000, 1_000_000, 0.09, 0.14, "but by more on average."),
        (1_100_000, 1_000_000, 0.60, 0.10, "and less in 10%."),
    ],
)
def test_the_best_order_sentence_says_when_it_hardly_matters(
    best_npv, cd3_npv, beats, behind, ends
):
    """The room read "the best order earns more in 9% of futures and less in 14%",
    both at 1.03 M, as a contradiction: equal averages as shown say "either will do";
    a best order that loses more futures than it wins says it wins by more."""
    from simulation.present.sentences import PLAIN, best_order_sentence

    text = best_order_sentence(["A", "B"], best_npv, ["B", "A"], cd3_npv, beats, behind, PLAIN)
    assert text.endswith(ends), text
