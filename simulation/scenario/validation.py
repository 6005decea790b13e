"""Field errors, numbers and messages: the rules every part of the schema shares.

The schema (:mod:`simulation.scenario.schema`), the distributions and the what-if
changes validate with pydantic; this module turns pydantic's errors into
:class:`~simulation.scenario.errors.ScenarioError` messages that name the field path
(``items[2].effort.high: must be >= mode``), and holds the field types and
helpers they all use, so a rule (booleans are not numbers, the wording of a
bound, the closest known name as a hint) has one owner.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

from simulation.scenario.errors import ScenarioError

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
ID_RULE = "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"


#: How a path names a key written as the empty text.
EMPTY_KEY = "'' (an empty key)"


def field_error(field: str, message: str) -> ValueError:
    """A validation error that belongs to a named field of the model.

    Pydantic reports model-level errors at the model's path; the ``@field:``
    prefix lets :func:`format_errors` move it one level down
    so the message reads ``items[2].effort.high: must be >= mode``. An empty
    key is named as such, so the path never reads as nothing.
    """
    return ValueError(f"@{field or EMPTY_KEY}: {message}")


def describe_input(value: Any) -> str:
    """A short phrase for what a user wrote: ``a list``, ``the text 'abc'``, ``true/false``."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {text!r}"
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10**4000 else 4000
        return f"the number {value}" if digits <= 20 else f"a {digits}-digit number"
    if isinstance(value, float):
        return f"the number {value:g}"
    return type(value).__name__


def _no_bool(value: Any) -> Any:
    """YAML reads ``yes``/``true`` as booleans; pydantic would take them as 1."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    return value


#: A float that refuses true/false (pydantic alone would read ``true`` as 1.0).
Number = Annotated[float, BeforeValidator(_no_bool)]
#: An int that refuses true/false.
WholeNumber = Annotated[int, BeforeValidator(_no_bool)]


def suggest(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` to ``word``, or ``""``."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def join_path(prefix: str, path: str) -> str:
    """``prefix`` and ``path`` as one field path (``changes[2]`` + ``days``)."""
    if not prefix:
        return path
    if not path or path == "(top level)":
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def problems_error(problems: list[tuple[str, str]], source: str | None = None) -> ScenarioError:
    """A ScenarioError whose message is the first problem (and a count of the rest)."""
    first = f"{problems[0][0]}: {problems[0][1]}" if problems[0][0] else problems[0][1]
    extra = len(problems) - 1
    more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
    return ScenarioError(first + more, source=source, problems=problems)


def prefixed_error(exc: ScenarioError, prefix: str, source: str | None = None) -> ScenarioError:
    """The same problems, with their paths moved under ``prefix`` (e.g. ``changes[2]``)."""
    source = exc.source or source
    if not exc.problems:
        body = str(exc)
        if exc.source:
            body = body.removeprefix(f"{exc.source}: ")
        return problems_error([(prefix, body)], source)
    return problems_error([(join_path(prefix, p), m) for p, m in exc.problems], source)


# ------------------------------------------------------------------ pydantic errors
_MAPPING = "expected a mapping (key: value pairs)"
#: Pydantic error types and the words we use for them (``{got}`` = what was written).
_TYPE_MESSAGES = {
    "dict_type": _MAPPING + ", got {got}",
    "model_type": _MAPPING + ", got {got}",
    "model_attributes_type": _MAPPING + ", got {got}",
    "list_type": "expected a list, got {got}",
    "tuple_type": "expected a list, got {got}",
    "set_type": "expected a list, got {got}",
    "missing": "required",
    "date_from_datetime_parsing": "expected a date like 2027-01-04, got {got}",
    "date_from_datetime_inexact": "expected a date without a time of day, like 2027-01-04",
    "date_parsing": "expected a date like 2027-01-04, got {got}",
    "date_type": "expected a date like 2027-01-04, got {got}",
    "finite_number": "must be a finite number, got {got}",
    "float_type": "expected a number, got {got}",
    "float_parsing": "expected a number, got {got}",
    "int_type": "expected a whole number, got {got}",
    "int_parsing": "expected a whole number, got {got}",
    "int_parsing_size": "expected a whole number of reasonable size, got {got}",
    "int_from_float": "expected a whole number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "bool_parsing": "expected true or false, got {got}",
    "string_type": "expected text, got {got} (put it in quotes if it is meant as text)",
    "string_unicode": "expected text, got {got}",
    "recursion_loop": "refers to itself (a recursive structure)",
}


def _num_text(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        x = int(x)
    if isinstance(x, int) and abs(x) >= 10**20:
        return describe_input(x).removeprefix("the number ")
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10_000 else str(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def _message(err: dict[str, Any]) -> str:
    """Words for one pydantic error (not a ``value_error``)."""
    etype = err.get("type", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = describe_input(value)
    if etype in _TYPE_MESSAGES:
        if etype in ("float_type", "float_parsing", "int_type", "int_parsing") and (
            isinstance(value, float) and not math.isfinite(value)
        ):
            return "must be a finite number"
        return _TYPE_MESSAGES[etype].format(got=got)
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if etype in bounds:
        limit = next(iter(ctx.values())) if ctx else "?"
        kind = "the limit" if etype.startswith("less") else "the minimum"
        return f"must be {bounds[etype]} {_num_text(limit)} ({kind}), got {_num_text(value)}"
    if etype == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} entr{'y' if n == 1 else 'ies'}"
    if etype == "too_long":
        n = ctx.get("max_length")
        actual = ctx.get("actual_length")
        got_n = f" (got {actual:,})" if isinstance(actual, int) else ""
        return f"at most {_num_text(n)} entries{got_n}"
    if etype == "string_too_short":
        return "must not be empty"
    if etype == "string_too_long":
        got_n = f" (got {len(value):,})" if isinstance(value, str) else ""
        return f"at most {_num_text(ctx.get('max_length'))} characters{got_n}"
    if etype == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN:
            return f"{got} is not a valid id: use {ID_RULE} (no spaces)"
        return f"{got} does not match the pattern {ctx.get('pattern')}"
    if etype == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [
            o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()
        ]
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, options, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"must be one of {expected}, got {got}{hint}"
    msg = str(err.get("msg", ""))
    return msg.replace("Input should be", "must be")


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and _is_union_tag(part):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _is_union_tag(part: str) -> bool:
    """Pydantic names the branch of a union in the path (``literal['auto']``)."""
    return "[" in part or part.startswith(("function-", "constrained-", "lax-", "json-"))


def format_errors(exc: ValidationError, source: str | None = None) -> ScenarioError:
    """Turn a pydantic error into a :class:`ScenarioError` naming each field path."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        etype = err.get("type", "")
        if etype in ("value_error", "assertion_error"):
            msg = (
                str(err.get("msg", ""))
                .removeprefix("Value error, ")
                .removeprefix("Assertion failed, ")
            )
            if msg.startswith("@"):
                field, _, msg = msg[1:].partition(": ")
                base = _path(loc)
                problems.append((f"{base}.{field}" if base else field, msg))
                continue
            if not loc and ": " in msg:
                # Cross-field checks that already name their full paths, one a line.
                for line in msg.split("\n"):
                    path, _, text = line.partition(": ")
                    problems.append((path, text))
                continue
        else:
            msg = _message(err)
        problems.append((_path(loc) or "(top level)", msg))
    # Pydantic reports a value that failed every branch of an ``A | None`` once per
    # branch; keep the first message for each path. A list whose element failed
    # is also reported as too short: the element's message is the useful one.
    unique: dict[str, str] = {}
    for path, msg in problems:
        unique.setdefault(path, msg)
    problems = [
        (path, msg)
        for path, msg in unique.items()
        if not (
            msg.startswith("needs at least")
            and any(other.startswith(path + "[") for other in unique)
        )
    ]
    if not problems:  # pragma: no cover - pydantic always reports something
        problems = [("(top level)", "invalid")]
    return problems_error(problems, source)
