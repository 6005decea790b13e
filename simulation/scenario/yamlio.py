"""Reading and writing scenario files, treating every file as untrusted.

Every guard runs before any Python object is built, so a hostile file costs
at most a fraction of a second and a bounded amount of memory:

* size limit; binary, UTF-16/32 and non-UTF-8 content rejected before parsing;
  only regular files are read (never a FIFO or ``/dev/zero``), and never more
  than the size limit;
* a first pass over the YAML *events* (libyaml's C parser when available)
  checks nesting depth, the number of values (counting what aliases expand to,
  so an "alias bomb" of nested anchors is stopped before it is built),
  recursive aliases, tags (only plain YAML types: no Python objects, no
  ``!!binary``/``!!set``) and duplicate mapping keys (PyYAML would silently
  keep the last one); each error names the field path and the line;
* then PyYAML's *safe* loader builds plain data (dicts, lists, text, numbers,
  dates). A date that is not a date (``2027-02-30``) stays text, so the schema
  reports it at its field path instead of the parser crashing.

This module only turns YAML text into plain data and back; turning a file into a
validated Scenario (variants included) is :mod:`simulation.scenario.loading`'s job.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

import yaml

from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import Scenario

#: Largest scenario file read, in bytes (text: in characters).
MAX_FILE_BYTES = 1_000_000
#: Most YAML aliases (``*name``, including merge keys ``<<: *name``) a file may use.
MAX_ALIASES = 10_000
#: Deepest nesting of mappings/lists allowed (a full scenario needs about 8).
MAX_DEPTH = 40
#: Most values (scalars, lists and mappings) in a file, counting every alias
#: as the values it expands to. A 2,000-item backlog needs about 50,000.
MAX_VALUES = 100_000

#: The only tags a scenario file may carry (explicitly, ``!!str``) or resolve to.
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(
    {
        "!",
        *(
            f"{_CORE}{t}"
            for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
        ),
    }
)

# Characters YAML does not allow in a stream (same set as PyYAML's reader), plus
# lone surrogates that cannot be encoded.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

# A value (escapes resolved) may hold tabs and line breaks, nothing else of the
# control range: a carriage return would overwrite a printed line.
_CONTROL_IN_TEXT = re.compile(
    "[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_LONG_INT = re.compile(r"[-+]?[0-9_]+")

#: libyaml (C) when PyYAML was built with it: parsing is 5-10x faster.
_BaseLoader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


# ------------------------------------------------------------ first pass
class _Node:
    """An open collection while scanning events."""

    __slots__ = ("anchor", "index", "is_map", "key", "key_line", "keys", "path")

    def __init__(self, is_map: bool, anchor: str | None, path: str):
        self.is_map = is_map
        self.anchor = anchor
        self.path = path
        self.index = 0  # next list index
        self.key: Any = None  # key whose value comes next (None: a key comes next)
        self.key_line = 0
        self.keys: dict[str, int] = {}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(event: Any) -> int:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _fail(path: str, line: int, message: str) -> ScenarioError:
    if len(path) > 80:
        path = path[:60] + "..." + path[-15:]
    where = f"{path}: " if path else ""
    at = f" (line {line})" if line else ""
    return ScenarioError(f"{where}{message}{at}", problems=[(path or "(top level)", message + at)])


def scan_events(text: str) -> None:
    """Check structure before building anything; raise :class:`ScenarioError`.

    Walks the YAML event stream once (no objects are built) and enforces
    :data:`MAX_DEPTH`, :data:`MAX_VALUES` (with aliases expanded),
    :data:`MAX_ALIASES`, :data:`ALLOWED_TAGS`, one document per file,
    no recursive aliases, plain keys and no duplicate keys.
    """
    parser = _BaseLoader(text)
    try:
        _scan(parser)
    finally:
        parser.dispose()


def _scan(parser: Any) -> None:
    stack: list[_Node] = []
    sizes: dict[str, int] = {}  # anchor -> values it expands to (finished nodes)
    open_sizes: list[int] = []  # values so far in each open collection
    aliases = 0
    expanded = 0  # values so far, aliases expanded
    documents = 0
    while parser.check_event():
        event = parser.get_event()
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(
                    "",
                    _line(event),
                    "a scenario file holds one YAML document; found a second one ('---')",
                )
            continue
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            node = stack.pop()
            size = open_sizes.pop()
            if node.anchor is not None:
                sizes[node.anchor] = size
            _placed(stack, open_sizes, size, None, event)
            continue
        parent = stack[-1] if stack else None
        is_key = parent is not None and parent.is_map and parent.key is None
        path = _child_path(parent)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ALLOWED_TAGS:
            raise _fail(
                path,
                _line(event),
                f"the YAML tag '{_tag_text(tag)}' is not allowed "
                "(a scenario holds only text, numbers, dates, lists and mappings)",
            )
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _fail(path, _line(event), f"more than {MAX_ALIASES:,} YAML aliases (*name)")
            if any(n.anchor == event.anchor for n in stack):
                raise _fail(
                    path,
                    _line(event),
                    f"the alias *{event.anchor} refers to a "
                    "mapping or list that contains it (a recursive structure)",
                )
            if event.anchor not in sizes:
                raise _fail(
                    path,
                    _line(event),
                    f"the alias *{event.anchor} has no anchor &{event.anchor} before it",
                )
            size = sizes[event.anchor]
            if is_key:
                raise _fail(path, _line(event), "a key must be plain text, not an alias")
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            # Escapes ("\\e[2J", "\\x07") make the control characters the raw text check
            # refuses; they would move a terminal's cursor or hide text when printed.
            bad = _CONTROL_IN_TEXT.search(event.value)
            if bad:
                raise _fail(
                    path,
                    _line(event),
                    f"the character U+{ord(bad.group()):04X} (a control character, here "
                    "written as a YAML escape) is not allowed in the file",
                )
            if len(event.value) > 100 and event.implicit[0] and _LONG_INT.fullmatch(event.value):
                raise _fail(
                    path,
                    _line(event),
                    f"a whole number with {len(event.value):,} digits is too long",
                )
            if event.anchor is not None:
                sizes[event.anchor] = 1
        else:  # a list or a mapping starts
            if is_key:
                raise _fail(path, _line(event), "a key must be plain text, not a list or mapping")
            if len(stack) >= MAX_DEPTH:
                raise _fail(path, _line(event), f"nested more than {MAX_DEPTH} levels deep")
            expanded += 1
            if expanded > MAX_VALUES:
                raise _too_many(path, event)
            stack.append(_Node(isinstance(event, yaml.MappingStartEvent), event.anchor, path))
            open_sizes.append(1)
            continue
        expanded += size
        if expanded > MAX_VALUES:
            raise _too_many(path, event)
        _placed(stack, open_sizes, size, event, event)


def _too_many(path: str, event: Any) -> ScenarioError:
    return _fail(
        path,
        _line(event),
        f"the file holds more than {MAX_VALUES:,} values (counting what each alias *name repeats)",
    )


def _child_path(parent: _Node | None) -> str:
    if parent is None:
        return ""
    if not parent.is_map:
        return f"{parent.path}[{parent.index}]"
    if parent.key is None:
        return parent.path
    return _join(parent.path, parent.key)


def _placed(stack: list[_Node], open_sizes: list[int], size: int, scalar: Any, event: Any) -> None:
    """Account for a finished value (``scalar``: its event when it is a scalar)."""
    if not stack:
        return
    parent = stack[-1]
    open_sizes[-1] += size
    if not parent.is_map:
        parent.index += 1
        return
    if parent.key is not None:  # that was the value
        parent.key = None
        return
    # That was a key: only scalars get here.
    value = scalar.value if isinstance(scalar, yaml.ScalarEvent) else "*"
    line = _line(event)
    if value != "<<":  # merge keys may repeat; explicit keys win over them
        first = parent.keys.get(value)
        if first is not None:
            raise _fail(
                _join(parent.path, value),
                line,
                f"duplicate key '{value}' (first on line {first}); each key may appear only once",
            )
        parent.keys[value] = line
    parent.key = value or "''"
    parent.key_line = line


# ------------------------------------------------------------ second pass
class _Loader(_BaseLoader):
    """PyYAML's safe loader (libyaml when available), after :func:`scan_events`."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            # 2027-02-30 looks like a date but is not one: keep the text so the
            # schema names the field ("start_date: '2027-02-30' is not a real date").
            return str(node.value)

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise ScenarioError(
                f"line {node.start_mark.line + 1}: the number {node.value[:20]}... is too long"
            ) from None

    def construct_undefined(self, node):
        raise ScenarioError(
            f"line {node.start_mark.line + 1}: the YAML tag "
            f"'{_tag_text(str(node.tag))}' is not allowed"
        )


_Loader.add_constructor(f"{_CORE}timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor(f"{_CORE}int", _Loader.construct_yaml_int)
# A bare "=" resolves to the YAML 1.1 "value" type: it is just text here.
_Loader.add_constructor(f"{_CORE}value", _Loader.construct_yaml_str)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"{_CORE}{_tag}", _Loader.construct_undefined)
_Loader.add_constructor(None, _Loader.construct_undefined)


# --------------------------------------------------------------- decoding
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _position(text: str | bytes, index: int) -> str:
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, index) + 1
    column = index - (text.rfind(newline, 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _decode(raw: bytes, source: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"file is larger than the {MAX_FILE_BYTES:,} byte limit", source=source)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise ScenarioError(f"the file is {name} text; save it as UTF-8", source=source)
    zero = raw.find(b"\x00")
    if zero >= 0:
        raise ScenarioError(
            f"not a text file (binary content: a zero byte at {_position(raw, zero)})",
            source=source,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
            f"{_position(raw, exc.start)}); save the file as UTF-8",
            source=source,
        ) from None


def parse_yaml_text(text: str | bytes, source: str = "<text>") -> Any:
    """Parse YAML text safely into plain data, raising :class:`ScenarioError`.

    Accepts ``str`` or bytes (decoded as UTF-8). The result holds only dicts,
    lists, str, int, float, bool, None and ``datetime.date``/``datetime``.
    """
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if isinstance(text, bytes):
        text = _decode(text, source)
    elif not isinstance(text, str):
        raise ScenarioError(
            f"expected YAML text or bytes, got {type(text).__name__}", source=source
        )
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"text is longer than the {MAX_FILE_BYTES:,} character limit", source=source
        )
    text = text.removeprefix("\ufeff")
    bad = _NON_PRINTABLE.search(text)
    if bad:
        char = bad.group()
        what = "a zero byte" if char == "\x00" else f"the character U+{ord(char):04X}"
        raise ScenarioError(
            f"not a text file ({what} at {_position(text, bad.start())})", source=source
        )
    try:
        scan_events(text)
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except ScenarioError as exc:
        raise exc.with_source(source) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(_yaml_problem(exc, text), source=source) from None
    except RecursionError:
        raise ScenarioError(
            f"nested too deeply (limit {MAX_DEPTH} levels)", source=source
        ) from None
    if data is None:
        raise ScenarioError("the file is empty", source=source)
    return data


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = ""
    index = getattr(mark, "index", None)
    if "\\t" in problem or (
        isinstance(index, int) and 0 <= index < len(text) and text[index] == "\t"
    ):
        hint = " (a tab: indent with spaces, YAML does not allow tabs there)"
    return f"not valid YAML{where}: {problem}{hint}"


# ------------------------------------------------------------------ files
def read_yaml_file(path: str | os.PathLike) -> Any:
    """Read and parse one file with the size/binary/UTF-8 guards.

    Only regular files are read, and never more than :data:`MAX_FILE_BYTES`
    (a FIFO, a device such as ``/dev/zero`` or a folder is refused).
    """
    if not isinstance(path, str | os.PathLike):
        raise ScenarioError(f"expected a file path, got {type(path).__name__}")
    name = os.fspath(path)
    name = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError("file not found", source=name) from None
    except IsADirectoryError:
        raise ScenarioError("is a folder, not a scenario file", source=name) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(f"cannot read file ({reason})", source=name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError("is a folder, not a scenario file", source=name)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError("not a regular file (a device, pipe or socket)", source=name)
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"file is larger than the {MAX_FILE_BYTES:,} byte limit ({info.st_size:,} bytes)",
                source=name,
            )
        chunks = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", source=name) from None
    finally:
        os.close(fd)
    return parse_yaml_text(raw, name)


def scenario_to_data(sc: Scenario) -> dict[str, Any]:
    """Plain data for a scenario, in file order, without default values."""
    return sc.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


class _Dumper(yaml.SafeDumper):
    """Safe dumper that double-quotes text holding YAML line-break characters.

    PyYAML writes NEL (U+0085) raw inside single quotes, where the reader
    folds it into a space: the text would not read back equal.
    """

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if any(ch in data for ch in "\x85\u2028\u2029"):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def scenario_to_yaml(sc: Scenario) -> str:
    """The scenario as YAML text that :func:`load_scenario_text` reads back equal."""
    data = scenario_to_data(sc)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
