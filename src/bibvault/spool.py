"""Texts a build holds until it writes them, kept in an unnamed temporary file.

A build renders every style before it writes a page, because each entry of
the page shows every style, and it makes each record's CSL-JSON item and
export texts before the files that use them. At 100,000 records those texts
are hundreds of megabytes; held as Python objects they sit next to the records
for the whole build. A :class:`Spool` writes them to a temporary file (deleted
when the spool is dropped or closed) and keeps for each only a small handle:
memory grows by tens of bytes a text instead of its size.
"""

from __future__ import annotations

import struct
import tempfile
import weakref
from typing import IO


class Spool:
    """Append-only storage of texts in a temporary file, read back by handle.

    A handle is a few bytes (where the texts start and how long each is); a
    spool belongs to one thread. Texts keep lone surrogates (undecodable bytes
    of a .bib file) as they are.
    """

    __slots__ = ("_file", "_end", "_at", "__weakref__")

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        # Where the next text goes, and where the file's position is now.
        self._end = 0
        self._at = 0

    def put(self, *texts: str) -> bytes:
        """Store ``texts`` one after the other; the handle that reads them back."""
        data = [t.encode("utf-8", "surrogatepass") for t in texts]
        f = self._open()
        if self._at != self._end:
            f.seek(self._end)
        start = self._end
        for d in data:
            f.write(d)
        self._end = self._at = start + sum(len(d) for d in data)
        return struct.pack(f"<Q{len(data)}I", start, *(len(d) for d in data))

    def get(self, handle: bytes, index: int = 0) -> str:
        """Text number ``index`` of those stored under ``handle``."""
        start, *lengths = struct.unpack(f"<Q{(len(handle) - 8) // 4}I", handle)
        begin = start + sum(lengths[:index])
        size = lengths[index]
        f = self._open()
        f.seek(begin)
        self._at = begin + size
        return f.read(size).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Delete the temporary file (a closed spool starts a new one if used again)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._end = self._at = 0

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="bibvault-spool-")
            # Closed (and so deleted) with the spool, even when nobody calls close().
            weakref.finalize(self, self._file.close)
        return self._file
