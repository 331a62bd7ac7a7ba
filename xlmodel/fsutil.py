"""Atomic file writes: a half-written file never replaces a good one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import XlmodelError


def _target(path: Path) -> Path:
    """The file a write to ``path`` may replace: ``path`` itself, or a symlink's target.

    A symlink is followed (the link stays, its target gets the new content);
    anything that is not an ordinary file (a device such as /dev/full, a FIFO,
    a folder, a socket) is refused, so that ``--force`` can never turn it into
    a file.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as e:
        raise XlmodelError(f"{path}: cannot be checked ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        real = Path(os.path.realpath(path))
        if real.exists() or real.is_symlink():
            return _target(real)
        return real  # a dangling link: write the file it names
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise XlmodelError(f"{path} is {kind}; xlmodel only ever replaces ordinary files")
    return path


def write_atomic(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Refuses to replace an existing file unless ``force``: the check and the
    rename are as close together as the OS allows (``os.link`` fails if the
    target appeared meanwhile). Only an ordinary file is ever replaced (a
    symlink's target is written, the link kept); an OS failure (a read-only
    folder, a full disk, a name too long) is one :class:`XlmodelError` line
    and leaves nothing behind.
    """
    path = _target(Path(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise XlmodelError(f"{path}: folder {folder} does not exist")
    try:
        _write(path, folder, data, force)
    except (FileExistsError, XlmodelError):
        raise
    except OSError as e:
        raise XlmodelError(f"{path}: cannot be written ({e.strerror or e})") from None


def _write(path: Path, folder: Path, data: bytes, force: bool) -> None:
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
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError if path exists: never overwrite
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
