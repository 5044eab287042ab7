"""Local copies as BagIt bags (RFC 8493), one per record key, and their verification.

A bag is written to a temporary directory beside its final place and renamed
into it, so a bag on disk is always complete. Its payload is the source file
(``source.pdf``, ``source.html``, …), whose sha256 is the record's
``archivesha256``, and beside it the same download as a WARC file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bibvault.archive.warc import warc_problems
from bibvault.findings import Finding, Severity
from bibvault.fsutil import TEMP_SUFFIX, remove_stale_temps, temp_prefix

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
# Names Windows reserves for devices, whatever the case and extension.
_DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", "conin-", "conout-"}
                          | {f"{p}{n}" for p in ("com", "lpt") for n in "0123456789"})
#: The longest bag name: room for ``.replaced-<time>`` and temporary prefixes within 255 bytes.
MAX_NAME = 120
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Bag:
    """A written bag: its directory, the payload file (relative to ``data/``) and its sha256."""

    path: Path
    filename: str
    sha256: str
    size: int


def bag_name(key: str) -> str:
    """The directory name of the bag of ``key``: reversible, so distinct keys never share one.

    Lower-case ASCII letters, digits and ``-`` stand for themselves; an upper-case
    letter is ``_`` and the letter in lower case; every other character is ``+``
    and two hex digits per UTF-8 byte (``x:1`` → ``x+3a1``, ``x_1`` → ``x+5f1``,
    ``Knuth84`` → ``_knuth84``). Names are thus lower case (safe on file systems
    that ignore case), never start with a dot, never end in a dot or a space,
    and a Windows device name (``con``, ``aux``, ``com1``) gets its first letter
    escaped. A name longer than :data:`MAX_NAME` keeps its first part and ends
    in ``~`` and a sha256 of the key; such a name is read back from the bag's
    ``External-Identifier`` (see :func:`bag_key`).
    """
    if not key:
        raise ValueError("a record key is never empty")
    parts = [_encode(ch) for ch in key]
    name = "".join(parts)
    if name in _DEVICE_NAMES:
        parts[0] = f"+{ord(name[0]):02x}"
        name = "".join(parts)
    if len(name) <= MAX_NAME:
        return name
    head = ""
    for part in parts:
        if len(head) + len(part) > MAX_NAME - 41:
            break
        head += part
    return f"{head}~{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}"


def _encode(ch: str) -> str:
    if ch in _LITERAL:
        return ch
    if "A" <= ch <= "Z":
        return "_" + ch.lower()
    return "".join(f"+{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))


def bag_key(name: str) -> str | None:
    """The key a :func:`bag_name` stands for; None for a shortened name or not such a name."""
    out = bytearray()
    i = 0
    while i < len(name):
        c = name[i]
        if c in _LITERAL:
            out += c.encode()
            i += 1
        elif c == "_" and i + 1 < len(name) and "a" <= name[i + 1] <= "z":
            out += name[i + 1].upper().encode()
            i += 2
        elif c == "+" and re.fullmatch(r"[0-9a-f]{2}", name[i + 1:i + 3]):
            out.append(int(name[i + 1:i + 3], 16))
            i += 3
        else:
            return None
    try:
        return out.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def legacy_bag_name(key: str) -> str:
    """The name bags had before :func:`bag_name` was reversible (several keys shared one)."""
    name = _UNSAFE.sub("_", key).strip("._")
    return name or "record"


def bag_identifier(bag: Path) -> str | None:
    """The record key a bag was written for (``External-Identifier`` in bag-info.txt)."""
    try:
        text = (bag / "bag-info.txt").read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    m = re.search(r"^External-Identifier: ?(.*)$", text, re.MULTILINE)
    return m.group(1).rstrip("\r") if m else None


def find_bag(root: Path, key: str) -> Path:
    """The bag of ``key`` under ``root``: under its name, or under its legacy name when a
    bag written for this key is there. Where a new bag would go when there is none."""
    new = root / bag_name(key)
    if new.is_dir() and bag_identifier(new) in (key, None):
        return new
    old = root / legacy_bag_name(key)
    if old != new and old.is_dir() and bag_identifier(old) == key:
        return old
    return new


def migrate_bag(root: Path, key: str) -> None:
    """Move the bag of ``key`` from its legacy name to :func:`bag_name`, never over another.

    A legacy bag of another key sitting at this key's new name is first moved to
    that key's own new name, so no local copy is lost or taken for another's.
    """
    new = root / bag_name(key)
    owner = bag_identifier(new) if new.is_dir() else None
    if owner is not None and owner != key:
        home = root / bag_name(owner)
        if home.exists() or home.is_symlink():
            return
        os.replace(new, home)
    old = root / legacy_bag_name(key)
    if (old != new and not new.exists() and not new.is_symlink() and old.is_dir()
            and not old.is_symlink() and bag_identifier(old) == key):
        os.replace(old, new)


def payload_name(url: str, content_type: str) -> str:
    """``source.pdf`` / ``source.html`` / ``source.bin`` by the served content type."""
    ctype = content_type.split(";")[0].strip().lower()
    ext = {"application/pdf": "pdf", "text/html": "html", "application/xhtml+xml": "html",
           "text/plain": "txt"}.get(ctype)
    if ext is None:
        ext = "pdf" if url.lower().split("?")[0].endswith(".pdf") else "bin"
    return f"source.{ext}"


def write_bag(root: Path, key: str, url: str, content: bytes, content_type: str,
              when: dt.datetime, extra: Mapping[str, bytes] | None = None) -> Bag:
    """Write ``content`` as the payload of the bag for ``key`` under ``root``, with
    the ``extra`` files (name → bytes, such as the WARC) beside it in ``data/``.

    An older bag of that key with a different payload is not deleted: it is
    renamed ``<bag>.replaced-<YYYYmmddTHHMMSS>`` (the time of ``when``), so no
    local copy is ever lost.
    """
    root.mkdir(parents=True, exist_ok=True)
    migrate_bag(root, key)
    final = root / bag_name(key)
    filename = payload_name(url, content_type)
    digest = hashlib.sha256(content).hexdigest()
    remove_stale_temps(root, final.name)
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(final.name), suffix=TEMP_SUFFIX, dir=root))
    try:
        (tmp / "data").mkdir()
        files = {filename: content, **(extra or {})}
        for name, data in files.items():
            (tmp / "data" / name).write_bytes(data)
        (tmp / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
        (tmp / "manifest-sha256.txt").write_text(
            "".join(f"{hashlib.sha256(data).hexdigest()}  data/{name}\n"
                    for name, data in files.items()), encoding="utf-8")
        size = sum(len(data) for data in files.values())
        info = (f"Bagging-Date: {when.date().isoformat()}\n"
                f"External-Identifier: {key}\n"
                f"Source-URL: {url}\n"
                f"Content-Type: {content_type or 'unknown'}\n"
                f"Payload-Oxum: {size}.{len(files)}\n")
        (tmp / "bag-info.txt").write_text(info, encoding="utf-8")
        tags = "".join(f"{_sha256_file(tmp / n)}  {n}\n"
                       for n in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt"))
        (tmp / "tagmanifest-sha256.txt").write_text(tags, encoding="utf-8")
        if final.exists() and payload_sha256(final) not in (None, digest):
            # A different copy is kept under a dated name: the source may have
            # changed for the worse (an error page, a paywall), and the old copy
            # may be the only one left.
            kept = final.with_name(f"{final.name}.replaced-{when:%Y%m%dT%H%M%S}")
            os.replace(final, kept)
            os.replace(tmp, final)
        elif final.exists():
            old = final.with_name(f"{temp_prefix(final.name)}old{TEMP_SUFFIX}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Bag(final, filename, digest, len(content))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(bag: Path) -> dict[str, str]:
    """``data/…`` path → expected sha256, from ``manifest-sha256.txt``.

    Raises :class:`OSError` when the manifest cannot be read and
    :class:`ValueError` (naming the line) when it is not a manifest: not UTF-8,
    a line without a 64-digit sha256 and a name, or a name outside ``data/``.
    """
    raw = (bag / "manifest-sha256.txt").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"manifest-sha256.txt is not UTF-8 text (byte {exc.start})") from exc
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().lstrip("*")
        parts = name.split("/")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", digest) or not name:
            raise ValueError(f"manifest-sha256.txt:{number}: not '<sha256> <path>'")
        if parts[0] != "data" or ".." in parts:
            raise ValueError(f"manifest-sha256.txt:{number}: {name!r} is not a path under data/")
        out[name] = digest.lower()
    return out


def payload_sha256(bag: Path) -> str | None:
    """The sha256 of the bag's source file (its one payload file besides any WARC),
    from its manifest."""
    try:
        manifest = read_manifest(bag)
    except (OSError, ValueError):
        return None
    sources = [d for name, d in manifest.items() if not name.endswith(".warc")]
    return sources[0] if len(sources) == 1 else None


def verify_bag(bag: Path) -> list[Finding]:
    """Recompute every checksum of one bag; report missing, extra and changed files."""
    where = str(bag)
    if not (bag / "bagit.txt").is_file():
        return [Finding("A506", Severity.ERROR, "not a bag: bagit.txt is missing", file=where)]
    try:
        manifest = read_manifest(bag)
    except OSError:
        return [Finding("A506", Severity.ERROR, "not a bag: manifest-sha256.txt is missing",
                        file=where)]
    except ValueError as exc:
        return [Finding("A506", Severity.ERROR, f"not a bag: {exc}", file=where)]
    findings: list[Finding] = []
    on_disk = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()} \
        if (bag / "data").is_dir() else set()
    size = 0
    for name, expected in sorted(manifest.items()):
        path = bag / name
        if not path.is_file():
            findings.append(Finding("A504", Severity.ERROR, f"missing file {name}", file=where))
            continue
        size += path.stat().st_size
        actual = _sha256_file(path)
        if actual != expected:
            findings.append(Finding("A503", Severity.ERROR,
                                    f"checksum mismatch for {name}: expected {expected[:12]}…, "
                                    f"found {actual[:12]}…", file=where))
        if name.endswith(".warc"):
            findings.extend(Finding("A520", Severity.ERROR, f"{name}: {problem}", file=where)
                            for problem in warc_problems(path))
    for name in sorted(on_disk - set(manifest)):
        findings.append(Finding("A505", Severity.ERROR, f"extra file {name} not in the manifest",
                                file=where))
    oxum = _oxum(bag)
    if oxum is not None and not findings and oxum != (size, len(manifest)):
        findings.append(Finding("A507", Severity.ERROR,
                                f"Payload-Oxum says {oxum[0]}.{oxum[1]}, payload is "
                                f"{size}.{len(manifest)}", file=where))
    return findings


def _oxum(bag: Path) -> tuple[int, int] | None:
    try:
        text = (bag / "bag-info.txt").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r"^Payload-Oxum:\s*(\d+)\.(\d+)\s*$", text, re.MULTILINE)
    return (int(m.group(1)), int(m.group(2))) if m else None


def verify_all(root: Path) -> list[Finding]:
    """Verify every bag under ``root`` (each subdirectory not starting with a dot)."""
    if not root.is_dir():
        return []
    out: list[Finding] = []
    for bag in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out.extend(verify_bag(bag))
    return out
