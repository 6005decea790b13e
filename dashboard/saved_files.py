"""Saving scenarios the user made: safe names, atomic writes, no silent overwrite.

Files go to ``scenarios/user/`` (or the folder in the ``SCENARIO_USER_DIR``
environment variable). The library (``scenarios/*.yaml``) is never written:
a save aimed at it is refused. A write goes to a temporary file in the same
folder first, is flushed to disk, then renamed over the target in one step
(``os.replace``), so a crash leaves either the old file or the new one, never
half of one. Without ``overwrite=True`` an existing file is never replaced,
even if it appears between the check and the write.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from simulation.scenario.library import LIBRARY_DIR

#: Environment variable naming the folder for saved scenarios.
USER_DIR_ENV = "SCENARIO_USER_DIR"
#: Default folder for saved scenarios (ignored by git).
DEFAULT_USER_DIR = LIBRARY_DIR / "user"
#: Longest file stem kept, in characters.
MAX_STEM = 80
SUFFIX = ".yaml"
#: Between a saved scenario's stem and a variant's in a variant file's name.
VARIANT_SEPARATOR = "--"


class SaveRefused(Exception):
    """The save was not done; the message says why in words for the page."""


class FileExists(SaveRefused):
    """The target exists and overwriting was not confirmed."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"'{path.name}' already exists; tick 'Overwrite' to replace it")


def user_dir() -> Path:
    """The folder saves go to: ``$SCENARIO_USER_DIR`` or ``scenarios/user``."""
    env = os.environ.get(USER_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_USER_DIR


def safe_filename(name: str) -> str:
    """A file name made only of letters, digits, ``-`` and ``_``, ending in ``.yaml``.

    Accents are folded to plain letters, spaces and dots become ``-``, anything
    else is dropped, and a name with nothing left becomes ``scenario.yaml``.
    ``../etc/passwd`` -> ``etc-passwd.yaml``.

    >>> safe_filename("Q3 plan: add réal-time!")
    'Q3-plan-add-real-time.yaml'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.strip()
    if text.lower().endswith(SUFFIX):
        text = text[: -len(SUFFIX)]
    text = re.sub(r"[\s./\\:]+", "-", text)
    text = re.sub(r"[^A-Za-z0-9_-]", "", text)
    text = re.sub(r"-{2,}", "-", text).strip("-_")[:MAX_STEM].strip("-_")
    return (text or "scenario") + SUFFIX


def _is_library(folder: Path) -> bool:
    try:
        return folder.resolve() == LIBRARY_DIR.resolve()
    except OSError:
        return False


def target_path(name: str, folder: Path | None = None) -> Path:
    """Where a save under ``name`` would go (the sanitised name in the user folder)."""
    return (folder or user_dir()) / safe_filename(name)


def save_text(text: str, name: str, folder: Path | None = None, overwrite: bool = False) -> Path:
    """Write ``text`` atomically to ``<folder>/<safe name>.yaml`` and return the path.

    Parameters
    ----------
    text : str
        The file content (a scenario as YAML).
    name : str
        What the user typed; sanitised with :func:`safe_filename`.
    folder : Path, optional
        Default :func:`user_dir`. Created if missing; never the library folder.
    overwrite : bool
        Replace an existing file. Without it an existing file raises
        :class:`FileExists` and is left untouched.

    Raises
    ------
    SaveRefused
        The folder is the library, or the file could not be written (the
        message says why); :class:`FileExists` when the name is taken.
    """
    return save_file(text, safe_filename(name), folder, overwrite)


def variant_filename(base_name: str, variant_name: str) -> str:
    """The file a What-if variant of a saved scenario goes to: ``<base>--<variant>.yaml``.

    Both parts are sanitised like :func:`safe_filename`; the ``--`` (which a
    sanitised name never holds) ties the variant to its base, so loading the
    base finds it.

    >>> variant_filename("Q3 plan", "Add réal-time")
    'Q3-plan--Add-real-time.yaml'
    """
    return (
        safe_filename(base_name)[: -len(SUFFIX)] + VARIANT_SEPARATOR + safe_filename(variant_name)
    )


def variant_files(base: Path) -> list[Path]:
    """The variant files saved beside the file ``base`` (``<stem>--*.yaml``), in save order.

    Save order is the order of their modification times (each is written in
    turn), ties broken by name.
    """
    if not base.parent.is_dir():
        return []
    prefix = base.stem + VARIANT_SEPARATOR
    files = [
        p
        for p in base.parent.glob(f"*{SUFFIX}")
        if p.is_file() and p.name.startswith(prefix) and len(p.stem) > len(prefix)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def save_file(
    text: str, file_name: str, folder: Path | None = None, overwrite: bool = False
) -> Path:
    """Like :func:`save_text`, for a file name that is already safe (see
    :func:`variant_filename`); anything else in it is refused."""
    folder = folder or user_dir()
    if not file_name.endswith(SUFFIX) or not re.fullmatch(
        r"[A-Za-z0-9_-]+", file_name[: -len(SUFFIX)]
    ):
        raise SaveRefused(f"'{file_name}' is not a safe file name")
    if _is_library(folder):
        raise SaveRefused("the scenario library is read-only; save into your own folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SaveRefused(f"cannot create the folder {folder} ({exc.strerror})") from None
    path = folder / file_name
    if path.exists() and not overwrite:
        raise FileExists(path)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".saving-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except FileExists:
        raise
    except OSError as exc:
        raise SaveRefused(f"could not write {path.name} ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_folder(folder)
    return path


def _place_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist (no race window).

    A hard link fails if the target exists, atomically; filesystems without
    hard links fall back to check-then-replace.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExists(path) from None
    except OSError:
        if path.exists():
            raise FileExists(path) from None
        os.replace(tmp, path)


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry so the rename survives a power cut (POSIX only)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def list_saved(folder: Path | None = None) -> list[Path]:
    """Saved scenario files, newest first."""
    folder = folder or user_dir()
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob(f"*{SUFFIX}") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)
