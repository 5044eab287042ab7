"""Writing files so that an interrupted run never leaves a half-written one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 for a new file or stream.

    Text read from a .bib file with bytes that are not UTF-8 keeps them as lone
    surrogates (so that the file can be written back byte for byte); a new
    document cannot carry them, so each such byte becomes U+FFFD. The validator
    reports the bytes (B109) with their place in the .bib file.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace").encode("utf-8")


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of ``path``; an :class:`OSError` always names ``path``.

    Some failures (reading ``/proc/self/mem``, a device error) come without a
    file name, which would leave the user guessing which file failed.
    """
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _named(exc, path) from exc


def _named(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """``exc`` naming ``path`` (the same error class, errno and message)."""
    if exc.errno is None:
        return OSError(f"{os.fspath(path)}: {exc}")
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), os.fspath(path))


def atomic_write(path: str | os.PathLike[str], data: bytes, *, make_dirs: bool = False) -> None:
    """Replace ``path`` with ``data`` in one step.

    The bytes go to a temporary file in the same directory, are flushed to disk,
    and the temporary file is renamed over the target, so readers see the old
    file or the new one, never a mix. An existing file keeps its permission bits;
    a new one gets 0o644. With ``make_dirs`` missing parent directories are
    created; a symlink is followed. An :class:`OSError` names ``path``, never
    the temporary file.
    """
    try:
        _atomic_write(path, data, make_dirs=make_dirs)
    except OSError as exc:
        # An error about a parent directory names it; any other names ``path``,
        # never the temporary file.
        parents = {os.fspath(p) for p in Path(os.path.abspath(path)).parents}
        if exc.filename is not None and os.path.abspath(exc.filename) in parents:
            raise
        raise _named(exc, path) from exc


def _atomic_write(path: str | os.PathLike[str], data: bytes, *, make_dirs: bool) -> None:
    # Through a symlink, replace the file it points to and keep the link.
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if make_dirs:
        _make_parents(target)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _make_parents(target: Path) -> None:
    # mkdir(parents=True) reports a plain file in the way as "File exists" on the
    # target's parent; name the file that is in the way instead.
    for ancestor in target.parents:
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(ancestor))
            break
    target.parent.mkdir(parents=True, exist_ok=True)


def _fsync_dir(directory: Path) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
