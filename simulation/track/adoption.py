"""The adoption curve fitted to measured shares (``docs/reference/track.md``).

Measured shares are points ``(t, share)``, ``t`` in weeks since the product first
went live. Bass is fitted by least squares on ``p`` and ``q`` (Gauss-Newton with
a step cap, from the plan's values); linear on its ramp ``weeks``. The standard
errors come from the residual variance and the Jacobian (the normal
approximation of the estimate). With fewer than :data:`MIN_POINTS` measurements
the plan's curve is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.scenario.schema import MIN_BASS_Q, Adoption

#: Measurements needed before the fit replaces the plan's curve.
MIN_POINTS = 3


@dataclass(frozen=True)
class AdoptionFit:
    """A fitted adoption curve: parameters, standard errors, and what it rests on."""

    model: str
    p: float | None = None  # Bass innovation, per week
    q: float | None = None  # Bass imitation, per week
    weeks: float | None = None  # linear ramp, weeks
    se: tuple[float, ...] = ()  # standard errors, in the order above
    points: int = 0
    fitted: bool = False  # False: the plan's curve, kept (too few points or instant)
    cov: tuple[tuple[float, ...], ...] = ()  # covariance of the estimate (same order)

    def adoption(self) -> Adoption:
        """The fit as the scenario's adoption section."""
        if self.model == "bass":
            return Adoption(model="bass", p=self.p, q=self.q)
        if self.model == "linear":
            return Adoption(model="linear", weeks=self.weeks)
        return Adoption(model="instant")

    def as_dict(self) -> dict:
        out: dict = {"model": self.model}
        if self.model == "bass":
            out |= {"p": round(self.p, 6), "q": round(self.q, 6)}
        elif self.model == "linear":
            out["weeks"] = round(self.weeks, 4)
        out |= {"points": self.points, "fitted": self.fitted}
        if self.se:
            out["se"] = [round(x, 6) for x in self.se]
        return out


def bass_parameters(p: float, q: float) -> tuple[float, float]:
    """``(p, q)`` clipped to what a scenario's Bass adoption accepts: p from 1e-4 to 1, q
    from 0 to 10, and a q below the smallest non-zero rate (``MIN_BASS_Q``) is 0."""
    q = float(min(max(q, 0.0), 10.0))
    return float(min(max(p, 1e-4), 1.0)), (q if q >= MIN_BASS_Q else 0.0)


def bass_share(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass cumulative adoption F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def fit_adoption(t: np.ndarray, share: np.ndarray, plan: Adoption) -> AdoptionFit:
    """Fit ``plan``'s adoption model to measured ``share`` at ``t`` weeks after go-live."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(share, dtype=float)
    keep = AdoptionFit(plan.model, plan.p, plan.q, plan.weeks, (), len(t), False)
    if len(t) < MIN_POINTS or plan.model == "instant":
        return keep
    if plan.model == "linear":
        return _fit_linear(t, y, plan)
    return _fit_bass(t, y, plan)


def _fit_bass(t: np.ndarray, y: np.ndarray, plan: Adoption) -> AdoptionFit:
    theta = np.log([plan.p, max(plan.q, 1e-3)])  # logs keep p, q > 0

    def resid(th: np.ndarray) -> np.ndarray:
        return bass_share(t, *np.exp(th)) - y

    lam = 1e-3
    r = resid(theta)
    for _ in range(200):
        jac = np.column_stack([(resid(theta + h) - r) / 1e-7 for h in np.eye(2) * 1e-7])
        a = jac.T @ jac
        step = np.linalg.solve(a + lam * np.diag(np.diag(a) + 1e-12), -jac.T @ r)
        trial = theta + np.clip(step, -2, 2)
        rt = resid(trial)
        if rt @ rt < r @ r:
            theta, r, lam = trial, rt, lam / 3
            if np.abs(step).max() < 1e-10:
                break
        else:
            lam *= 10
            if lam > 1e12:
                break
    # Measurements far below the plan's curve drive q towards 0 (7e-11 seen): clipped
    # as the schema takes it, or the re-forecast's scenario would be refused.
    p, q = bass_parameters(*(float(x) for x in np.exp(theta)))
    cov = _covariance(lambda v: bass_share(t, v[0], v[1]) - y, np.array([p, q]), len(t))
    return AdoptionFit("bass", p, q, None, _se(cov), len(t), True, cov)


def _fit_linear(t: np.ndarray, y: np.ndarray, plan: Adoption) -> AdoptionFit:
    def sse(w: float) -> float:
        return float(np.sum((np.minimum(t / w, 1.0) - y) ** 2))

    grid = np.geomspace(0.1, 520, 2000)
    w = float(grid[np.argmin([sse(g) for g in grid])])
    lo, hi = w / 1.01, w * 1.01
    for _ in range(100):  # golden-section refinement around the best grid point
        a, b = hi - (hi - lo) / 1.618, lo + (hi - lo) / 1.618
        lo, hi = (lo, b) if sse(a) < sse(b) else (a, hi)
    w = (lo + hi) / 2
    cov = _covariance(lambda v: np.minimum(t / v[0], 1.0) - y, np.array([w]), len(t))
    return AdoptionFit("linear", None, None, w, _se(cov), len(t), True, cov)


def _covariance(resid, theta: np.ndarray, n: int) -> tuple[tuple[float, ...], ...]:
    """s^2 (J'J)^-1, s^2 the residual variance (0 for an exact fit); inf if singular."""
    r = resid(theta)
    k = len(theta)
    h = np.maximum(np.abs(theta) * 1e-6, 1e-9)
    jac = np.column_stack([(resid(theta + e) - r) / e.sum() for e in np.diag(h)])
    s2 = float(r @ r) / max(n - k, 1)
    try:
        cov = s2 * np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        cov = np.diag(np.full(k, math.inf))
    return tuple(tuple(float(x) for x in row) for row in cov)


def _se(cov: tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
    return tuple(math.sqrt(max(cov[i][i], 0.0)) for i in range(len(cov)))


def draw_parameters(fit: AdoptionFit, z: np.ndarray) -> list[Adoption]:
    """One adoption curve per row of standard normals ``z`` (runs x parameters).

    Each is the estimate plus the covariance's Cholesky factor times ``z`` (the
    normal approximation), clipped to the values the schema accepts.
    """
    if not fit.fitted:
        return [fit.adoption()] * len(z)
    cov = np.array(fit.cov, dtype=float)
    if not np.isfinite(cov).all():
        cov = np.zeros_like(cov)
    chol = np.linalg.cholesky(cov + np.eye(len(cov)) * 1e-18)
    if fit.model == "bass":
        est = np.array([fit.p, fit.q])
        out = []
        for p, q in est + z[:, :2] @ chol.T:
            p, q = bass_parameters(p, q)
            out.append(Adoption(model="bass", p=p, q=q))
        return out
    weeks = fit.weeks + z[:, 0] * chol[0, 0]
    return [Adoption(model="linear", weeks=float(min(max(w, 0.1), 520.0))) for w in weeks]
