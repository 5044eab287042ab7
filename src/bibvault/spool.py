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
    of a .bib file) as they are. The newest texts wait in memory until there
    are ``flush_at`` bytes of them, and go to the file together: a small build
    never makes the file, and a large one writes it in a few large pieces.
    """

    __slots__ = ("_file", "_tail", "_flushed", "_flush_at", "__weakref__")

    def __init__(self, flush_at: int = 1 << 20) -> None:
        self._file: IO[bytes] | None = None
        # The texts not yet in the file, and how many bytes the file holds (where
        # the tail starts): a text is wholly in one or the other.
        self._tail = bytearray()
        self._flushed = 0
        self._flush_at = flush_at

    def put(self, *texts: str) -> bytes:
        """Store ``texts`` one after the other; the handle that reads them back."""
        return self.put_bytes(*(t.encode("utf-8", "surrogatepass") for t in texts))

    def get(self, handle: bytes, index: int = 0) -> str:
        """Text number ``index`` of those stored under ``handle``."""
        return self.get_bytes(handle, index).decode("utf-8", "surrogatepass")

    def put_bytes(self, *pieces: bytes) -> bytes:
        """:meth:`put` for bytes: read them back with :meth:`get_bytes`."""
        start = self._flushed + len(self._tail)
        lengths = []
        tail = self._tail
        for data in pieces:
            tail += data
            lengths.append(len(data))
        if len(tail) >= self._flush_at:
            self._flush()
        return struct.pack(f"<Q{len(lengths)}I", start, *lengths)

    def get_bytes(self, handle: bytes, index: int = 0) -> bytes:
        """Piece number ``index`` of those stored under ``handle`` by :meth:`put_bytes`."""
        start, *lengths = struct.unpack(f"<Q{(len(handle) - 8) // 4}I", handle)
        begin = start + sum(lengths[:index])
        size = lengths[index]
        at = begin - self._flushed
        if at >= 0:
            return bytes(self._tail[at : at + size])
        f = self._open()
        f.seek(begin)
        return f.read(size)

    def close(self) -> None:
        """Delete the temporary file and forget every text (a closed spool starts
        afresh if used again)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._tail = bytearray()
        self._flushed = 0

    def _flush(self) -> None:
        f = self._open()
        f.seek(self._flushed)
        f.write(self._tail)
        self._flushed += len(self._tail)
        self._tail = bytearray()

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="bibvault-spool-")
            # Closed (and so deleted) with the spool, even when nobody calls close().
            weakref.finalize(self, self._file.close)
        return self._file
