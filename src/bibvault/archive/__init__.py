"""Archiving: Web Archive lookups (CDX) and captures (SPN2), BagIt local copies, verification."""

from bibvault.archive.archiver import (
    ArchiveOutcome,
    ArchiveRun,
    ArchiveTarget,
    archive_records,
)
from bibvault.archive.bagit import verify_all, verify_bag, write_bag
from bibvault.archive.credentials import Credentials, find_credentials
from bibvault.archive.wayback import Capture, closest_capture

__all__ = [
    "ArchiveOutcome",
    "ArchiveRun",
    "ArchiveTarget",
    "Capture",
    "Credentials",
    "archive_records",
    "closest_capture",
    "find_credentials",
    "verify_all",
    "verify_bag",
    "write_bag",
]
