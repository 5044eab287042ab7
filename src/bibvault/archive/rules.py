"""The A5xx rule codes of archiving and verification, for the central rules registry.

Each is a :class:`~bibvault.rules.Rule`; :mod:`bibvault.registry` gathers them with the others.
"""

from __future__ import annotations

from bibvault.findings import Severity
from bibvault.rules import Rule

RULES: tuple[Rule, ...] = (
    Rule("A501", Severity.WARNING, "no Web Archive capture",
     "Neither the Web Archive nor the archives behind the Memento aggregator "
     "(archive.memento_url) have a successful capture of the URL, and none was requested (no "
     "credentials, a dry run, or saves stopped for the day)."),
    Rule("A502", Severity.WARNING, "save failed",
     "Save Page Now did not capture the URL; the message gives the archive's reason, which "
     "it often sends with HTTP 200."),
    Rule("A503", Severity.ERROR, "checksum mismatch",
     "A file in a local copy no longer matches the sha256 in its bag's manifest."),
    Rule("A504", Severity.ERROR, "missing file",
     "A file listed in a bag's manifest is not on disk."),
    Rule("A505", Severity.ERROR, "extra file",
     "A bag's data/ directory holds a file its manifest does not list."),
    Rule("A506", Severity.ERROR, "not a bag",
     "A directory under the local archive lacks bagit.txt or manifest-sha256.txt."),
    Rule("A507", Severity.ERROR, "payload size mismatch",
     "bag-info.txt's Payload-Oxum disagrees with the payload's size or file count."),
    Rule("A508", Severity.WARNING, "local copy failed",
     "The source could not be downloaded: an HTTP error, a network failure, or a body over "
     "archive.max_download_bytes."),
    Rule("A509", Severity.INFO, "lookup only",
     "No Internet Archive credentials are configured, so existing captures are looked up "
     "but none are requested."),
    Rule("A510", Severity.WARNING, "daily capture limit",
     "Save Page Now reported a daily limit; the remaining records were only looked up."),
    Rule("A511", Severity.WARNING, "archive lookup failed",
     "The CDX server could not be queried or answered something unusable."),
    Rule("A512", Severity.ERROR, "record and local copy disagree",
     "The record's archivesha256 differs from the checksum of its local copy."),
    Rule("A513", Severity.WARNING, "credentials kept back",
     "archive.wayback_url is a plain http:// address on another machine; the Internet "
     "Archive credentials are not sent there, so no capture is requested."),
    Rule("A514", Severity.ERROR, "archived copy missing",
     "verify --remote: the archive has no memento at archiveurl (404/410, or an answer "
     "without Memento headers)."),
    Rule("A515", Severity.ERROR, "archived copy of another page",
     "verify --remote: the memento's Link rel=\"original\" is another page than the record's "
     "url (compared in canonical form), typically the site's home page after a redirect."),
    Rule("A516", Severity.ERROR, "bad capture",
     "verify --remote: the captured response was an error page: a captured 4xx/5xx, a bot "
     "challenge, or a soft-404 by the same rules as check."),
    Rule("A517", Severity.WARNING, "capture date differs",
     "verify --remote: a capture of the right page, but its Memento-Datetime is more than a "
     "day from archivedate."),
    Rule("A518", Severity.WARNING, "archive unreachable",
     "verify --remote: the archive could not be asked (network failure, 5xx, 429); no "
     "verdict on the copy. verify exits 2."),
    Rule("A519", Severity.WARNING, "bad capture not written",
     "archive found or made a capture whose memento is missing, of another page or an error "
     "page (as verify --remote judges it), so it was not written into the record."),
    Rule("A520", Severity.ERROR, "WARC digest mismatch",
     "A local copy's WARC file has a record whose content no longer matches its "
     "WARC-Payload-Digest or WARC-Block-Digest, or it cannot be read as WARC at all."),
)
