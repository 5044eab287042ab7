"""The A5xx rule codes of archiving and verification, for the central rules registry.

Each rule is a plain tuple (code, severity, summary, explanation).
"""

from __future__ import annotations

from bibvault.findings import Severity

RuleTuple = tuple[str, Severity, str, str]

RULES: list[RuleTuple] = [
    ("A501", Severity.WARNING, "no Web Archive capture",
     "The Web Archive has no successful capture of the URL and none was requested (no "
     "credentials, a dry run, or saves stopped for the day)."),
    ("A502", Severity.WARNING, "save failed",
     "Save Page Now did not capture the URL; the message gives the archive's reason, which "
     "it often sends with HTTP 200."),
    ("A503", Severity.ERROR, "checksum mismatch",
     "A file in a local copy no longer matches the sha256 in its bag's manifest."),
    ("A504", Severity.ERROR, "missing file",
     "A file listed in a bag's manifest is not on disk."),
    ("A505", Severity.ERROR, "extra file",
     "A bag's data/ directory holds a file its manifest does not list."),
    ("A506", Severity.ERROR, "not a bag",
     "A directory under the local archive lacks bagit.txt or manifest-sha256.txt."),
    ("A507", Severity.ERROR, "payload size mismatch",
     "bag-info.txt's Payload-Oxum disagrees with the payload's size or file count."),
    ("A508", Severity.WARNING, "local copy failed",
     "The source could not be downloaded: an HTTP error, a network failure, or a body over "
     "archive.max_download_bytes."),
    ("A509", Severity.INFO, "lookup only",
     "No Internet Archive credentials are configured, so existing captures are looked up "
     "but none are requested."),
    ("A510", Severity.WARNING, "daily capture limit",
     "Save Page Now reported a daily limit; the remaining records were only looked up."),
    ("A511", Severity.WARNING, "archive lookup failed",
     "The CDX server could not be queried or answered something unusable."),
    ("A512", Severity.ERROR, "record and local copy disagree",
     "The record's archivesha256 differs from the checksum of its local copy."),
    ("A520", Severity.ERROR, "WARC digest mismatch",
     "A local copy's WARC file has a record whose content no longer matches its "
     "WARC-Payload-Digest or WARC-Block-Digest, or it cannot be read as WARC at all."),
]
