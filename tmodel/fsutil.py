"""Writing a user's files safely: the one writer every command uses (models, exports, imports).

``atomic_write_text`` / ``atomic_write_bytes`` write a temp file in the target's own folder, fsync
it, give it the old file's mode, owner and extended attributes, and ``os.replace`` it over the
target, then fsync the folder. A reader (or a crash, or ``kill -9``) sees the old file or the new
one, never half of one. Beyond the bare rename:

- a symlink is written *through*: the link stays, its target gets the new content;
- a read-only file is refused (``os.replace`` would silently replace it) and kept;
- a missing folder, a full disk or a folder we may not write in raise ``WriteError`` with a
  message that says so and that the original is unchanged (``problem`` turns it into a
  located ``Problem``);
- temp files are named ``.tmodel-<pid>-<random>.tmp``; one left behind by a killed process is
  removed by the next write into that folder (only ours: the pid must be dead).

Hard links are not kept: the target name gets a new inode (atomicity wins; the other names keep
the old content, nothing is lost).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time

from tmodel.problems import Problem

TEMP_PREFIX = ".tmodel-"
TEMP_SUFFIX = ".tmp"
_OURS = re.compile(r"^\.tmodel-(?:(\d+)-)?[A-Za-z0-9_]+\.tmp$")
_OLD_TEMP_AGE = 3600  # seconds: a temp without a pid (older tmodel versions) is stale after an hour


class WriteError(OSError):
    """A write that did not happen; the original file (if any) is unchanged."""

    def __init__(self, path: str, message: str, hint: str = ""):
        super().__init__(message)
        self.path = path
        self.message = message
        self.hint = hint
        self.strerror = message

    def problem(self) -> Problem:
        return Problem(self.path, 0, 0, self.message, self.hint, code="write")


def problem(path: str, exc: OSError) -> Problem:
    """A located problem for a failed write (``WriteError`` or a plain ``OSError``)."""
    if isinstance(exc, WriteError):
        return exc.problem()
    return _explain(path, exc).problem()


def atomic_write_text(path: str, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see the module's docstring."""
    atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def atomic_write_bytes(path: str, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; see the module's docstring. Raises ``WriteError``.

    ``exclusive``: create a new file only; ``FileExistsError`` when ``path`` exists, even when it
    appears while writing (the temp file is linked into place, which never replaces a file)."""
    target = os.path.realpath(path)  # through symlinks (a dangling one: creates its target)
    folder = os.path.dirname(target)
    try:
        folder_is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except FileNotFoundError:
        folder_is_dir = False
    except OSError as exc:  # a folder we may not enter
        raise _explain(path, exc) from None
    if not folder_is_dir:
        raise WriteError(path, f"the folder {os.path.dirname(os.path.abspath(path)) or '.'} does not exist; nothing was written",
                         "create the folder first, or choose another output path")
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _explain(path, exc) from None
    if st is not None and exclusive:
        raise FileExistsError(path)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(path, "this is not a regular file (a folder, device or pipe); nothing was written",
                             "choose a regular file to write")
        if not os.access(target, os.W_OK):
            raise WriteError(path, "the file is read-only; it was not changed",
                             "make it writable (chmod u+w) if you mean to replace it, or write elsewhere")
    clean_stale_temps(folder)
    tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}{TEMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _explain(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _copy_metadata(st, target, tmp)
        if exclusive:
            os.link(tmp, target)  # FileExistsError if a file appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, (WriteError, FileExistsError)):
            raise _explain(path, exc) from None
        raise
    _fsync_folder(folder)


def atomic_write(path: str, data: str | bytes) -> None:
    """``atomic_write_text`` or ``atomic_write_bytes`` by the type of ``data``."""
    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)


def clean_stale_temps(folder: str) -> list[str]:
    """Remove temp files of ours left in ``folder`` by a process that died mid-write."""
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        m = _OURS.match(name)
        if not m:
            continue
        full = os.path.join(folder, name)
        pid = m.group(1)
        if pid is not None:
            if int(pid) == os.getpid() or _alive(int(pid)):
                continue
        else:
            try:
                if now - os.lstat(full).st_mtime < _OLD_TEMP_AGE:
                    continue
            except OSError:
                continue
        try:
            os.unlink(full)
            removed.append(full)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's live process (or a number we cannot test): leave it
    return True


def _copy_metadata(st: os.stat_result | None, target: str, tmp: str) -> None:
    """Give the temp file the old file's mode, owner and extended attributes (new files: 0666 - umask)."""
    if st is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, st.st_mode & 0o7777)
    if hasattr(os, "chown"):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:  # only root may give a file away; a group we are not in is refused too
            try:
                os.chown(tmp, -1, st.st_gid)
            except OSError:
                pass
    if hasattr(os, "listxattr"):
        try:
            for name in os.listxattr(target):
                try:
                    os.setxattr(tmp, name, os.getxattr(target, name))
                except OSError:
                    pass
        except OSError:
            pass


def _fsync_folder(folder: str) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on folders
        pass


def _explain(path: str, exc: OSError) -> WriteError:
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return WriteError(path, "the disk is full; nothing was written and the original is unchanged",
                          "free some space and run the command again")
    if code in (errno.EACCES, errno.EPERM):
        return WriteError(path, "permission denied writing this file or its folder; the original is unchanged",
                          "check the permissions of the file and of its folder (a temp file is created next to it)")
    if code == errno.EROFS:
        return WriteError(path, "the file system is read-only; nothing was written", "write to another location")
    if code == errno.ENOENT:
        return WriteError(path, "the folder does not exist; nothing was written", "create the folder first, or choose another path")
    return WriteError(path, f"cannot write the file: {exc.strerror or exc}; the original is unchanged", "")
