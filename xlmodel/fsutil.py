"""Atomic file writes: a half-written file never replaces a good one.

Three rules for links (docs/limits.md, "Files, folders and links"): a path the user typed may be a
symlink to an existing ordinary file, whose target then gets the new content
(the link stays); a dangling link (its target missing) is an existing file,
refused without ``--force`` and with it replaced itself, never written through
(which would create a file wherever the link points); a name xlmodel derives inside a folder (``main.py`` in ``xlmodel lite
-o DIR``) never follows a link, so that handing over a folder cannot turn a
write into an overwrite of any file the link names.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from .errors import XlmodelError

__all__ = ["write_atomic", "write_files", "check_target"]


def _target(path: Path, follow: bool = True) -> Path:
    """The file a write to ``path`` may replace: ``path`` itself, or a symlink's target (``follow``).

    A symlink to an existing file is followed (the link stays, its target gets
    the new content), or refused when not ``follow``; a dangling symlink is
    the path itself (an existing file: the link is what ``--force`` replaces);
    anything that is not an ordinary file (a
    device such as /dev/full, a FIFO, a folder, a socket) is refused, so that
    ``--force`` can never turn it into a file.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as e:
        raise XlmodelError(f"{path}: cannot be checked ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        if not follow:
            raise XlmodelError(
                f"{path} is a symbolic link; xlmodel never writes through a link to a file it names "
                "inside a folder (remove the link, or choose another folder)"
            )
        real = Path(os.path.realpath(path))
        if real.exists():
            return _target(real)
        return path  # a dangling link (or a loop): the link itself, never the file it names
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise XlmodelError(f"{path} is {kind}; xlmodel only ever replaces ordinary files")
    return path


def check_target(path, force: bool = False, follow: bool = True) -> Path:
    """The file a write to ``path`` would replace, checked before any work: raises :class:`XlmodelError` (a
    missing folder, a link not to be followed, a folder or device in the way) or :class:`FileExistsError`
    (an existing file without ``force``). Nothing is written."""
    path = _target(Path(path), follow)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise XlmodelError(f"{path}: folder {folder} does not exist")
    if not force and (path.exists() or path.is_symlink()):
        raise FileExistsError(str(path))
    return path


def write_atomic(path: Path, data: bytes, force: bool = False, follow: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Refuses to replace an existing file unless ``force``: the check and the
    rename are as close together as the OS allows (``os.link`` fails if the
    target appeared meanwhile). Only an ordinary file is ever replaced (a
    live symlink's target is written, the link kept; a dangling symlink is
    replaced itself; with ``follow`` False a symlink is refused); an OS failure (a read-only folder, a full disk, a
    name too long) is one :class:`XlmodelError` line and leaves nothing behind.
    """
    write_files({Path(path): data}, force=force, follow=follow)


def write_files(files: dict, force: bool = False, follow: bool = True) -> None:
    """Write several files all or nothing: every target checked, every content written to a temporary file
    beside it, and only then each put in place.

    A target that cannot be written is refused before anything is written; a
    failure while putting the files in place restores what was there (the
    files already replaced get their old content back, the new ones are
    removed). ``follow``: as :func:`write_atomic`; the names a command derives
    inside a folder pass ``follow=False``.
    """
    targets = []
    for p, data in files.items():
        path = check_target(p, force=True, follow=follow)  # an existing file is refused below, per file
        targets.append((path, path.parent if str(path.parent) else Path("."), data))
    if not force:
        existing = [p for p, _, _ in targets if p.exists() or p.is_symlink()]
        if existing:
            raise FileExistsError(str(existing[0]))
    temps: list[str] = []
    where = targets[0][0]
    try:
        for path, folder, data in targets:
            where = path
            temps.append(_temporary(path, folder, data))
        _put_in_place([(tmp, path) for tmp, (path, _, _) in zip(temps, targets)], force)
    except (FileExistsError, XlmodelError):
        raise
    except OSError as e:
        raise XlmodelError(f"{where}: cannot be written ({e.strerror or e})") from None
    finally:
        for tmp in temps:
            if os.path.lexists(tmp):
                os.unlink(tmp)


def _temporary(path: Path, folder: Path, data: bytes) -> str:
    """``data`` in a new temporary file beside ``path``, with the mode a normal write would give it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a normal write would
        # (an overwritten file keeps its own mode).
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return tmp


def _backup(path: Path) -> str | None:
    """A second name (a hard link) for the file at ``path``, so that its content can be put back; None when
    there is no file, or the file system has no hard links (then a failed move cannot be undone)."""
    if not os.path.lexists(path):
        return None
    for _ in range(100):
        backup = os.path.join(path.parent, f".{path.name[:100]}.{secrets.token_hex(6)}.old")
        try:
            os.link(path, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


def _put_in_place(moves: list[tuple[str, Path]], force: bool) -> None:
    """Rename each temporary file onto its target; on a failure, undo the moves already made."""
    done: list[tuple[Path, bool, str | None]] = []  # (target, existed before, backup of its old content)
    try:
        for tmp, path in moves:
            existed = os.path.lexists(path)
            backup = _backup(path) if force and existed and len(moves) > 1 else None
            try:
                if force:
                    os.replace(tmp, path)
                else:
                    os.link(tmp, path)  # FileExistsError if path exists: never overwrite
                    os.unlink(tmp)
            except BaseException:
                if backup is not None:
                    os.unlink(backup)
                raise
            done.append((path, existed, backup))
    except BaseException:
        for path, existed, backup in reversed(done):
            if backup is not None:
                os.replace(backup, path)
            elif not existed and os.path.lexists(path):
                os.unlink(path)
        raise
    finally:
        for _, _, backup in done:
            if backup is not None and os.path.lexists(backup):
                os.unlink(backup)
