"""Statistics of simulated results: the forecast summary and paired differences.

Pure statistics over tables that already exist; running simulations is the
runner's job (:func:`simulation.engine.runner.run`, :func:`simulation.engine.runner.compare`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.engine.plan import make_calendar
from simulation.engine.reduce import RunStats
from simulation.engine.value import planned_run_rate

if TYPE_CHECKING:  # annotations only: results imports this module, pandas comes with tables
    import pandas as pd

    from simulation.engine.results import Results

#: Paired-difference metrics: column in the runs table -> key in the JSON.
DELTA_METRICS = {
    "delivery_day": "delivery_day",
    "cost": "cost",
    "on_time": "on_time",
    "npv": "npv",
    "value": "value",
    "outcome_reached": "outcome",
    "first_value_day": "first_value_day",
}

#: Display names for metric keys (shared by the CLI and the dashboard).
RESULT_LABELS = {
    "delivery_day": "Delivery (working days)",
    "cost": "Cost",
    "on_time": "On-time probability",
    "npv": "NPV",
    "value": "Value to horizon",
    "outcome": "Outcome probability",
    "first_value_day": "First value (working days)",
}


def json_number(x: float) -> float | None:
    """JSON-friendly number: rounded, None for NaN/inf."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), 4)


def percentile(values: np.ndarray, q: float) -> float:
    """Percentile that counts NaN (never happened) as later than everything.

    With any such run the percentile picks an observed value (``inverted_cdf``),
    so it is infinite only when more than ``100 - q`` percent never happened.
    """
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return math.nan
    if np.isnan(v).any():
        return float(np.quantile(np.where(np.isnan(v), np.inf, v), q / 100, method="inverted_cdf"))
    return float(np.quantile(v, q / 100))


def summarise(res: Results) -> dict[str, Any]:
    """The forecast as a dict: the CLI's ``--json`` (docs/reference/python-api.md).

    Means and probabilities come from the run's merged statistics (exact, so the
    same with or without tables); quantiles from the runs table when the run
    kept it, else from the statistics' sketches, within
    :data:`simulation.engine.reduce.QUANTILE_RELATIVE_ERROR`
    (``docs/explanation/big-runs.md``).
    """
    sc = res.scenario
    cal = make_calendar(sc)
    st = res.stats
    table = res.runs_table
    if st is None:  # Results made by hand from tables alone
        st = RunStats.of({k: table[k].to_numpy() for k in table.columns})
    if table is not None:
        day = table["delivery_day"].to_numpy(dtype=float)
        fv = table["first_value_day"].to_numpy(dtype=float)

        def q_day(q: float) -> float:
            return percentile(day, q)

        def q_fv(q: float) -> float:
            return percentile(fv, q)

        def q_money(col: str, q: float) -> float:
            return float(table[col].quantile(q / 100))
    else:

        def q_day(q: float) -> float:
            return st.sketches["delivery_day"].quantile(q / 100)

        def q_fv(q: float) -> float:
            return st.sketches["first_value_day"].quantile(q / 100)

        def q_money(col: str, q: float) -> float:
            return st.sketches[col].quantile(q / 100, skip_never=True)

    p = {q: q_day(q) for q in (50, 85, 95)}
    delivered = st.counts["delivered"]
    fv50 = q_fv(50)
    out: dict[str, Any] = {
        "scenario": sc.name,
        "runs": st.n,
        "seed": int(res.seed),
        "delivery": {
            "p50_day": json_number(p[50]),
            "p85_day": json_number(p[85]),
            "p95_day": json_number(p[95]),
            "mean_day": json_number(st.mean("delivery_day")) if delivered else None,
            "p50_date": _iso(cal.date_of(p[50])),
            "p85_date": _iso(cal.date_of(p[85])),
            "p95_date": _iso(cal.date_of(p[95])),
            "on_time_probability": json_number(st.share("on_time")) if sc.deadline else None,
            "deadline": sc.deadline.isoformat() if sc.deadline else None,
            "delivered_runs": delivered,
            "undelivered_runs": int(st.n - delivered),
        },
        "cost": {
            "mean": json_number(st.mean("cost")),
            "p50": json_number(q_money("cost", 50)),
            "p85": json_number(q_money("cost", 85)),
        },
        "value": {
            "value_mean": json_number(st.mean("value")),
            "npv_mean": json_number(st.mean("npv")),
            "npv_p50": json_number(q_money("npv", 50)),
            "roi_mean": json_number(st.mean("roi")),
            "first_value_day_p50": json_number(fv50),
            "first_value_date_p50": _iso(cal.date_of(fv50)),
            "outcome_probability": (
                json_number(st.share("outcome_reached")) if planned_run_rate(sc) > 0 else None
            ),
            "outcome": sc.value.outcome.name,
            "outcome_by": sc.value.outcome.by.isoformat() if sc.value.outcome.by else None,
            "potential_value": json_number(res.potential_value),
        },
    }
    if res.precision:
        out["precision"] = {
            k: (json_number(v) if isinstance(v, float) else v) for k, v in res.precision.items()
        }
    return out


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


@dataclass
class Comparison:
    """Scenarios run under the same seeds, with paired differences vs the first."""

    results: dict[str, Results]
    deltas: pd.DataFrame  # variant, metric, mean, ci_low, ci_high, p05, p95

    @property
    def baseline(self) -> str:
        return next(iter(self.results))

    @property
    def runs(self) -> pd.DataFrame:
        """Long table of every scenario's runs with a ``scenario`` column."""
        import pandas as pd

        return pd.concat(
            [res.runs.assign(scenario=name) for name, res in self.results.items()],
            ignore_index=True,
        )

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "baseline": self.baseline,
            "scenarios": {k: v.summary() for k, v in self.results.items()},
            "paired_differences": {},
        }
        for variant, grp in self.deltas.groupby("variant", sort=False):
            out["paired_differences"][variant] = {
                row.metric: {
                    "mean": json_number(row.mean),
                    "ci90": [json_number(row.ci_low), json_number(row.ci_high)],
                    "p05": json_number(row.p05),
                    "p95": json_number(row.p95),
                }
                for row in grp.itertuples()
            }
        return out


Z95 = 1.6448536269514722  # standard normal 95th percentile
#: Student's t 95th percentile for 1 and 2 degrees of freedom, where the expansion
#: in :func:`t95` is too coarse (textbook values).
T95_SMALL = {1: 6.313751514675, 2: 2.919985580354}


def t95(df: int) -> float:
    """95th percentile of Student's t with ``df`` degrees of freedom.

    Cornish-Fisher expansion in 1/df around the normal quantile (five terms;
    within 0.05% from df = 3 on), exact values below that.
    """
    if df in T95_SMALL:
        return T95_SMALL[df]
    z = Z95
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def paired_deltas(base: Any, other: Any) -> list[dict[str, Any]]:
    """Per-metric paired differences ``other - base`` over matching runs.

    ``base`` and ``other`` are runs tables, or mappings of the same columns to
    arrays (a run without tables keeps those: ``Results.paired``).

    ``mean`` with a t-based 90% confidence interval of the mean (``ci_low``,
    ``ci_high``; t with n - 1 degrees of freedom), and the 5th/95th
    percentiles of the per-run difference.
    """
    rows = []
    for col, key in DELTA_METRICS.items():
        d = np.asarray(other[col], dtype=float) - np.asarray(base[col], dtype=float)
        d = d[np.isfinite(d)]
        n = len(d)
        if n == 0:
            rows.append(
                {
                    "metric": key,
                    "mean": math.nan,
                    "ci_low": math.nan,
                    "ci_high": math.nan,
                    "p05": math.nan,
                    "p95": math.nan,
                    "n": 0,
                }
            )
            continue
        mean = float(d.mean())
        half = t95(n - 1) * float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
        rows.append(
            {
                "metric": key,
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "p05": float(np.quantile(d, 0.05)),
                "p95": float(np.quantile(d, 0.95)),
                "n": n,
            }
        )
    return rows
