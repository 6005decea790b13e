"""Named random streams: independent draws per item, whatever its id or position."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd

from simulation import run
from simulation.engine.plan import stream
from tests.helpers import make_scenario


def one_run(**sections: Any) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    res = run(make_scenario(**sections), runs=1, seed=1, workers=1)
    return res.runs.iloc[0], res.items.set_index("id"), res.weekly


def test_crc32_colliding_ids_get_independent_effort_draws():
    """``plumless`` and ``buckeroo`` share a crc32 (so did their stream keys, and
    their draws were identical in every run); 128-bit keys make them independent.

    For 2,000 independent uniform pairs the sample correlation has sd 1/sqrt(2000)
    = 0.022; |r| < 0.1 is a 4.5-sigma bound (and 1.0 before the fix).
    """
    assert zlib.crc32(b"effort:plumless") == zlib.crc32(b"effort:buckeroo"), (
        "precondition: the two keys collide under crc32"
    )
    effort = {"dist": "uniform", "low": 1, "high": 9}
    sc = make_scenario(
        team={"size": 2},
        items=[{"id": "plumless", "effort": effort}, {"id": "buckeroo", "effort": effort}],
    )
    res = run(sc, runs=2000, seed=42, workers=1)
    e = res.items.pivot(index="run", columns="id", values="base_effort")
    r = np.corrcoef(e["plumless"], e["buckeroo"])[0, 1]
    assert abs(r) < 0.1, f"correlation {r:.3f}: the two items share a stream"


def test_block_and_run_streams_of_one_key_differ():
    """A block stream and a per-replication stream never replay each other."""
    from simulation.engine.plan import run_stream

    a = stream(42, "creep", 0).random(8)
    b = run_stream(42, "creep", 0).random(8)
    assert not np.allclose(a, b)


def test_effort_streams_follow_the_id_not_the_position():
    """Mutant: effort streams keyed by position. Inserting an item in the middle
    of the backlog (not only at the end) leaves every other item's draws alone."""
    effort = {"dist": "triangular", "low": 2, "mode": 5, "high": 11}
    before = [{"id": i, "effort": effort} for i in ("a", "b", "c")]
    after = [before[0], {"id": "new", "effort": effort}, *before[1:]]
    a = run(make_scenario(team={"size": 3}, items=before), runs=50, seed=9, workers=1)
    b = run(make_scenario(team={"size": 3}, items=after), runs=50, seed=9, workers=1)
    pa = a.items.pivot(index="run", columns="id", values="base_effort")
    pb = b.items.pivot(index="run", columns="id", values="base_effort")
    np.testing.assert_array_equal(pa[["a", "b", "c"]].to_numpy(), pb[["a", "b", "c"]].to_numpy())
