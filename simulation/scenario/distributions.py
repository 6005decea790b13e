"""Probability distributions for efforts, durations and values.

A distribution is written in a scenario file either as a bare number (a fixed
value) or as a mapping with a ``dist`` key::

    8                                        # fixed
    {dist: triangular, low: 5, mode: 8, high: 15}
    {dist: pert, low: 4, mode: 6, high: 12}
    {dist: uniform, low: 3, high: 8}
    {dist: normal, mean: 10, sd: 2}          # truncated at 0
    {dist: lognormal, median: 3, p90: 10}
    {dist: exponential, mean: 4}
    {dist: empirical, samples: [3, 5, 8]}

Every draw is vectorised: ``dist.sample(rng, n)`` returns ``n`` values. All
values are non-negative; units are whatever the field says (person-days,
working days, money per week).
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_serializer, model_validator

from simulation.scenario.validation import Number, describe_input, field_error, format_errors

#: z-score of the 90th percentile of the standard normal distribution.
Z90 = 1.2815515655446004
#: Largest value any distribution parameter may take. Distributions hold
#: efforts (person-days) and durations (working days): a million is ~4,000
#: person-years, far beyond any single work item, and keeps every sum finite.
MAX_PARAMETER = 1_000_000
#: Most samples an empirical distribution may list (a history, not a data set).
MAX_SAMPLES = 10_000

DistKind = Literal[
    "fixed", "triangular", "pert", "uniform", "normal", "lognormal", "exponential", "empirical"
]

#: The parameters each kind takes, in the order they are written.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "p90"),
    "exponential": ("mean",),
    "empirical": ("samples",),
}

#: How a distribution is written, for messages.
EXAMPLE = "a number, or a mapping such as {dist: triangular, low: 3, mode: 5, high: 8}"


def _bare(number: float) -> float:
    """Check a bare number here, so its message names the field as the user wrote it
    (``items[3].effort``, not ``items[3].effort.value``)."""
    problem = _parameter_problem(number)
    if problem:
        raise ValueError(problem)
    return number


def _parameter_problem(v: float) -> str | None:
    """Why ``v`` cannot be a distribution parameter, or None."""
    # An int beyond float range (``10**400`` through the Python API) is compared
    # as an int: math.isfinite would raise OverflowError on it.
    if isinstance(v, float) and not math.isfinite(v):
        return "must be a finite number"
    if v < 0:
        return "must be >= 0"
    if v > MAX_PARAMETER:
        return (
            f"must be <= {MAX_PARAMETER:,} (the limit for a distribution parameter, "
            "in days or person-days)"
        )
    return None


def _kind_hint(data: dict[str, Any]) -> str:
    """Suggest the kinds whose parameters are exactly the keys written."""
    keys = set(data) - {"dist"}
    kinds = [k for k, params in PARAMETERS.items() if set(params) == keys]
    if not kinds:
        return ""
    return "; add " + " or ".join(f"'dist: {k}'" for k in kinds)


def _as_number(text: str) -> float | None:
    """``"1e5"`` and ``"2_000"`` as numbers (YAML 1.1 reads ``1e5`` as text)."""
    try:
        return float(text.strip())
    except (ValueError, OverflowError):
        return None


class Distribution(BaseModel):
    """One probability distribution, validated for its kind."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    dist: DistKind
    value: Number | None = None
    low: Number | None = None
    mode: Number | None = None
    high: Number | None = None
    mean: Number | None = None
    sd: Number | None = None
    median: Number | None = None
    p90: Number | None = None
    samples: tuple[Number, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, data: Any) -> Any:
        if isinstance(data, Distribution):
            return data
        if isinstance(data, bool):
            raise ValueError(f"expected {EXAMPLE}, got true/false")
        if isinstance(data, int | float):
            return {"dist": "fixed", "value": _bare(data)}
        if isinstance(data, str):
            number = _as_number(data)
            if number is None:
                raise ValueError(f"expected {EXAMPLE}, got {describe_input(data)}")
            return {"dist": "fixed", "value": _bare(number)}
        if not isinstance(data, dict):
            raise ValueError(f"expected {EXAMPLE}, got {describe_input(data)}")
        kind = data.get("dist")
        if kind is None:
            raise ValueError(
                "a distribution needs 'dist' (one of "
                + ", ".join(PARAMETERS)
                + ") or a bare number"
                + _kind_hint(data)
            )
        if not isinstance(kind, str) or kind not in PARAMETERS:
            close = difflib.get_close_matches(str(kind), list(PARAMETERS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            shown = f"'{kind}'" if isinstance(kind, str) else describe_input(kind)
            raise field_error(
                "dist", f"unknown distribution {shown}: use one of {', '.join(PARAMETERS)}{hint}"
            )
        params = PARAMETERS[kind]
        for key in data:
            if key not in params and key != "dist":
                close = difflib.get_close_matches(str(key), list(params), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise field_error(
                    str(key), f"not a parameter of {kind} (it takes {', '.join(params)}){hint}"
                )
        for key in params:
            if data.get(key) is None:
                raise field_error(key, f"required for {kind}")
        if kind == "empirical":
            samples = data["samples"]
            if not isinstance(samples, list | tuple):
                raise field_error(
                    "samples", f"expected a list of numbers, got {describe_input(samples)}"
                )
            if len(samples) > MAX_SAMPLES:
                raise field_error(
                    "samples", f"at most {MAX_SAMPLES:,} samples (got {len(samples):,})"
                )
        return data

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        for name in PARAMETERS[self.dist]:
            raw = getattr(self, name)
            values = raw if isinstance(raw, tuple) else (raw,)
            for v in values:
                problem = _parameter_problem(v)
                if problem:
                    raise field_error(name, problem)
        kind = self.dist
        if kind in ("triangular", "pert"):
            if self.mode < self.low:
                raise field_error("mode", "must be >= low")
            if self.high < self.mode:
                raise field_error("high", "must be >= mode")
        elif kind == "uniform":
            if self.high < self.low:
                raise field_error("high", "must be >= low")
        elif kind == "normal":
            if self.mean <= 0:
                raise field_error("mean", "must be > 0 (the normal is truncated at 0)")
        elif kind == "lognormal":
            if self.median <= 0:
                raise field_error("median", "must be > 0")
            if self.p90 < self.median:
                raise field_error("p90", "must be >= median")
        elif kind == "empirical" and not self.samples:
            raise field_error("samples", "needs at least one sample")
        return self

    # ------------------------------------------------------------------ maths
    def expected(self) -> float:
        """The distribution's mean (the truncated normal's mean for ``normal``)."""
        k = self.dist
        if k == "fixed":
            return self.value
        if k == "triangular":
            return (self.low + self.mode + self.high) / 3
        if k == "pert":
            return (self.low + 4 * self.mode + self.high) / 6
        if k == "uniform":
            return (self.low + self.high) / 2
        if k == "normal":
            a = -self.mean / self.sd if self.sd > 0 else -math.inf
            if not math.isfinite(a):
                return self.mean
            phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
            tail = 0.5 * math.erfc(a / math.sqrt(2))  # P(Z > a)
            return self.mean + self.sd * phi / tail
        if k == "lognormal":
            sigma = self._sigma()
            return self.median * math.exp(sigma * sigma / 2)
        if k == "exponential":
            return self.mean
        return float(np.mean(self.samples))

    def lowest(self) -> float:
        """The smallest value a draw can take."""
        k = self.dist
        if k == "fixed":
            return self.value
        if k in ("triangular", "pert", "uniform"):
            return self.low
        if k == "empirical":
            return min(self.samples)
        return 0.0

    def _sigma(self) -> float:
        return (math.log(self.p90) - math.log(self.median)) / Z90

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Draw ``size`` independent values as a float array."""
        k = self.dist
        if k == "fixed":
            return np.full(size, float(self.value))
        if k == "triangular":
            if self.high == self.low:
                return np.full(size, float(self.low))
            return rng.triangular(self.low, self.mode, self.high, size)
        if k == "pert":
            span = self.high - self.low
            if span == 0:
                return np.full(size, float(self.low))
            alpha = 1 + 4 * (self.mode - self.low) / span
            beta = 1 + 4 * (self.high - self.mode) / span
            return self.low + span * rng.beta(alpha, beta, size)
        if k == "uniform":
            return rng.uniform(self.low, self.high, size)
        if k == "normal":
            return _truncated_normal(rng, self.mean, self.sd, size)
        if k == "lognormal":
            return self.median * np.exp(self._sigma() * rng.standard_normal(size))
        if k == "exponential":
            return rng.exponential(self.mean, size) if self.mean > 0 else np.zeros(size)
        return rng.choice(np.asarray(self.samples, dtype=float), size)

    def describe(self) -> str:
        """Short human text, e.g. ``8-25`` or ``about 6``."""
        k = self.dist
        if k == "fixed":
            return f"{self.value:g}"
        if k in ("triangular", "pert"):
            return f"{self.low:g}-{self.high:g} (most likely {self.mode:g})"
        if k == "uniform":
            return f"{self.low:g}-{self.high:g}"
        if k == "empirical":
            return f"{min(self.samples):g}-{max(self.samples):g} (history of {len(self.samples)})"
        if k == "lognormal":
            return f"median {self.median:g}, P90 {self.p90:g}"
        return f"mean {self.expected():g}"

    @model_serializer(mode="plain")
    def _compact(self) -> Any:
        # Dumps in the file's own form (a number, or dist + its parameters), so a
        # dumped scenario validates again unchanged.
        return self.to_yaml()

    def to_yaml(self) -> Any:
        """The compact form to write back to a file."""
        if self.dist == "fixed":
            return _plain(self.value)
        out: dict[str, Any] = {"dist": self.dist}
        for key in PARAMETERS[self.dist]:
            v = getattr(self, key)
            out[key] = [_plain(x) for x in v] if isinstance(v, tuple) else _plain(v)
        return out


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _truncated_normal(
    rng: np.random.Generator, mean: float, sd: float, size: int | tuple[int, ...]
) -> np.ndarray:
    """Normal draws conditioned on being >= 0 (redraw the negatives).

    The mean is required > 0, so each round keeps more than half and the loop
    ends after a few rounds.
    """
    out = rng.normal(mean, sd, size)
    bad = out < 0
    while bad.any():
        out[bad] = rng.normal(mean, sd, int(bad.sum()))
        bad = out < 0
    return out


def as_distribution(value: Any) -> Distribution:
    """Build a :class:`Distribution` from file data, raising :class:`ScenarioError`."""
    try:
        return Distribution.model_validate(value)
    except ValidationError as exc:
        raise format_errors(exc) from None
