"""Chunk statistics: what the forecast summary needs, merged without the tables.

A worker reduces its chunk of replications to :class:`RunStats`: counts, exact
sums and quantile sketches of the runs table's columns. Stats of two chunks
merge by adding, in any order, to the same result (the sums are exact, the
sketches count integers), so the summary does not depend on how the runs were
split over workers or in which order the chunks came back; its memory does not
grow with the number of runs (``docs/explanation/big-runs.md``).

Quantiles are exact while a column has at most :data:`EXACT_VALUES` distinct
values, then within :data:`QUANTILE_RELATIVE_ERROR` of the exact ones
(relative to the value); means and probabilities are always exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

#: Largest relative error of a quantile read from a :class:`Sketch`: a P85 of
#: 200 working days is within 0.02 days, a cost of 1,000,000 within 100.
QUANTILE_RELATIVE_ERROR = 1e-4
#: Distinct values a sketch counts one by one (its quantiles then exact).
EXACT_VALUES = 20_000
_GAMMA = (1 + QUANTILE_RELATIVE_ERROR) / (1 - QUANTILE_RELATIVE_ERROR)
_LOG_GAMMA = math.log(_GAMMA)


class ExactSum:
    """The exact sum of floats, kept as integer mantissas per binary exponent.

    Every finite float is ``m * 2**e`` with a 53-bit integer ``m``; summing the
    ``m`` per ``e`` in Python integers loses nothing, so sums of chunks merge
    in any order to the same total, and :meth:`mean` is correctly rounded.
    Non-finite values are left out (and counted in :attr:`count` only if finite).
    """

    __slots__ = ("count", "parts")

    def __init__(self, values: np.ndarray | None = None) -> None:
        self.parts: dict[int, int] = {}
        self.count = 0
        if values is not None:
            self.add(values)

    def add(self, values: np.ndarray) -> None:
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        self.count += len(v)
        if not len(v):
            return
        mant, exp = np.frexp(v)
        ints = (mant * 2.0**53).astype(np.int64)  # exact: |mant| < 1
        # Sum per exponent in blocks small enough that int64 cannot overflow.
        for start in range(0, len(v), 512):
            e, m = exp[start : start + 512], ints[start : start + 512]
            keys, inv = np.unique(e, return_inverse=True)
            sums = np.zeros(len(keys), dtype=np.int64)
            np.add.at(sums, inv, m)
            for k, s in zip(keys.tolist(), sums.tolist(), strict=True):
                self.parts[k] = self.parts.get(k, 0) + s

    def merge(self, other: ExactSum) -> None:
        self.count += other.count
        for k, s in other.parts.items():
            self.parts[k] = self.parts.get(k, 0) + s

    def total(self) -> Fraction:
        return sum(
            (Fraction(s) * Fraction(2) ** (k - 53) for k, s in self.parts.items()), Fraction(0)
        )

    def mean(self) -> float:
        """The mean of the finite values added (NaN when there were none)."""
        return float(self.total() / self.count) if self.count else math.nan


@dataclass
class Sketch:
    """A column's distribution: exact counts of its values, or buckets past a point.

    While a column has at most :data:`EXACT_VALUES` distinct values (whole
    working days, a fixed cost) the sketch counts each value and its quantiles
    are exact. Past that it counts buckets of relative width
    ``2 * QUANTILE_RELATIVE_ERROR``: a positive ``x`` falls in bucket
    ``k = ceil(log(x) / log(gamma))``, i.e. ``(gamma**(k-1), gamma**k]``; a
    negative one in the same bucket of its magnitude, on the negative side;
    zero in a bucket of its own. Reading a bucket back as
    ``2 * gamma**k / (gamma + 1)`` is within :data:`QUANTILE_RELATIVE_ERROR`
    of every value in it. NaN (the event never happened) is counted in
    :attr:`never`. Its size grows with the range of the values, never with
    their count.
    """

    exact: dict[float, int] | None = field(default_factory=dict)
    pos: dict[int, int] = field(default_factory=dict)
    neg: dict[int, int] = field(default_factory=dict)
    zero: int = 0
    never: int = 0

    @classmethod
    def of(cls, values: np.ndarray) -> Sketch:
        v = np.asarray(values, dtype=float)
        s = cls()
        missing = np.isnan(v) | np.isposinf(v)
        s.never = int(missing.sum())
        v = v[~missing & np.isfinite(v)]
        keys, counts = np.unique(v, return_counts=True)
        s.exact = dict(zip(keys.tolist(), counts.tolist(), strict=True))
        if len(s.exact) > EXACT_VALUES:
            s._to_buckets()
        return s

    def _to_buckets(self) -> None:
        if self.exact is None:
            return
        v = np.fromiter(self.exact.keys(), dtype=float, count=len(self.exact))
        c = np.fromiter(self.exact.values(), dtype=np.int64, count=len(self.exact))
        self.exact = None
        self.zero += int(c[v == 0].sum())
        for side, sign in ((self.pos, 1.0), (self.neg, -1.0)):
            ok = sign * v > 0
            if ok.any():
                k = np.ceil(np.log(sign * v[ok]) / _LOG_GAMMA).astype(np.int64)
                keys, inv = np.unique(k, return_inverse=True)
                sums = np.bincount(inv, weights=c[ok]).astype(np.int64)
                for key, n in zip(keys.tolist(), sums.tolist(), strict=True):
                    side[key] = side.get(key, 0) + n

    def merge(self, other: Sketch) -> None:
        """Add ``other``'s counts (the result is the same in any order of merging)."""
        if self.exact is not None and other.exact is not None:
            for x, c in other.exact.items():
                self.exact[x] = self.exact.get(x, 0) + c
            if len(self.exact) > EXACT_VALUES:
                self._to_buckets()
        else:
            self._to_buckets()
            if other.exact is not None:
                other = Sketch(dict(other.exact), never=other.never)
                other._to_buckets()
            for mine, theirs in ((self.pos, other.pos), (self.neg, other.neg)):
                for k, c in theirs.items():
                    mine[k] = mine.get(k, 0) + c
            self.zero += other.zero
        self.never += other.never

    @property
    def count(self) -> int:
        """Values seen, NaN included."""
        if self.exact is not None:
            return sum(self.exact.values()) + self.never
        return sum(self.pos.values()) + sum(self.neg.values()) + self.zero + self.never

    def _ordered(self) -> tuple[np.ndarray, np.ndarray]:
        """(values ascending, cumulative counts), ``never`` last as +inf."""
        if self.exact is not None:
            xs = sorted(self.exact)
            values = [*xs, math.inf]
            counts = [self.exact[x] for x in xs]
        else:
            neg = sorted(self.neg, reverse=True)
            pos = sorted(self.pos)
            values = [-_value(k) for k in neg] + [0.0] + [_value(k) for k in pos] + [math.inf]
            counts = [self.neg[k] for k in neg] + [self.zero] + [self.pos[k] for k in pos]
        counts.append(self.never)
        return np.asarray(values, dtype=float), np.cumsum(counts)

    def ranked(self, ranks: np.ndarray) -> np.ndarray:
        """The values of 1-based ranks (the ``rank``-th smallest; NaN ranked last, as inf)."""
        values, cum = self._ordered()
        return values[np.searchsorted(cum, np.asarray(ranks), side="left")]

    def quantile(self, q: float, *, skip_never: bool = False) -> float:
        """Quantile ``q`` (0-1) the way :func:`simulation.engine.summary.percentile` reads it.

        With ``skip_never`` NaN are left out (pandas' ``Series.quantile``);
        otherwise any NaN makes it numpy's ``inverted_cdf`` with NaN last, and
        without NaN it is numpy's linear interpolation. Exact while the
        sketch counts values; from buckets within
        :data:`QUANTILE_RELATIVE_ERROR` of the exact value, relative to the
        larger of the two order statistics it interpolates.
        """
        n = self.count - (self.never if skip_never else 0)
        if n == 0:
            return math.nan
        if self.never and not skip_never:
            return float(self.ranked(np.array([max(math.ceil(n * q), 1)]))[0])
        h = (n - 1) * q
        lo = math.floor(h)
        a, b = self.ranked(np.array([lo + 1, min(lo + 2, n)]))
        return float(a + (h - lo) * (b - a)) if b != a else float(a)


def _value(k: int) -> float:
    return 2.0 * _GAMMA**k / (_GAMMA + 1.0)


#: Runs-table columns whose mean the summary reports (NaN left out of the mean).
MEAN_COLUMNS = ("delivery_day", "cost", "value", "npv", "roi")
#: Runs-table columns whose quantiles the summary reports.
SKETCH_COLUMNS = ("delivery_day", "cost", "npv", "first_value_day")
#: Yes/no columns whose share the summary reports.
COUNT_COLUMNS = ("delivered", "on_time", "outcome_reached")


@dataclass
class RunStats:
    """A chunk's (or a whole run's) sufficient statistics for the summary."""

    n: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, ExactSum] = field(default_factory=dict)
    sketches: dict[str, Sketch] = field(default_factory=dict)

    @classmethod
    def of(cls, runs: dict[str, np.ndarray]) -> RunStats:
        """Statistics of runs-table columns (arrays of equal length)."""
        return cls(
            n=len(runs["run"]),
            counts={k: int(np.count_nonzero(runs[k])) for k in COUNT_COLUMNS},
            sums={k: ExactSum(runs[k]) for k in MEAN_COLUMNS},
            sketches={k: Sketch.of(runs[k]) for k in SKETCH_COLUMNS},
        )

    def merge(self, other: RunStats) -> RunStats:
        """Add ``other`` into this one (returns self)."""
        if not self.n:
            self.counts = {k: 0 for k in other.counts}
            self.sums = {k: ExactSum() for k in other.sums}
            self.sketches = {k: Sketch() for k in other.sketches}
        self.n += other.n
        for k, c in other.counts.items():
            self.counts[k] += c
        for k, s in other.sums.items():
            self.sums[k].merge(s)
        for k, s in other.sketches.items():
            self.sketches[k].merge(s)
        return self

    def share(self, column: str) -> float:
        """The share of runs where ``column`` is true (exact count over runs)."""
        return self.counts[column] / self.n if self.n else math.nan

    def mean(self, column: str) -> float:
        return self.sums[column].mean()


def merged(parts: list[RunStats]) -> RunStats:
    """One :class:`RunStats` of many (the same whatever their order)."""
    out = RunStats()
    for p in parts:
        out.merge(p)
    return out
