"""Writing files so that an interrupted run never leaves a half-written one."""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

#: The suffix of our temporary files and directories.
TEMP_SUFFIX = ".tmp"
#: How much older than this run a temporary file without a process id must be to be removed.
LEGACY_TEMP_AGE = 3600.0
#: When this process started writing; temporary files from before it are not its own.
RUN_STARTED = time.time()


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


def atomic_write(path: str | os.PathLike[str], data: bytes, *, make_dirs: bool = False,
                 within: str | os.PathLike[str] | None = None) -> None:
    """Replace ``path`` with ``data`` in one step.

    The bytes go to a temporary file in the same directory, are flushed to disk,
    and the temporary file is renamed over the target, so readers see the old
    file or the new one, never a mix. An existing file keeps its permission bits;
    a new one gets 0o644. With ``make_dirs`` missing parent directories are
    created. An :class:`OSError` names ``path``, never the temporary file.

    The write stays inside ``within`` (default: the directory of ``path``): a
    symlink on the way (the file itself or a directory between) is followed only
    when it leads to something that exists inside ``within``; a link out of it,
    or a dangling one (writing would create its target), is refused before any
    directory is made (see :func:`confined_target`). Our own temporary files
    that an earlier, killed run left beside the target are removed.
    """
    try:
        _atomic_write(path, data, make_dirs=make_dirs, within=within)
    except OSError as exc:
        # An error about a parent directory names it; any other names ``path``,
        # never the temporary file.
        parents = {os.fspath(p) for p in Path(os.path.abspath(path)).parents}
        if exc.filename is not None and os.path.abspath(exc.filename) in parents:
            raise
        raise _named(exc, path) from exc


def confined_target(path: str | os.PathLike[str],
                    within: str | os.PathLike[str] | None = None) -> Path:
    """The real file a write to ``path`` would replace, checked to stay inside ``within``.

    ``within`` defaults to the directory of ``path``. Every existing component
    from ``within`` down to ``path`` that is a symlink must resolve to an
    existing file or directory inside ``within`` (resolved); otherwise an
    :class:`OSError` (errno ``ELOOP``) naming ``path`` is raised. Raises the
    same when ``path`` is not below ``within`` at all.
    """
    abspath = Path(os.path.abspath(path))
    base = Path(os.path.abspath(within)) if within is not None else abspath.parent
    real_base = Path(os.path.realpath(base))
    try:
        parts = abspath.relative_to(base).parts
    except ValueError:
        raise _refused(path, f"not inside {base}") from None
    current = real_base
    for part in parts:
        step = current / part
        if step.is_symlink():
            real = Path(os.path.realpath(step))
            if not real.exists():
                raise _refused(path, f"{step} is a symbolic link to {real}, which does not "
                                     "exist; refusing to create it")
            if real != real_base and real_base not in real.parents:
                raise _refused(path, f"{step} is a symbolic link to {real}, outside {base}; "
                                     "refusing to write through it")
            step = real
        current = step
    return current


def _refused(path: str | os.PathLike[str], why: str) -> OSError:
    return OSError(errno.ELOOP, why, os.fspath(path))


def atomic_write_chunks(path: str | os.PathLike[str], chunks: Iterable[bytes], *,
                        make_dirs: bool = False,
                        within: str | os.PathLike[str] | None = None) -> bool:
    """:func:`atomic_write` for a file made in pieces, never held whole in memory.

    When ``path`` already holds exactly these bytes it is left alone (not even
    its modification time changes) and the result is ``False``; otherwise it is
    replaced in one step and the result is ``True``.
    """
    try:
        return _atomic_write(path, chunks, make_dirs=make_dirs, within=within, keep_same=True)
    except OSError as exc:
        parents = {os.fspath(p) for p in Path(os.path.abspath(path)).parents}
        if exc.filename is not None and os.path.abspath(exc.filename) in parents:
            raise
        raise _named(exc, path) from exc


def _same_file_bytes(a: str | os.PathLike[str], b: Path) -> bool:
    try:
        if os.path.getsize(a) != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                block = fa.read(1 << 20)
                if block != fb.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _atomic_write(path: str | os.PathLike[str], data: bytes | Iterable[bytes], *,
                  make_dirs: bool, within: str | os.PathLike[str] | None,
                  keep_same: bool = False) -> bool:
    # Through a symlink inside ``within``, replace the file it points to and keep the link.
    target = confined_target(path, within)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if make_dirs:
        _make_parents(target)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    remove_stale_temps(target.parent, target.name)
    # tempfile and shutil are imported where a file is written or removed: reading and
    # validating need neither (they load bz2, lzma and random, a twentieth of start-up).
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=temp_prefix(target.name),
                               suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in ((data,) if isinstance(data, bytes) else data):
                handle.write(chunk)
            handle.flush()
            if keep_same and _same_file_bytes(tmp, target):
                Path(tmp).unlink()
                return False
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return True


def temp_prefix(name: str) -> str:
    """The start of the name of our temporary file or directory for ``name``.

    Hidden, and carrying our process id, so that a later run can tell a
    temporary file left by a killed run (its process gone) from one being
    written right now (see :func:`remove_stale_temps`).
    """
    return f".{name}.{os.getpid()}."


def remove_stale_temps(directory: Path, name: str) -> list[Path]:
    """Remove the temporary files (or bag directories) for ``name`` that killed runs left.

    One is ours by its name (``.<name>.<pid>.<random>.tmp``), is stale when it is
    older than this run and its process is gone. Names from before the process
    id was part of them (``.<name>.<random>.tmp``) are removed when more than
    :data:`LEGACY_TEMP_AGE` seconds older than this run. Symlinks are never
    touched. Returns what was removed; errors are ignored (another run may be
    cleaning up too).
    """
    removed: list[Path] = []
    head = f".{name}."
    try:
        candidates = [e for e in os.scandir(directory)
                      if e.name.startswith(head) and e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return removed
    for entry in candidates:
        middle = entry.name[len(head):-len(TEMP_SUFFIX)]
        pid, dot, rest = middle.partition(".")
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if entry.is_symlink():
            continue
        if dot and pid.isdigit() and rest:
            stale = st.st_mtime < RUN_STARTED and not _alive(int(pid))
        else:
            stale = "." not in middle and st.st_mtime < RUN_STARTED - LEGACY_TEMP_AGE
        if not stale:
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                import shutil

                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there; keep the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, but belongs to someone else
    return True


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
