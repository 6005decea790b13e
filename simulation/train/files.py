"""Exercise files: loading and validating ``scenarios/exercises/*.yaml``, the metrics a
question may ask about, and what "same" means for a direction question."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from simulation.scenario.changes import apply_changes, parse_changes, variant_base, variant_changes
from simulation.scenario.errors import ScenarioError
from simulation.scenario.library import LIBRARY_DIR, library_files
from simulation.scenario.loading import load_scenario
from simulation.scenario.schema import Scenario
from simulation.scenario.yamlio import read_yaml_file, scenario_to_yaml

#: The bundled exercises.
EXERCISE_DIR = LIBRARY_DIR / "exercises"
#: Keys an exercise file may have.
EXERCISE_KEYS = (
    "title",
    "situation",
    "base",
    "variant",
    "changes",
    "questions",
    "debrief",
    "try_next",
)
QUESTION_KEYS = ("id", "ask", "metric", "kind", "of")
KINDS = ("direction", "estimate")
SIDES = ("base", "variant")
MAX_QUESTIONS = 10
MAX_TEXT = 5_000
MAX_TITLE = 120

# "Same" thresholds of a direction question: the one place they live.
#: A day metric is "same" within this many working days.
SAME_WITHIN_DAYS = 0.5
#: A probability is "same" within one percentage point.
SAME_WITHIN_PROBABILITY = 0.01
#: Money, ratios and counts are "same" within this share of the base's magnitude.
SAME_WITHIN_SHARE = 0.01

#: Every metric path of the run summary (``Results.summary()``) and what it holds:
#: ``day`` (working days from the start), ``probability`` (0 to 1), ``money``,
#: ``ratio``, ``count``, ``date`` (ISO text) or ``text``.
METRICS: dict[str, str] = {
    "delivery.p50_day": "day",
    "delivery.p85_day": "day",
    "delivery.p95_day": "day",
    "delivery.mean_day": "day",
    "delivery.p50_date": "date",
    "delivery.p85_date": "date",
    "delivery.p95_date": "date",
    "delivery.on_time_probability": "probability",
    "delivery.deadline": "date",
    "delivery.delivered_runs": "count",
    "delivery.undelivered_runs": "count",
    "cost.mean": "money",
    "cost.p50": "money",
    "cost.p85": "money",
    "value.value_mean": "money",
    "value.npv_mean": "money",
    "value.npv_p50": "money",
    "value.roi_mean": "ratio",
    "value.first_value_day_p50": "day",
    "value.first_value_date_p50": "date",
    "value.outcome_probability": "probability",
    "value.outcome": "text",
    "value.outcome_by": "date",
    "value.potential_value": "money",
}
NUMBER_KINDS = ("day", "probability", "money", "ratio", "count")
#: Labels of metrics for people (page headings, CLI).
METRIC_LABELS = {
    "delivery.p50_day": "P50 delivery (working day)",
    "delivery.p85_day": "P85 delivery (working day)",
    "delivery.p95_day": "P95 delivery (working day)",
    "delivery.mean_day": "Mean delivery (working day)",
    "delivery.on_time_probability": "On-time chance",
    "cost.mean": "Cost (mean)",
    "cost.p50": "Cost (P50)",
    "cost.p85": "Cost (P85)",
    "value.value_mean": "Value (mean)",
    "value.npv_mean": "NPV (mean)",
    "value.npv_p50": "NPV (P50)",
    "value.roi_mean": "ROI (mean)",
    "value.first_value_day_p50": "First value (P50 working day)",
    "value.outcome_probability": "Outcome chance",
    "value.potential_value": "Potential value",
    "delivery.delivered_runs": "Futures delivered",
    "delivery.undelivered_runs": "Futures not delivered",
}
DIRECTION_WORDS = {"day": ("earlier", "same", "later")}
DEFAULT_WORDS = ("lower", "same", "higher")

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_SLOT_RE = re.compile(r"^(base|variant|change|answer)\.([A-Za-z0-9_.-]+?)(?::(abs))?$")


class PredictionError(ValueError):
    """A trainee's prediction does not fit its question; the message names it."""


# ---------------------------------------------------------------- the file
@dataclass(frozen=True)
class Question:
    """One question of an exercise."""

    id: str
    ask: str
    metric: str
    kind: str  # "direction" or "estimate"
    of: str = "variant"  # estimate: the scenario asked about

    @property
    def metric_kind(self) -> str:
        return METRICS[self.metric]

    @property
    def choices(self) -> tuple[str, ...]:
        """The possible answers of a direction question (empty for an estimate)."""
        return direction_words(self.metric) if self.kind == "direction" else ()

    @property
    def label(self) -> str:
        return METRIC_LABELS.get(self.metric, self.metric)


@dataclass(frozen=True)
class Exercise:
    """A validated exercise: both scenarios loaded, every question and text checked."""

    path: Path
    source: str  # the file as messages show it
    title: str
    situation: str
    base_path: Path
    variant_path: Path | None
    changes: tuple[Any, ...]  # the typed changes from base to variant
    base: Scenario
    variant: Scenario
    questions: tuple[Question, ...]
    debrief: str
    try_next: tuple[str, ...]

    @property
    def file(self) -> str:
        return self.path.name

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def change_lines(self) -> list[str]:
        """What the variant changes, one line per change (the engine's descriptions)."""
        return [c.describe() for c in self.changes]

    def key(self) -> str:
        """What the simulated answers depend on: both scenarios' full text."""
        text = scenario_to_yaml(self.base) + "\n---\n" + scenario_to_yaml(self.variant)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def direction_words(metric: str) -> tuple[str, str, str]:
    """The three answers of a direction question on ``metric`` (down, same, up)."""
    return DIRECTION_WORDS.get(METRICS.get(metric, ""), DEFAULT_WORDS)


def same_within(metric: str, base_value: float) -> float:
    """How far apart base and variant may be and still count as "same".

    Half a working day for a day metric, one percentage point for a
    probability, and :data:`SAME_WITHIN_SHARE` of the base's magnitude for
    money, ratios and counts (their scales differ from one scenario to the next).
    """
    kind = METRICS[metric]
    if kind == "day":
        return SAME_WITHIN_DAYS
    if kind == "probability":
        return SAME_WITHIN_PROBABILITY
    return SAME_WITHIN_SHARE * abs(base_value)


def direction_of(metric: str, base_value: float, variant_value: float) -> str:
    """The true answer of a direction question: ``earlier``/``same``/``later`` etc."""
    down, same, up = direction_words(metric)
    diff = variant_value - base_value
    # A small epsilon: a difference of exactly the threshold is "same" in decimal
    # terms even when binary rounding puts it a hair above.
    if abs(diff) <= same_within(metric, base_value) + 1e-9:
        return same
    return up if diff > 0 else down


def _shown(path: Path) -> str:
    """An exercise path as messages show it: ``exercises/brooks.yaml`` in the library."""
    p = path.resolve()
    for root in (LIBRARY_DIR.resolve(), Path.cwd().resolve()):
        try:
            return str(p.relative_to(root))
        except ValueError:
            continue
    return str(path)


def _fail(source: str, where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}", source=source, problems=[(where, message)])


def _suggest(word: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _text(data: dict, key: str, source: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(source, key, "required")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, "expected text")
    if len(value) > limit:
        raise _fail(source, key, f"at most {limit:,} characters")
    return " ".join(value.split()) if limit == MAX_TITLE else value.strip()


def _resolve(ref: Any, folder: Path, source: str, where: str) -> Path:
    """A scenario file named by an exercise: relative to the exercise's folder."""
    if not isinstance(ref, str) or not ref.strip():
        raise _fail(source, where, "expected a scenario file, like ../supply-chain.yaml")
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).anchor or ref.startswith("~"):
        raise _fail(
            source,
            where,
            f"'{ref}' is an absolute path; name the file relative to "
            "the exercise's folder (e.g. ../supply-chain.yaml)",
        )
    path = (folder / ref).resolve()
    # The exercise's folder, its parent (where the library sits beside exercises/)
    # and the bundled library: nothing else on the machine.
    roots = (folder.resolve().parent, LIBRARY_DIR.resolve())
    if not any(path == r or r in path.parents for r in roots):
        raise _fail(
            source, where, f"'{ref}' points outside the exercise's folder and the scenario library"
        )
    if not path.is_file():
        raise _fail(
            source, where, f"scenario file '{ref}' not found (looked in {_shown(path.parent)})"
        )
    return path


def _load(path: Path, source: str, where: str) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise ScenarioError(
            f"{where}: {exc}", source=source, problems=[(where, str(exc))]
        ) from None


def _question(data: Any, i: int, source: str, seen: set[str]) -> Question:
    where = f"questions[{i}]"
    if not isinstance(data, dict):
        raise _fail(
            source,
            where,
            "expected a question like {id: date, ask: ..., metric: "
            "delivery.p50_day, kind: direction}",
        )
    for key in data:
        if key not in QUESTION_KEYS:
            raise _fail(
                source,
                f"{where}.{key}",
                "unknown key"
                + _suggest(str(key), QUESTION_KEYS)
                + f" (known: {', '.join(QUESTION_KEYS)})",
            )
    qid = data.get("id")
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        raise _fail(
            source, f"{where}.id", "expected a short name (a letter, then letters, digits, - or _)"
        )
    if qid in seen:
        raise _fail(source, f"{where}.id", f"'{qid}' is used by an earlier question")
    ask = data.get("ask")
    if not isinstance(ask, str) or not ask.strip() or len(ask) > MAX_TEXT:
        raise _fail(
            source,
            f"{where}.ask",
            "required: the question as the trainee reads it "
            f"(text, at most {MAX_TEXT:,} characters)",
        )
    ask = " ".join(ask.split())
    kind = data.get("kind")
    if kind not in KINDS:
        raise _fail(source, f"{where}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    metric = data.get("metric")
    if not isinstance(metric, str) or metric not in METRICS:
        hint = _suggest(str(metric), list(METRICS))
        raise _fail(
            source,
            f"{where}.metric",
            f"unknown metric '{metric}'{hint} (known: {', '.join(METRICS)})",
        )
    if METRICS[metric] not in NUMBER_KINDS:
        raise _fail(
            source,
            f"{where}.metric",
            f"a {kind} question needs a number, and '{metric}' is a {METRICS[metric]}",
        )
    of = data.get("of")
    if kind == "direction" and of is not None:
        raise _fail(
            source,
            f"{where}.of",
            "a direction question compares the variant with "
            "the base; only estimate questions take 'of'",
        )
    if of is None:
        of = "variant"
    if of not in SIDES:
        raise _fail(source, f"{where}.of", f"expected base or variant, got {of!r}")
    seen.add(qid)
    return Question(id=qid, ask=ask, metric=metric, kind=kind, of=of)


def check_placeholders(
    text: str, where: str, source: str, question_ids: set[str], base_only: bool = False
) -> None:
    """Every ``{...}`` in ``text`` must be a placeholder :func:`render` knows.

    ``base_only`` (the situation): only ``{base.<metric>}``, so the text shown
    before the predictions cannot quote the answer.
    """
    for m in _PLACEHOLDER_RE.finditer(text):
        slot = m.group(1).strip()
        parsed = _SLOT_RE.match(slot)
        if not parsed:
            raise _fail(
                source,
                where,
                f"unknown placeholder {{{slot}}}: expected "
                "{base.<metric>}, {variant.<metric>}, "
                "{change.<metric>} or {answer.<question id>}",
            )
        scope, name, _abs = parsed.groups()
        if base_only and scope != "base":
            raise _fail(
                source,
                where,
                f"{{{slot}}} would give the answer away: the "
                "situation may quote only {base.<metric>}",
            )
        if scope == "answer":
            if name not in question_ids:
                raise _fail(
                    source,
                    where,
                    f"{{{slot}}}: no question has id '{name}'"
                    + _suggest(name, sorted(question_ids)),
                )
            continue
        if name not in METRICS:
            raise _fail(
                source,
                where,
                f"{{{slot}}}: unknown metric '{name}'" + _suggest(name, list(METRICS)),
            )
        if scope == "change" and METRICS[name] not in NUMBER_KINDS:
            raise _fail(
                source,
                where,
                f"{{{slot}}}: a change needs a number, and '{name}' is a {METRICS[name]}",
            )


def load_exercise(path: str | Path) -> Exercise:
    """Read and validate one exercise file, loading its base and variant.

    Raises
    ------
    ScenarioError
        Naming the file and the field, e.g. ``exercises/brooks.yaml:
        questions[1].metric: unknown metric 'delivery.p99_day' (known: ...)``.
    """
    path = Path(path)
    source = _shown(path)
    data = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError(
            "an exercise file holds a mapping (title, situation, base, ...)", source=source
        )
    for key in data:
        if key not in EXERCISE_KEYS:
            raise _fail(
                source,
                str(key),
                "unknown key"
                + _suggest(str(key), EXERCISE_KEYS)
                + f" (known: {', '.join(EXERCISE_KEYS)})",
            )
    title = _text(data, "title", source, limit=MAX_TITLE)
    situation = _text(data, "situation", source)
    debrief = _text(data, "debrief", source)
    if "base" not in data:
        raise _fail(
            source,
            "base",
            "required: the scenario file the exercise starts from, e.g. ../supply-chain.yaml",
        )
    folder = path.parent
    base_path = _resolve(data["base"], folder, source, "base")
    base = _load(base_path, source, "base")
    has_variant, has_changes = data.get("variant") is not None, "changes" in data
    if has_variant == has_changes:
        raise _fail(
            source,
            "variant",
            "give either a variant file or a list of changes (not both, not neither)",
        )
    variant_path = None
    if has_variant:
        variant_path = _resolve(data["variant"], folder, source, "variant")
        variant = _load(variant_path, source, "variant")
        changes = _own_changes(base_path, variant_path, data, source)
    else:
        changes = parse_changes(data["changes"], source=source)
        if not changes:
            raise _fail(source, "changes", "at least one change, or the variant equals the base")
        variant = apply_changes(base, changes, source=source)
        variant = variant.model_copy(update={"name": f"{base.name}: {title}"})
    questions_data = data.get("questions")
    if not isinstance(questions_data, list) or not questions_data:
        raise _fail(source, "questions", "expected a list of at least one question")
    if len(questions_data) > MAX_QUESTIONS:
        raise _fail(source, "questions", f"at most {MAX_QUESTIONS} questions")
    seen: set[str] = set()
    questions = tuple(_question(q, i, source, seen) for i, q in enumerate(questions_data))
    try_next = data.get("try_next") or []
    if not isinstance(try_next, list) or not all(
        isinstance(t, str) and t.strip() for t in try_next
    ):
        raise _fail(source, "try_next", "expected a list of short suggestions")
    check_placeholders(situation, "situation", source, seen, base_only=True)
    check_placeholders(debrief, "debrief", source, seen)
    return Exercise(
        path=path,
        source=source,
        title=title,
        situation=situation,
        base_path=base_path,
        variant_path=variant_path,
        changes=tuple(changes),
        base=base,
        variant=variant,
        questions=questions,
        debrief=debrief,
        try_next=tuple(" ".join(t.split()) for t in try_next),
    )


def _own_changes(base_path: Path, variant_path: Path, data: dict, source: str) -> tuple[Any, ...]:
    """The changes a variant file adds on top of the exercise's base.

    The variant must build on the base (extend it, directly or through other
    variants): otherwise base and variant differ in ways no change names and
    the comparison would teach nothing nameable.
    """
    try:
        base_root, var_root = variant_base(base_path).resolve(), variant_base(variant_path)
        base_changes, var_changes = variant_changes(base_path), variant_changes(variant_path)
    except ScenarioError as exc:
        raise _fail(source, "variant", str(exc)) from None
    if (
        var_root.resolve() != base_root
        or var_changes[: len(base_changes)] != base_changes
        or len(var_changes) == len(base_changes)
    ):
        raise _fail(
            source,
            "variant",
            f"'{data['variant']}' does not build on the base "
            f"'{data['base']}': the variant file must extend it "
            "(directly or through other variants)",
        )
    return var_changes[len(base_changes) :]


def exercise_files(folder: str | Path = EXERCISE_DIR) -> list[Path]:
    """The exercise files of a folder, sorted by name."""
    return library_files(Path(folder)) if Path(folder).is_dir() else []


def list_exercises(folder: str | Path = EXERCISE_DIR) -> list[dict[str, Any]]:
    """One row per exercise file: ``file``, ``path``, ``title`` and ``error``.

    Files are validated (scenarios loaded, nothing simulated); an invalid one
    is listed with its message in ``error`` and its file name as ``title``.
    """
    rows = []
    for path in exercise_files(folder):
        try:
            ex = load_exercise(path)
            rows.append(
                {
                    "file": path.name,
                    "path": path,
                    "title": ex.title,
                    "questions": len(ex.questions),
                    "error": None,
                }
            )
        except ScenarioError as exc:
            rows.append(
                {
                    "file": path.name,
                    "path": path,
                    "title": path.stem,
                    "questions": 0,
                    "error": str(exc),
                }
            )
    return rows


def metric_value(summary: Mapping[str, Any], metric: str) -> Any:
    """The value at a dotted path of a run summary (``None`` where it has none)."""
    node: Any = summary
    for part in metric.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(metric)
        node = node[part]
    return node
