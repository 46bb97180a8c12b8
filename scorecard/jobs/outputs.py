"""Outputs that lose nothing: the path guard, the lock, staged writes and the manifest.

Every job that writes goes through here:

* ``guard`` resolves every path of a run and refuses (``OutputError``, one line) an output that is an
  input or another output of the same run, a file output that is a folder, a folder output that is a
  file, and an input or foreign output inside a folder the run replaces;
* ``Run`` holds the run's locks (one per output file or folder, taken without waiting: a second run
  into the same place refuses) and its staged files: each output is written under a temporary name
  in its own folder and moved into place (``os.replace``) only when the whole run succeeded, with
  the manifest (counts, the model's SHA-256) written last. A run that fails or is interrupted
  removes what it staged; a run killed outright leaves temporary names that the next run into the
  same place removes, under the same lock. Signals are held back while files are moved into place.

A folder that is built as a whole (``site``) is staged beside itself, under a hidden temporary name
on the same file system, and swapped into place at the end: the folder there before (one the
command owns: its marker file) is renamed away, the new one renamed in, the old one removed. A run
killed between those two renames leaves the old folder under ``.<name>.replaced-<token>``; the next
run into the same place puts it back before anything else.

A folder of records is complete when its ``manifest.json`` is there; a file output is complete when
its ``<stem>.manifest.json`` is (``score``), or, for a single file (spec, SQL, demo data), when it
exists at all: it appears in one rename.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping

from scorecard.errors import OutputError

try:
    import fcntl  # POSIX: elsewhere runs are not locked against each other
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST = "manifest.json"
MANIFEST_SUFFIX = ".manifest.json"
LOCK_NAME = ".scorecard.lock"
PART = ".part-"  # temporary names: .<stem>.part-<token><suffix>; staged folders: .part-<token>
REPLACED = ".replaced-"  # a swapped folder's previous self, until it is removed: .<name>.replaced-<token>


# --- the path guard -----------------------------------------------------------------------------


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def _same(a: Path, b: Path) -> bool:
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links, a case-insensitive file system
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return _resolved(folder) in _resolved(path).parents


def guard(*, inputs: Mapping[str, Path | None], files: Mapping[str, Path | None] = {},
          folders: Mapping[str, Path | None] = {}, allowed_inside: Mapping[str, Path | None] = {}) -> None:
    """Refuse a run whose outputs would overwrite its inputs or each other.

    ``inputs``, ``files`` (file outputs) and ``folders`` (folder outputs the run replaces) map an
    option name (``--data``) to its path. ``allowed_inside`` names the file outputs that may sit in
    an output folder because the folder's run writes exactly them (explain's default rejects).
    """
    given_inputs = {k: Path(v) for k, v in inputs.items() if v is not None}
    given_files = {k: Path(v) for k, v in files.items() if v is not None}
    given_folders = {k: Path(v) for k, v in folders.items() if v is not None}
    for option, path in given_files.items():
        if path.is_dir():
            raise OutputError(f"{option} {path}: is a folder; give a file name")
        if path.name in ("", ".", ".."):
            raise OutputError(f"{option} {path}: give a file name, not a folder")
    for option, path in given_folders.items():
        if path.exists() and not path.is_dir():
            raise OutputError(f"{option} {path}: is a file; give a folder (new, or one this command wrote before)")
    outputs = {**given_files, **given_folders}
    for out_option, out in outputs.items():
        for in_option, source in given_inputs.items():
            if _same(out, source):
                raise OutputError(f"{out_option} {out} is also the input {in_option}; write to another path, "
                                  "the input would be lost")
    names = list(outputs.items())
    for i, (first_option, first) in enumerate(names):
        for second_option, second in names[i + 1:]:
            if _same(first, second):
                raise OutputError(f"{first_option} and {second_option} name the same path {first}; give each "
                                  "output its own path")
    for folder_option, folder in given_folders.items():
        for in_option, source in given_inputs.items():
            if _inside(source, folder):
                raise OutputError(f"{in_option} {source} is inside {folder_option} {folder}, which this run "
                                  "replaces; move the input or write to another folder")
        for file_option, path in given_files.items():
            allowed = allowed_inside.get(file_option)
            if _inside(path, folder) and not (allowed is not None and _same(path, allowed)):
                raise OutputError(f"{file_option} {path} is inside {folder_option} {folder}, which this run "
                                  f"fills with its own files; put {file_option} outside {folder} (or leave it out)")


def check_owned(folder: Path, marker: str, command: str) -> None:
    """Refuse (``OutputError``) a folder ``command`` may not replace: one that is not empty and holds
    no ``marker`` (written the first time ``command`` wrote there). A missing folder is fine."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; give a folder (new, or one 'scorecard {command}' wrote before)")
    if folder.is_dir() and not (folder / marker).exists():
        if any(entry.name != LOCK_NAME for entry in folder.iterdir()):
            raise OutputError(f"{folder}: the folder is not empty and was not written by 'scorecard {command}'; "
                              "choose a new or empty folder (the command writes only into a folder it owns)")


def owned_folder(folder: Path, marker: str, command: str) -> None:
    """Create ``folder`` for ``command`` or check that it may be replaced: empty, or holding
    ``marker`` (written the first time ``command`` wrote there). Never deletes anything itself."""
    folder = Path(folder)
    check_owned(folder, marker, command)
    folder.mkdir(parents=True, exist_ok=True)
    marker_path = folder / marker
    if not marker_path.exists():
        marker_path.write_text(f"written by scorecard {command}; the next run into this folder replaces its files\n",
                               encoding="utf-8")


# --- one run: locks, staged files, the manifest -------------------------------------------------


def _lock_path(target: Path, *, folder: bool) -> Path:
    return target / LOCK_NAME if folder else target.parent / f".{target.name}.lock"


def temporary_name(final: Path, token: str) -> Path:
    """Where ``final`` is staged: a hidden name in the same folder (so the move is a rename) that
    keeps the suffix (engines pick the format by it)."""
    return final.with_name(f".{final.stem}{PART}{token}{final.suffix}")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while files are moved into place (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Run:
    """The outputs of one command run. Use as a context manager: on an error or an interrupt, the
    staged files are removed and nothing is moved into place; ``commit`` moves them and writes the
    manifest last."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._locks: list[tuple[int, Path]] = []
        self._staged: list[tuple[Path, Path]] = []  # (temporary, final), in the order they are moved
        self._folders: list[Path] = []  # staged folders to remove at the end
        self._replaced: list[tuple[Path, Path]] = []  # (staged folder, final folder): its entries replace the folder's
        self._swapped: list[tuple[Path, Path, str]] = []  # (staged folder, final folder, its marker): swapped whole
        self._retired: list[Path] = []  # folders swapped out, removed once the new ones are in place

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # locks

    def lock(self, target: Path, *, folder: bool = False) -> None:
        """Take the lock of an output (a file, or a folder that exists); refuse when another run holds
        it. Then remove what an earlier, killed run left under temporary names there."""
        target = Path(target)
        if folder:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        path = _lock_path(target, folder=folder)
        if fcntl is not None:
            while True:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(fd)
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    holder = _read_pid(path)
                    raise OutputError(f"{target}: another scorecard run{holder} is writing there; wait for it to "
                                      "finish or choose another --out") from None
                try:
                    same = os.fstat(fd).st_ino == os.stat(path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    break
                os.close(fd)  # the holder removed the file as we opened it: take the new one
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            self._locks.append((fd, path))
        self.clean(target.parent if not folder else target, None if folder else target)

    def clean(self, folder: Path, final: Path | None) -> None:
        """Remove temporary names of earlier runs: of ``final`` only, or everything staged in ``folder``.
        A folder an earlier run swapped out and did not get to replace goes back to ``final`` first."""
        if not folder.is_dir():
            return
        if final is not None:
            retired = sorted(folder.glob(f".{final.name}{REPLACED}*"))
            if retired and not os.path.lexists(final):
                os.rename(retired.pop(), final)  # killed between the two renames of a swap: the old folder back
            for stale in retired:
                shutil.rmtree(stale, ignore_errors=True)
        pattern = f".{final.stem}{PART}*{final.suffix}" if final is not None else f".*{PART}*"
        for stale in folder.glob(pattern):
            if self.token in stale.name:
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
        if final is None:
            for stale in folder.glob(f"{PART}*"):
                if self.token not in stale.name:
                    shutil.rmtree(stale, ignore_errors=True)

    # staged files

    def file(self, final: Path) -> Path:
        """A temporary name for ``final`` in its folder; moved to ``final`` by ``commit``."""
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_name(final, self.token)
        self._staged.append((temporary, final))
        return temporary

    def folder(self, final: Path) -> Path:
        """A staged folder inside the owned folder ``final``: at ``commit`` the earlier contents of
        ``final`` (all but hidden names) are removed and the staged entries moved in."""
        staged = Path(final) / f"{PART}{self.token}"
        staged.mkdir(parents=True)
        self._folders.append(staged)
        self._replaced.append((staged, Path(final)))
        return staged

    def swap(self, final: Path, *, marker: str) -> Path:
        """A staged folder beside ``final`` (a hidden name in the same parent folder, so on the same file
        system) that replaces ``final`` as a whole at ``commit``. ``final`` must then be missing, empty
        or hold ``marker``; the staged folder should hold ``marker`` too, so the next run may replace it."""
        final = Path(final)
        staged = temporary_name(final, self.token)
        staged.mkdir(parents=True)
        self._folders.append(staged)
        self._swapped.append((staged, final, marker))
        return staged

    def commit(self, manifest: Path | None = None, content: Mapping[str, Any] | None = None) -> None:
        """Move every staged output into place, then write the manifest (last)."""
        for _, final, marker in self._swapped:
            check_owned(final, marker, self.command)  # again: the folder may have changed while we worked
        with _signals_held():
            if manifest is not None:
                with contextlib.suppress(FileNotFoundError):
                    manifest.unlink()  # from here on nothing looks complete until the new one is written
            for staged, final in self._replaced:
                for old in final.iterdir():
                    if old.name.startswith(".") or old == staged:
                        continue
                    if old.is_dir() and not old.is_symlink():
                        shutil.rmtree(old)
                    else:
                        old.unlink()
                entries = sorted(staged.iterdir(), key=lambda p: (p.suffix == ".csv", p.name))  # summary, rejects last
                for entry in entries:
                    os.replace(entry, final / entry.name)
            for staged, final, _ in self._swapped:
                retired = None
                if os.path.lexists(final):
                    retired = final.with_name(f".{final.name}{REPLACED}{self.token}")
                    os.rename(final, retired)
                try:
                    os.rename(staged, final)
                except OSError:
                    if retired is not None:
                        os.rename(retired, final)  # the old folder back where it was, never removed
                    raise
                if retired is not None:
                    self._retired.append(retired)
                self._folders.remove(staged)
            self._swapped.clear()
            for temporary, final in self._staged:
                os.replace(temporary, final)
            self._staged.clear()
            if manifest is not None and content is not None:
                temporary = temporary_name(manifest, self.token)
                temporary.write_text(json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
                os.replace(temporary, manifest)
        self._remove_retired()

    def _remove_retired(self) -> None:
        for retired in self._retired:
            if retired.is_dir() and not retired.is_symlink():
                shutil.rmtree(retired, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    retired.unlink()
        self._retired.clear()

    def close(self) -> None:
        """Remove whatever is still staged; release the locks (the lock files go too)."""
        for temporary, _ in self._staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        self._staged.clear()
        for staged in self._folders:
            shutil.rmtree(staged, ignore_errors=True)
        self._folders.clear()
        self._swapped.clear()
        self._remove_retired()
        for fd, path in reversed(self._locks):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # while still holding it: a run that opened the old file retries on the new one
            os.close(fd)
        self._locks.clear()


def _read_pid(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


def manifest_path(out: Path) -> Path:
    """The manifest of a file output: ``<stem>.manifest.json`` next to it."""
    return Path(out).with_name(Path(out).stem + MANIFEST_SUFFIX)
