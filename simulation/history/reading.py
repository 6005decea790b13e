"""Reading a work-item export: files, columns, date formats, items and their cycle times."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from simulation.scenario.schema import MAX_DATE, MIN_DATE, Calendar

from .common import (
    DEFAULT_BACKTEST_ITEMS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    DEFAULT_WINDOW_DAYS,
    FORMATS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    NOT_STARTED_STATUSES,
    PERCENTILES,
    HistoryError,
    Layout,
    _as_date,
    _busdays,
    _day_after,
    _iso,
    _norm,
    _roll,
    nearest_rank,
)

if TYPE_CHECKING:
    from .backtesting import Backtest
    from .forecast import HowManyForecast, Throughput, WhenForecast

# ------------------------------------------------------------------- dates
#: Each format family: a regular expression of the whole cell, and which groups
#: hold year, month and day. Time groups are checked for range only.
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)"
_FAMILIES: dict[str, tuple[re.Pattern[str], tuple[int, int, int]]] = {
    "ISO": (
        re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"?(?:Z|[+-]\d{2}(?::?\d{2})?)?"),
        (1, 2, 3),
    ),
    "d.M.yyyy": (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + r"?"), (3, 2, 1)),
    "M/d/yyyy": (
        re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + r"?(?: ?([AaPp][Mm]))?"),
        (3, 1, 2),
    ),
    "d/M/yyyy": (
        re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + r"?(?: ?([AaPp][Mm]))?"),
        (3, 2, 1),
    ),
    # Jira's default export: 22/Aug/26 11:25 AM (a two-digit year is 20yy).
    "dd/MMM/yy": (
        re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})" + _TIME + r"?(?: ?([AaPp][Mm]))?"),
        (3, 2, 1),
    ),
    # YouTrack's default: 22 Aug 2026 11:25.
    "d MMM yyyy": (
        re.compile(r"(\d{1,2}) ([A-Za-z]{3}) (\d{4})" + _TIME + r"?(?: ?([AaPp][Mm]))?"),
        (3, 2, 1),
    ),
}
#: Families tried, in this order, when the format is not given (``d/M/yyyy`` is told
#: apart from ``M/d/yyyy`` by a first number above 12).
_DETECTED = ("ISO", "d.M.yyyy", "M/d/yyyy", "dd/MMM/yy", "d MMM yyyy")
#: English month abbreviations, as Jira and YouTrack write them.
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
#: Names people use for the families (the Java-style patterns of the exports).
_FORMAT_NAMES = {
    "iso": "ISO",
    "yyyy-mm-dd": "ISO",
    "yyyy-mm-dd hh:mm:ss": "ISO",
    "d.m.yyyy": "d.M.yyyy",
    "d.m.yyyy h:mm:ss": "d.M.yyyy",
    "d.m.yyyy h:mm": "d.M.yyyy",
    "dd.mm.yyyy": "d.M.yyyy",
    "m/d/yyyy": "M/d/yyyy",
    "m/d/yyyy h:mm am": "M/d/yyyy",
    "m/d/yyyy h:mm:ss am": "M/d/yyyy",
    "mm/dd/yyyy": "M/d/yyyy",
    "d/m/yyyy": "d/M/yyyy",
    "dd/mm/yyyy": "d/M/yyyy",
    "d/m/yyyy h:mm": "d/M/yyyy",
    "dd/mmm/yy": "dd/MMM/yy",
    "dd/mmm/yy h:mm am": "dd/MMM/yy",
    "d/mmm/yy h:mm am": "dd/MMM/yy",
    "dd mmm yyyy": "d MMM yyyy",
    "d mmm yyyy": "d MMM yyyy",
    "dd mmm yyyy hh:mm": "d MMM yyyy",
    "d mmm yyyy hh:mm": "d MMM yyyy",
}
#: Java-style pattern letters (as trackers document their formats) to ``strftime``.
_JAVA_TOKENS = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%m",
    "dd": "%d",
    "d": "%d",
    "HH": "%H",
    "H": "%H",
    "hh": "%I",
    "h": "%I",
    "mm": "%M",
    "ss": "%S",
    "a": "%p",
    "EEE": "%a",
    "EEEE": "%A",
}

# ------------------------------------------------------------ column names
#: Normalised names (lower case, letters and digits only) recognised by default.
_ID_NAMES = ("id", "key", "issuekey", "issueid", "workitemid", "itemid")
_LINK_NAMES = ("link", "url")
_NAME_NAMES = ("name", "title", "summary")
_TYPE_NAMES = ("type", "workitemtype", "issuetype", "itemtype")
_STATUS_NAMES = ("status", "state")
#: Start columns that are really the date an item was written down: from them the
#: time to done is lead time (waiting in the backlog included), not cycle time.
_CREATED_NAMES = ("created", "createddate", "createdat", "creationdate")
_DONE_WORDS = (
    "closeddate",
    "resolved",
    "resolveddate",
    "donedate",
    "done",
    "completed",
    "completeddate",
    "closed",
    "finished",
)
_START_WORDS = (
    "activateddate",
    "activated",
    "started",
    "startdate",
    "started date",
    "inprogress",
    "created",
    "createddate",
)


# ------------------------------------------------------------ data quality
#: Item ids a data-quality finding names as examples (the first ones in file order).
QUALITY_EXAMPLES = 5

FindingKind = Literal["duplicate_ids", "done_before_start", "done_before_created"]
#: Every kind of finding, in the order they are reported.
FINDING_KINDS: tuple[FindingKind, ...] = (
    "duplicate_ids",
    "done_before_start",
    "done_before_created",
)


@dataclass(frozen=True)
class Finding:
    """A data-quality problem of an export: how many items, the first few ids, and
    what the reader did about it (docs/reference/history.md, "Data quality").

    ``count`` is items (for duplicates: ids found on more than one row);
    ``dropped`` the rows left out (duplicates only); ``columns`` the id column
    (duplicates), or the start or created column(s) compared and last the done column.
    """

    kind: FindingKind
    count: int
    examples: tuple[str, ...]
    columns: tuple[str, ...] = ()
    dropped: int = 0

    def sentence(self) -> str:
        """The finding in words, the same on the History page and in the command."""
        n = self.count
        items = f"{n:,} item{'s' if n != 1 else ''}"
        eg = ", ".join(self.examples) + (", ..." if n > len(self.examples) else "")
        if self.kind == "duplicate_ids":
            rows = f"{self.dropped:,} earlier row{'s' if self.dropped != 1 else ''}"
            return (
                f"{n:,} item id{'s' if n != 1 else ''} appear{'' if n != 1 else 's'} on more "
                f"than one row ({eg}): the last row of each is read, the {rows} "
                f"{'are' if self.dropped != 1 else 'is'} left out"
            )
        *later, done = self.columns
        where = (
            f"the date in '{later[0]}' is"
            if len(later) == 1
            else f"the dates in '{later[0]}' to '{later[-1]}' are"
        )
        if self.kind == "done_before_start":
            what = f"{'their' if n != 1 else 'its'} start"
            then = f"{'they count' if n != 1 else 'it counts'} as started on the done date"
        else:
            what = f"{'they were' if n != 1 else 'it was'} created"
            then = f"{'their' if n != 1 else 'its'} dates are read as written"
        return (
            f"{items} {'are' if n != 1 else 'is'} done before {what} ({eg}): {where} after "
            f"the one in '{done}'; {then}"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count, "examples": list(self.examples)}
        if self.kind == "duplicate_ids":
            out["dropped_rows"] = self.dropped
        return out


def _examples(labels: pd.Series) -> tuple[str, ...]:
    return tuple(labels.iloc[:QUALITY_EXAMPLES])


def _labels(ids: pd.Series, rows: pd.Series) -> pd.Series:
    """Each row's item id, or ``row N`` where the id cell is empty."""
    return ids.where(ids != "", "row " + rows.astype(str))


def _duplicates(ids: pd.Series, column: str) -> tuple[np.ndarray, Finding | None]:
    """Which rows to keep (the last row of each id; rows without an id all kept) and
    the finding, None when every id is on one row."""
    named = (ids != "").to_numpy()
    keep = ~ids.duplicated(keep="last").to_numpy() | ~named
    if keep.all():
        return keep, None
    repeated = pd.unique(ids[ids.duplicated(keep=False).to_numpy() & named])
    finding = Finding(
        "duplicate_ids",
        len(repeated),
        tuple(repeated[:QUALITY_EXAMPLES]),
        (column,),
        int((~keep).sum()),
    )
    return keep, finding


def _date_finding(
    kind: FindingKind, flags: pd.Series, labels: pd.Series, later: tuple[str, ...], done: str
) -> Finding | None:
    """Items whose done date comes before the date(s) in ``later``, or None."""
    hit = flags.to_numpy(dtype=bool)
    if not later or not hit.any():
        return None
    return Finding(kind, int(hit.sum()), _examples(labels[hit]), (*later, done))


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class Columns:
    """What was read from an export: the layout and the column behind each role."""

    layout: Layout
    id: str
    start: str
    done: str
    type: str | None = None
    name: str | None = None
    stages: tuple[str, ...] = ()
    date_format: str = "ISO"
    status: str | None = None

    @property
    def lead_time(self) -> bool:
        """True when the start column is a created date: start to done is then lead time."""
        return _norm(self.start) in _CREATED_NAMES

    @property
    def measure(self) -> str:
        """What start to done measures, in words: ``cycle time`` or ``lead time``."""
        return "lead time" if self.lead_time else "cycle time"

    def measure_note(self) -> str | None:
        """A sentence for people when the times run from a created date, else None."""
        if not self.lead_time:
            return None
        return (
            f"The start column '{self.start}' is the date an item was created, so these "
            "times are lead times (waiting in the backlog included), not cycle times; "
            "pick a start column such as In Progress or Started for cycle times."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "start": self.start,
            "done": self.done,
            "stages": list(self.stages),
            "date_format": self.date_format,
            "status": self.status,
            "measure": self.measure,
        }


@dataclass
class History:
    """A team's work items with their start and done dates and cycle times.

    ``items`` has one row per item (blank rows dropped, ``types`` kept):
    ``row`` (spreadsheet row of the file, header = 1), ``id``, ``name``,
    ``type``, ``start`` and ``done`` (``datetime64[D]``, NaT when missing),
    ``status`` (``done``, ``in_progress`` or ``not_started``) and
    ``cycle_time`` (working days, both ends counted; NaN unless done).
    ``quality`` holds the data-quality findings (duplicate ids, done before start
    or before created; docs/reference/history.md), ``warnings`` them in words.
    """

    items: pd.DataFrame
    columns: Columns
    calendar: Calendar
    source: str | None = None
    all_columns: tuple[str, ...] = ()
    quality: tuple[Finding, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """Each data-quality finding as a sentence, for the page and the command."""
        return [f.sentence() for f in self.quality]

    def quality_summary(self) -> dict[str, dict[str, Any]]:
        """Every kind of finding with its count and example ids (zero and none when clean)."""
        found = {f.kind: f for f in self.quality}
        out = {}
        for kind in FINDING_KINDS:
            f = found.get(kind, Finding(kind, 0, ()))
            out[kind] = f.to_dict()
        return out

    # -------------------------------------------------------------- views
    @property
    def busdays(self) -> np.busdaycalendar:
        return _busdays(self.calendar)

    def done_items(self) -> pd.DataFrame:
        return self.items[self.items["status"] == "done"]

    def in_progress(self) -> pd.DataFrame:
        return self.items[self.items["status"] == "in_progress"]

    def types(self) -> list[str]:
        """Item types present (in order of first appearance), empty if no type column."""
        if self.columns.type is None:
            return []
        return [t for t in pd.unique(self.items["type"]) if t]

    def first_done(self) -> dt.date | None:
        d = self.done_items()["done"]
        return None if d.empty else d.min().date()

    def last_done(self) -> dt.date | None:
        d = self.done_items()["done"]
        return None if d.empty else d.max().date()

    def default_start(self) -> dt.date | None:
        """Where a forecast starts unless told: the working day after the last done date
        (a Friday's or a Saturday's next working day is the Monday)."""
        last = self.last_done()
        if last is None:
            return None
        after = np.datetime64(_day_after(last), "D")
        return np.busday_offset(after, 0, roll="forward", busdaycal=self.busdays).astype(dt.date)

    def cycle_times(self, item_type: str | None = None) -> np.ndarray:
        """Cycle times (working days) of done items, in done-date order."""
        done = self.done_items().sort_values(["done", "row"])  # rows are unique: a total order
        if item_type is not None:
            done = done[done["type"] == item_type]
        return done["cycle_time"].to_numpy(dtype=float)

    def cycle_time_percentiles(self, item_type: str | None = None) -> dict[str, float | int | None]:
        """Nearest-rank P50/P85/P95 of cycle time (working days) and the item count ``n``."""
        ct = self.cycle_times(item_type)
        out: dict[str, float | int | None] = {f"p{p}": nearest_rank(ct, p) for p in PERCENTILES}
        out["n"] = len(ct)
        return out

    def cycle_time_table(self) -> pd.DataFrame:
        """Done items for the scatter chart (``id``, ``name``, ``type``, ``start``,
        ``done``, ``cycle_time``), in done-date order."""
        cols = ["id", "name", "type", "start", "done", "cycle_time"]
        return self.done_items()[cols].sort_values("done", kind="stable").reset_index(drop=True)

    def wip_table(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Items in progress with their age: working days from start to ``as_of``, both
        counted (default: the latest date in the file)."""
        wip = self.in_progress()[["id", "name", "type", "start"]].copy()
        if as_of is None:
            as_of = self.latest_date()
        if wip.empty or as_of is None:
            wip["age"] = pd.Series(dtype=float)
            return wip.reset_index(drop=True)
        end = np.busday_offset(np.datetime64(as_of, "D"), 0, roll="forward", busdaycal=self.busdays)
        start = _roll(wip["start"].to_numpy("datetime64[D]"), self.busdays)
        wip["age"] = np.maximum(np.busday_count(start, end, busdaycal=self.busdays) + 1, 1)
        return wip.sort_values("age", ascending=False, kind="stable").reset_index(drop=True)

    def latest_date(self) -> dt.date | None:
        dates = pd.concat([self.items["start"], self.items["done"]]).dropna()
        return None if dates.empty else dates.max().date()

    def weekly_throughput(self) -> pd.DataFrame:
        """Items done per calendar week (Monday to Sunday), zero weeks included:
        ``week_start`` and ``done``. An item done on a weekend counts in its week."""
        done = self.done_items()["done"]
        if done.empty:
            return pd.DataFrame(
                {"week_start": pd.Series(dtype="datetime64[ns]"), "done": pd.Series(dtype=int)}
            )
        week = done - pd.to_timedelta(done.dt.day_of_week, unit="D")
        counts = week.value_counts()
        weeks = pd.date_range(week.min(), week.max(), freq="7D")
        return pd.DataFrame(
            {"week_start": weeks, "done": counts.reindex(weeks, fill_value=0).to_numpy()}
        )

    # --------------------------------------------------------- throughput
    def throughput(
        self, window_days: int = DEFAULT_WINDOW_DAYS, until: dt.date | None = None
    ) -> Throughput:
        """Daily done counts of the window (see :func:`throughput_window`)."""
        from .forecast import throughput_window  # forecast builds on History: import late

        return throughput_window(self, window_days, until)

    def when(
        self,
        n: int,
        start: dt.date | str | None = None,
        *,
        window_days: int = DEFAULT_WINDOW_DAYS,
        runs: int = DEFAULT_RUNS,
        seed: int = DEFAULT_SEED,
    ) -> WhenForecast:
        """When will ``n`` more items be done, starting ``start`` (default: the day
        after the last done date)? See :func:`forecast_when`."""
        tp = self.throughput(window_days)
        begin = _as_date(start, "from") if start is not None else self.default_start()
        from .forecast import forecast_when

        return forecast_when(tp.samples, n, begin, self.calendar, runs=runs, seed=seed)

    def how_many(
        self,
        by: dt.date | str,
        start: dt.date | str | None = None,
        *,
        window_days: int = DEFAULT_WINDOW_DAYS,
        runs: int = DEFAULT_RUNS,
        seed: int = DEFAULT_SEED,
    ) -> HowManyForecast:
        """How many items will be done from ``start`` to ``by`` (both included)?"""
        tp = self.throughput(window_days)
        begin = _as_date(start, "from") if start is not None else self.default_start()
        from .forecast import forecast_how_many

        return forecast_how_many(
            tp.samples, _as_date(by, "how_many_by"), begin, self.calendar, runs=runs, seed=seed
        )

    def backtest(
        self,
        n: int = DEFAULT_BACKTEST_ITEMS,
        *,
        window_days: int = DEFAULT_WINDOW_DAYS,
        runs: int = DEFAULT_RUNS,
        seed: int = DEFAULT_SEED,
    ) -> Backtest:
        from .backtesting import backtest

        return backtest(self, n, window_days=window_days, runs=runs, seed=seed)

    def summary(
        self,
        *,
        window_days: int = DEFAULT_WINDOW_DAYS,
        when: int | None = None,
        start: dt.date | str | None = None,
        how_many_by: dt.date | str | None = None,
        backtest_items: int | None = None,
        runs: int = DEFAULT_RUNS,
        seed: int = DEFAULT_SEED,
    ) -> dict[str, Any]:
        """The CLI's ``--json`` (docs/reference/history.md); forecasts only when asked for."""
        first, last = self.first_done(), self.last_done()
        out: dict[str, Any] = {
            "items": len(self.items),
            "done": len(self.done_items()),
            "in_progress": len(self.in_progress()),
            "not_started": int((self.items["status"] == "not_started").sum()),
            "first_done": _iso(first),
            "last_done": _iso(last),
            "columns": self.columns.to_dict(),
            "quality": self.quality_summary(),
        }
        ct = {k: v for k, v in self.cycle_time_percentiles().items() if k != "n"}
        ct["by_type"] = {t: self.cycle_time_percentiles(t) for t in self.types()}
        out["cycle_time"] = ct
        if first is None:
            out["throughput"] = None
            if any(x is not None for x in (when, how_many_by, backtest_items)):
                raise HistoryError(
                    "no item has a done date, so there is no throughput to forecast from",
                    source=self.source,
                )
            return out
        tp = self.throughput(window_days)
        out["throughput"] = {
            "window_days": window_days,
            "from": _iso(tp.start),
            "until": _iso(tp.end),
            "working_days": len(tp.samples),
            "mean_per_day": round(float(tp.samples.mean()), 4),
            "note": tp.note(),
        }
        if when is not None:
            out["when"] = self.when(
                when, start, window_days=window_days, runs=runs, seed=seed
            ).to_dict()
        if how_many_by is not None:
            out["how_many"] = self.how_many(
                how_many_by, start, window_days=window_days, runs=runs, seed=seed
            ).to_dict()
        if backtest_items is not None:
            out["backtest"] = self.backtest(
                backtest_items, window_days=window_days, runs=runs, seed=seed
            ).to_dict()
        out["runs"], out["seed"] = runs, seed
        return out


# ------------------------------------------------------------------ reading
def read_history(
    source: str | Path | bytes,
    *,
    start_column: str | None = None,
    done_column: str | None = None,
    type_column: str | None = None,
    types: Iterable[str] | None = None,
    date_format: str | None = None,
    calendar: Calendar | Mapping[str, Any] | None = None,
    name: str | None = None,
    not_started: Iterable[str] | None = None,
) -> History:
    """Read a work-item export (CSV) into a :class:`History`.

    Parameters
    ----------
    source : path or bytes
        The file, or its bytes (an upload). At most :data:`MAX_FILE_BYTES`,
        UTF-8 (a byte-order mark is fine), comma-, semicolon- or tab-separated.
    start_column, done_column, type_column : str, optional
        Column names (case and spaces do not matter). Defaults: docs/reference/history.md
        (stage layout: the second stage and the last stage; flat layout: the
        columns named like activated/started/in progress/created and
        done/closed/resolved; a column named like ``Type``).
    types : iterable of str, optional
        Item types to keep (all by default).
    date_format : str, optional
        ``ISO``, ``d.M.yyyy``, ``M/d/yyyy``, ``d/M/yyyy`` (with or without a
        time), or a ``strftime`` pattern such as ``%d-%m-%Y``. Default: detected.
    calendar : Calendar or mapping, optional
        Working days and holidays (default Monday to Friday, no holidays).
    name : str, optional
        The file name used in messages (default: the path's name).
    not_started : iterable of str, optional
        Statuses (of a ``Status`` or ``State`` column) of items that have not
        started: an item not done in one of them is not work in progress even
        with a start date (a created date, say). Default
        :data:`NOT_STARTED_STATUSES`; empty: the status column is not used.

    Raises
    ------
    HistoryError
        Naming the option, column or row of the first problem.
    """
    if isinstance(source, bytes | bytearray):
        data, src = bytes(source), name
    else:
        path = Path(source)
        src = name or path.name
        data = _read_file(path, src)
    try:
        cal = (
            calendar
            if isinstance(calendar, Calendar)
            else Calendar.model_validate(dict(calendar or {}))
        )
    except Exception as exc:  # pydantic's message names the field
        raise HistoryError(f"calendar: {exc}", source=src) from None
    try:
        return _parse(
            data, src, start_column, done_column, type_column, types, date_format, cal, not_started
        )
    except HistoryError as exc:
        raise exc.with_source(src) if src else exc from None


def _read_file(path: Path, src: str) -> bytes:
    try:
        if not path.is_file():
            raise HistoryError("not a file (or it does not exist)", source=src)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise HistoryError(
                f"the file has {size:,} bytes; at most {MAX_FILE_BYTES:,} "
                "are read (export fewer items or fewer columns)",
                source=src,
            )
        with path.open("rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise HistoryError(f"cannot read the file: {exc.strerror or exc}", source=src) from None


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise HistoryError(
            f"the file has more than {MAX_FILE_BYTES:,} bytes, the most read "
            "(export fewer items or fewer columns)"
        )
    if not data.strip():
        raise HistoryError("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise HistoryError(
            "the file is not UTF-8 text (UTF-16, or a binary file); save the export as CSV UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HistoryError(f"line {line}: not UTF-8 text; save the export as CSV UTF-8") from None


def _delimiter(text: str) -> str:
    header = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def header_columns(data: bytes) -> list[str]:
    """The column names of an export's header row, as :func:`read_history` reads them
    (its first line with text, its separator), or [] when the file cannot be read:
    what a page offers to choose from when the start and done columns are not found."""
    try:
        return [c for c in _frame(_text(data)).columns if c != "\0row"]
    except HistoryError:
        return []


def _frame(text: str) -> pd.DataFrame:
    # Blank lines before the header (some exports start with one) are not the header:
    # read from the first line with text, and number rows as the file has them.
    body = text.lstrip("\r\n")
    lead = text[: len(text) - len(body)].count("\n")
    try:
        with warnings.catch_warnings():
            # Lines that end in a separator (some exports add one) have a field more
            # than the header; index_col=False keeps the columns in place and drops
            # that unnamed field, which pandas would warn about on the user's screen.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(body),
                sep=_delimiter(text),
                dtype=str,
                na_filter=False,  # every cell is text as written: "NA" and "null" too
                skip_blank_lines=False,
                index_col=False,
                nrows=MAX_ROWS + 1,
                engine="c",
            )
    except pd.errors.EmptyDataError:
        raise HistoryError("the file is empty (no header row)") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise HistoryError(f"not a well-formed CSV file: {msg}") from None
    if len(df) > MAX_ROWS:
        raise HistoryError(
            f"more than {MAX_ROWS:,} rows: at most {MAX_ROWS:,} items are read "
            "(export a shorter period)"
        )
    if df.shape[1] > MAX_COLUMNS:
        raise HistoryError(f"{df.shape[1]:,} columns: at most {MAX_COLUMNS:,} are read")
    df.columns = [str(c).strip() for c in df.columns]
    df = df.astype(str).apply(lambda s: s.str.strip())  # na_filter=False: no NaN
    # Spreadsheet row numbers (header = 1) before blank rows are dropped, for messages.
    df.insert(0, "\0row", np.arange(2 + lead, len(df) + 2 + lead))
    blank = (df.drop(columns="\0row") == "").all(axis=1)
    return df[~blank]


#: Column names a message lists before " ..." (a wide export has hundreds).
SHOWN_COLUMNS = 30


def _shown(columns: list[str]) -> str:
    """The file's columns for a message: the first :data:`SHOWN_COLUMNS`, quoted."""
    more = " ..." if len(columns) > SHOWN_COLUMNS else ""
    return ", ".join(f"'{c}'" for c in columns[:SHOWN_COLUMNS]) + more


def _find(columns: list[str], wanted: str, option: str) -> str:
    if wanted in columns:
        return wanted
    by_norm = {_norm(c): c for c in columns}
    if _norm(wanted) in by_norm:
        return by_norm[_norm(wanted)]
    close = difflib.get_close_matches(wanted, columns, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise HistoryError(f"{option}: no column named '{wanted}'{hint} (columns: {_shown(columns)})")


def _named(
    columns: list[str], names: Iterable[str], among: Iterable[str] | None = None
) -> str | None:
    pool = list(among) if among is not None else columns
    by_norm = {}
    for c in pool:
        by_norm.setdefault(_norm(c), c)
    for n in names:
        if _norm(n) in by_norm:
            return by_norm[_norm(n)]
    return None


def _family_of(cells: pd.Series) -> str | None:
    """The first format family every cell matches, or None."""
    for fam in _DETECTED:
        if cells.str.fullmatch(_FAMILIES[fam][0]).all():
            return fam
    return None


def _only_dates(cells: pd.Series, fmt: str | None = None) -> bool:
    """Every filled cell is a date (an empty column too: a stage every item skipped),
    in any known format or in ``fmt`` when one is given."""
    filled = cells[cells != ""]
    if len(filled) == 0:
        return True
    if fmt is None:
        return _family_of(filled) is not None
    if fmt in _FAMILIES:
        return bool(filled.str.fullmatch(_FAMILIES[fmt][0]).all())
    return bool(pd.to_datetime(filled, format=fmt, errors="coerce").notna().all())


def _is_date_column(cells: pd.Series, fmt: str | None = None) -> bool:
    return bool((cells != "").any()) and _only_dates(cells, fmt)


def _resolve_format(date_format: str | None) -> str | None:
    if date_format is None or not str(date_format).strip():
        return None
    text = str(date_format).strip()
    if text in FORMATS:
        return text
    known = _FORMAT_NAMES.get(
        re.sub(r"\s+", " ", text.lower()).replace(" a", " am").replace("amm", "am")
    )
    if known:
        return known
    pattern = text if "%" in text else _java_pattern(text)
    whole = pattern is not None and all(
        any(d in pattern for d in ds) for ds in (("%Y", "%y"), ("%m", "%b", "%B"), ("%d",))
    )
    if whole:
        try:
            dt.datetime(2027, 1, 4, 13, 5, 6).strftime(pattern)
        except ValueError:
            pass
        else:
            return pattern
    raise HistoryError(
        f"date_format: '{text}' is not a known format: use one of "
        f"{', '.join(FORMATS)} (a time may follow), or a pattern such as "
        "dd/MM/yyyy HH:mm or %d-%m-%Y"
    )


def _detect_format(cells: pd.Series) -> str:
    filled = cells[cells != ""]
    fam = _family_of(filled)
    if fam is None:
        known = pd.Series(False, index=filled.index)
        for fam in _DETECTED:
            known |= filled.str.fullmatch(_FAMILIES[fam][0])
        bad = filled[~known]
        example = bad.iloc[0] if len(bad) else filled.iloc[0]
        raise HistoryError(
            f"dates are written in more than one way or in an unknown way "
            f"(e.g. '{example}'); set the date format: one of {', '.join(FORMATS)}, "
            "or a pattern such as dd/MM/yyyy HH:mm or %d-%m-%Y"
        )
    if fam == "M/d/yyyy":
        parts = filled.str.extract(r"^(\d{1,2})/(\d{1,2})/").astype(int)
        if (parts[0] > 12).any() and not (parts[1] > 12).any():
            return "d/M/yyyy"  # a first number above 12 cannot be a month
    return fam


def _parse_dates(
    cells: pd.Series, fmt: str, column: str, rows: pd.Series, ids: pd.Series
) -> np.ndarray:
    """Dates (``datetime64[D]``, NaT for empty cells); a bad cell names column and row."""
    out = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[D]")
    filled = (cells != "").to_numpy()
    if not filled.any():
        return out
    values = cells[filled]
    if fmt in _FAMILIES:
        pattern, (iy, im, iday) = _FAMILIES[fmt]
        parts = values.str.extract("^" + pattern.pattern + "$")
        ok = parts[0].notna()
        if ok.all():
            hours = pd.to_numeric(parts[3], errors="coerce")
            minutes = pd.to_numeric(parts[4], errors="coerce")
            am_pm = parts[6].notna() if 6 in parts.columns else pd.Series(False, index=parts.index)
            ok &= ~(hours > 23) & ~(minutes > 59) & ~(am_pm & ((hours > 12) | (hours < 1)))
            ymd = pd.DataFrame(
                {
                    "year": _full_years(parts[iy - 1]),
                    "month": _month_numbers(parts[im - 1]),
                    "day": parts[iday - 1].astype(int),
                }
            )
            good = (
                ymd["month"].between(1, 12)
                & ymd["day"].between(1, 31)
                & ymd["year"].between(MIN_DATE.year, MAX_DATE.year)
            )
            parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
            if good.any():
                parsed[good] = pd.to_datetime(ymd[good], errors="coerce")
            ok &= parsed.notna()
        else:
            parsed = None
    else:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce")
        ok = parsed.notna()
        ok &= parsed.dt.year.between(MIN_DATE.year, MAX_DATE.year) if ok.any() else ok
    if not ok.all():
        where = ok[~ok].index[0]
        example = "2027-01-04" if fmt == "ISO" else fmt
        raise HistoryError(
            f"column '{column}', row {rows[where]} (item {ids[where] or '?'}): "
            f"'{cells[where]}' is not a date in the format {fmt} (e.g. "
            f"{example}), or not a real date between {MIN_DATE.year} and "
            f"{MAX_DATE.year}"
        )
    out[filled] = parsed.to_numpy().astype("datetime64[D]")
    return out


def _month_numbers(cells: pd.Series) -> pd.Series:
    """Month numbers from digits or English abbreviations (``Aug``); 0 when unknown."""
    if cells.str.isdigit().all():
        return cells.astype(int)
    return cells.str.lower().map(_MONTHS).fillna(0).astype(int)


def _full_years(cells: pd.Series) -> pd.Series:
    """Years from four digits, or two (``26`` is 2026, as Jira means it)."""
    years = cells.astype(int)
    return years.where(cells.str.len() > 2, years + 2000)


def _java_pattern(text: str) -> str | None:
    """A Java-style pattern (``dd/MM/yyyy HH:mm``) as ``strftime``, or None if it is not one.

    The caller sends only text without ``%`` here and checks that the result names
    a year, a month and a day, so other characters are copied as they are.
    """
    tokens = sorted(_JAVA_TOKENS, key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        tok = next((t for t in tokens if text.startswith(t, i)), None)
        if tok is not None:
            out.append(_JAVA_TOKENS[tok])
            i += len(tok)
        elif text[i].isalpha():
            return None  # a letter no pattern knows: not a Java-style pattern
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _first_value(cell: str) -> str:
    """A multi-value cell (``[Story|Bug]``, ``Story; Bug``): its first value."""
    text = cell.strip().strip("[]").strip()
    return re.split(r"\s*[;|,]\s*", text, maxsplit=1)[0].strip() if text else ""


def _parse(
    data: bytes,
    src: str | None,
    start_column,
    done_column,
    type_column,
    types,
    date_format,
    cal: Calendar,
    not_started: Iterable[str] | None = None,
) -> History:
    df = _frame(_text(data))
    columns = [c for c in df.columns if c != "\0row"]
    if df.empty:
        raise HistoryError("the file has a header row but no items")
    rows = df["\0row"]

    id_col = _named(columns, _ID_NAMES) or columns[0]
    pos = columns.index(id_col) + 1
    while pos < len(columns) and _norm(columns[pos]) in (*_LINK_NAMES, *_NAME_NAMES):
        pos += 1
    given = _resolve_format(date_format)
    type_col = (
        _find(columns, type_column, "type_column") if type_column else _named(columns, _TYPE_NAMES)
    )
    stages: list[str] = []
    for c in columns[pos:]:
        if c == type_col or not _only_dates(df[c], given):
            break
        stages.append(c)
    # Three stages at least: with two, "the first after the first" would also be the
    # last, and every item would take one day.
    layout: Layout = "stages" if len(stages) >= 3 else "flat"
    if layout == "flat":
        stages = []
    date_cols = stages or [
        c for c in columns if c not in (id_col, type_col) and _is_date_column(df[c], given)
    ]

    if done_column:
        done_col = _find(columns, done_column, "done_column")
    elif layout == "stages":
        done_col = stages[-1]
    else:
        # By name among the date columns first; then by name anywhere, so a done
        # column with one bad date gets a message about that date, not "no column".
        others = [c for c in columns if c not in (id_col, type_col)]
        done_col = (
            _named(columns, _DONE_WORDS, date_cols)
            or _named(columns, _DONE_WORDS, others)
            or (date_cols[-1] if date_cols else None)
        )
    if start_column:
        start_col = _find(columns, start_column, "start_column")
    elif layout == "stages":
        start_col = stages[1]
    else:
        start_col = (
            _named(columns, _START_WORDS, [c for c in date_cols if c != done_col])
            or _named(columns, _START_WORDS, [c for c in others if c != done_col])
            or next((c for c in date_cols if c != done_col), None)
        )
    if done_col is None or start_col is None:
        raise HistoryError(
            "found no start and done date columns (columns: "
            f"{_shown(columns)}); name them with start_column and done_column"
        )

    name_col = _named(columns, _NAME_NAMES)
    waiting = NOT_STARTED_STATUSES if not_started is None else tuple(not_started)
    waiting_words = {str(w).strip().lower() for w in waiting if str(w).strip()}
    status_col = _named(columns, _STATUS_NAMES) if waiting_words else None
    ids = df[id_col]
    # The start date is the earliest date in the start column or any later stage up to
    # the done column (stages can be skipped); flat: the start or, if missing, done.
    if (
        layout == "stages"
        and start_col in stages
        and done_col in stages
        and stages.index(start_col) <= stages.index(done_col)
    ):
        span = stages[stages.index(start_col) : stages.index(done_col) + 1]
    else:
        span = [start_col, done_col] if start_col != done_col else [done_col]
    fmt = given
    if fmt is None:
        fmt = _detect_format(pd.concat([df[c] for c in dict.fromkeys([*span, *stages])]))
    parsed = {c: _parse_dates(df[c], fmt, c, rows, ids) for c in dict.fromkeys(span)}
    done = parsed[done_col]
    start = np.min(
        np.stack(
            [np.where(np.isnat(parsed[c]), np.datetime64("9999-12-31"), parsed[c]) for c in span]
        ),
        axis=0,
    )
    start = np.where(start == np.datetime64("9999-12-31"), np.datetime64("NaT"), start)
    late, start_cols = _done_before_start(parsed, span, done_col)
    created_col = _named(columns, _CREATED_NAMES)
    early = np.zeros(len(df), dtype=bool)
    if created_col is not None and created_col not in (*span, start_col):
        created = _lenient_dates(df[created_col], fmt, created_col, rows, ids)
        early = ~np.isnat(created) & ~np.isnat(done) & (done < created)

    type_values = df[type_col].map(_first_value) if type_col else pd.Series("", index=df.index)
    items = pd.DataFrame(
        {
            "row": rows.to_numpy(),
            "id": ids.to_numpy(),
            "name": df[name_col].to_numpy() if name_col else "",
            "type": type_values.to_numpy(),
            "start": pd.to_datetime(start),
            "done": pd.to_datetime(done),
        }
    )
    waits = (
        df[status_col].str.strip().str.lower().isin(waiting_words).to_numpy()
        if status_col
        else np.zeros(len(items), dtype=bool)
    )
    # An id names one item whatever its type: duplicates go before the types filter.
    keep, duplicates = _duplicates(ids, id_col)
    items = items.assign(late=late, early=early)[keep]
    waits = waits[keep]
    if types is not None:
        wanted = [str(t).strip() for t in types if str(t).strip()]
        if type_col is None:
            raise HistoryError("types: the file has no type column (name it with type_column)")
        present = list(dict.fromkeys(items["type"]))
        lower = {t.lower(): t for t in present}
        missing = [t for t in wanted if t.lower() not in lower]
        if missing:
            raise HistoryError(
                f"types: no item of type '{missing[0]}' (types in the file: "
                f"{', '.join(t for t in present if t) or 'none'})"
            )
        keep = {lower[t.lower()] for t in wanted}
        waits = waits[items["type"].isin(keep).to_numpy()]
        items = items[items["type"].isin(keep)]
    busdays = _busdays(cal)
    s = _roll(items["start"].to_numpy("datetime64[D]"), busdays)
    d = _roll(items["done"].to_numpy("datetime64[D]"), busdays)
    is_done = ~np.isnat(d)
    ct = np.full(len(items), np.nan)
    if is_done.any():
        ct[is_done] = np.busday_count(s[is_done], d[is_done], busdaycal=busdays) + 1
    items = items.assign(
        status=np.where(
            is_done, "done", np.where(np.isnat(s) | waits, "not_started", "in_progress")
        ),
        cycle_time=ct,
    ).reset_index(drop=True)
    if items.empty:
        raise HistoryError("no items left after the types filter")
    labels = _labels(items["id"], items["row"])
    late_f = _date_finding("done_before_start", items["late"], labels, start_cols, done_col)
    created_cols = (created_col,) if created_col and early.any() else ()
    early_f = _date_finding("done_before_created", items["early"], labels, created_cols, done_col)
    quality = tuple(f for f in (duplicates, late_f, early_f) if f is not None)
    items = items.drop(columns=["late", "early"])
    cols = Columns(
        layout=layout,
        id=id_col,
        start=start_col,
        done=done_col,
        type=type_col,
        name=name_col,
        stages=tuple(stages),
        date_format=fmt,
        status=status_col,
    )
    return History(
        items=items,
        columns=cols,
        calendar=cal,
        source=src,
        all_columns=tuple(columns),
        quality=quality,
    )


def _done_before_start(
    parsed: dict[str, np.ndarray], span: list[str], done_col: str
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Items whose every start date (the start column and the stages after it up to
    done) is after the done date, and those start columns."""
    before = [c for c in span if c != done_col]
    done = parsed[done_col]
    if not before:
        return np.zeros(len(done), dtype=bool), ()
    dates = np.stack([parsed[c] for c in before])
    seen = ~np.isnat(dates)
    earliest = np.min(np.where(seen, dates, np.datetime64("9999-12-31")), axis=0)
    return seen.any(axis=0) & ~np.isnat(done) & (earliest > done), tuple(before)


def _lenient_dates(
    cells: pd.Series, fmt: str, column: str, rows: pd.Series, ids: pd.Series
) -> np.ndarray:
    """A column read only for a check (a created date): its dates, or all NaT when a
    cell is not a date in the file's format (the check is then skipped, not the file)."""
    try:
        return _parse_dates(cells, fmt, column, rows, ids)
    except HistoryError:
        return np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[D]")
