"""What a rule is, and the core rules: syntax, fields, topics, duplicates, new records.

Every rule bibvault reports has a stable code, a severity and an explanation.
The stages that report other families declare them as :class:`Rule` values
beside their code (``links/rules.py``, ``archive/rules.py``, ``ingest/rules_add.py``,
``ingest/import_rules.py``); :mod:`bibvault.registry` gathers them all.
Codes come in families: ``B1xx`` syntax and encoding, ``F2xx`` fields,
``T3xx`` topics, ``L4xx`` links, ``A5xx`` archive, ``D6xx`` duplicates, ``I7xx`` import,
``N8xx`` new records.
A published code keeps its meaning; retired codes are never reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bibvault.findings import Finding, Fix, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    """A rule: its code, default severity, one-line summary and a longer explanation."""

    code: str
    severity: Severity
    summary: str
    explanation: str
    fixable: bool = False


CORE_RULES: tuple[Rule, ...] = (
    Rule("B101", E, "unparseable text", "Text that starts like an entry (an '@' at the start of a line) but cannot be read as one is an error; the bytes are kept as they are and parsing goes on at the next entry. A stray '@' inside free text, a '%' comment inside an entry (biber accepts it, BibTeX does not) and text after an entry's closing brace are reported with the same code as warnings."),
    Rule("B102", E, "unbalanced braces", "An entry or value opens more braces than it closes (or the reverse). BibTeX would swallow the following entries."),
    Rule("B103", E, "missing comma between fields", "Two fields follow each other without a comma; BibTeX stops reading the entry there."),
    Rule("B104", E, "missing '=' or value", "A field name is not followed by '=' and a value."),
    Rule("B105", E, "unterminated quoted value", "A value opened with '\"' is never closed."),
    Rule("B106", E, "missing citation key", "An entry has no key, so it cannot be cited."),
    Rule("B107", E, "entry truncated at end of file", "The file ends inside an entry."),
    Rule("B108", W, "duplicate field", "A field appears twice in one entry; BibTeX keeps the first and biber complains. Keep one."),
    Rule("B109", E, "not UTF-8", "The file holds bytes that are not UTF-8 (often Latin-1 or Windows-1252), which every page and export would show as U+FFFD. `bibvault validate --fix` re-encodes the file as UTF-8 from the encoding it declares (% !TEX encoding = ..., % Encoding: ...) or else Windows-1252/Latin-1, losing no character. To keep files in another encoding on purpose, set `encoding` in bibvault.yaml; they are then read and written in it.", fixable=True),
    Rule("B110", W, "undefined @string macro", "A bare word is used as a value but no @string defines it; BibTeX prints nothing for it."),
    Rule("B111", E, "crossref target missing", "crossref names an entry that is not in the file."),
    Rule("B112", W, "crossref cycle", "Entries inherit from each other in a circle."),
    Rule("F201", E, "missing required field", "The entry type needs this field (biblatex data model, relaxed where reading lists commonly lack data, e.g. authors of news items)."),
    Rule("F202", E, "invalid date", "A date field is not ISO 8601 / EDTF level 0–1 (YYYY, YYYY-MM, YYYY-MM-DD, intervals with '/', '~' '?' '%' qualifiers, X digits, seasons 21–24), or a year is not a number. Loosely written dates (2021-9-3, 3 September 2021) have a safe fix.", fixable=True),
    Rule("F203", E, "impossible date", "The date is well-formed but does not exist, e.g. 2021-02-30, month 13, or an interval that ends before it starts."),
    Rule("F204", E, "accessed before published", "urldate (when the source was accessed) is earlier than the publication date."),
    Rule("F205", E, "date in the future", "urldate or archivedate lies in the future. (A publication date in the future is reported as a warning: forthcoming works exist.)"),
    Rule("F206", E, "malformed URL", "The URL cannot be parsed or has no host, or contains spaces or control characters."),
    Rule("F207", E, "URL is not http(s)", "Only http and https links are kept in reading lists. javascript:, data:, file: and similar URLs are errors because they can run code or point at a reader's own disk."),
    Rule("F208", W, "online source without url", "An @online (or other online-only) record has no url: readers cannot reach it and the link checker cannot check it."),
    Rule("F209", N, "no url", "The record has no url or doi. Fine for print sources; for a web source, find and verify its address."),
    Rule("F210", E, "unbalanced braces in value", "A field value has more opening than closing braces or the reverse."),
    Rule("F211", W, "unescaped special character", "A value holds a bare &, %, $, #, _ or ^, which LaTeX reads as a command character. Write \\&, \\% and so on (url, doi and other verbatim fields are exempt)."),
    Rule("F212", N, "stray whitespace", "A value has leading or trailing whitespace, tabs or runs of spaces. The fix collapses them.", fixable=True),
    Rule("F213", W, "invalid field value", "A field with a known format holds something else: pagetotal must be a number, duration an ISO 8601 duration (PT90M) or 'N minutes', urlstatus one of alive/dead/redirected/…, archivesha256 64 hex digits, doi 10.NNNN/…."),
    Rule("F214", W, "publication date in the future", "The publication date lies in the future. Forthcoming works exist; check it."),
    Rule("F215", W, "missing recommended field", "The entry type usually has this field (e.g. an author for a journal article, a date for a web page)."),
    Rule("F216", W, "unknown TeX command", "A value uses a TeX command that bibvault's TeX reader does not know. Exports and reading lists print the text of its argument (\\foo{text} → text) and drop the command, so what it does (a symbol, an accent, a format) is lost. Write the character as Unicode or with a known command."),
    Rule("T301", E, "unknown topic", "A keyword is not in the topic vocabulary of bibvault.yaml. Add it to the vocabulary or fix the spelling."),
    Rule("T302", W, "no topics", "The record has no keywords, so it appears under no topic."),
    Rule("T303", N, "repeated topic", "A topic is listed twice in one record."),
    Rule("D601", E, "duplicate key", "Two entries share a citation key (keys compare case-insensitively, as BibTeX does)."),
    Rule("D602", W, "duplicate URL", "Two records point to the same URL (ignoring scheme case, a trailing slash and tracking parameters)."),
    Rule("D603", W, "duplicate DOI", "Two records have the same DOI."),
    Rule("D604", W, "duplicate title and year", "Two records have the same normalised title and year; probably the same work entered twice."),
    Rule("D605", E, "key alias already taken", "An alias in a record's ids field (biblatex's key aliases, which bibvault merge keeps for a dropped record) is the key or an alias of another record. biber stops on it, and a paper citing it could mean either record."),
    Rule("N801", E, "already in the collection", "A source that add or import brings in has the DOI, the canonical URL (scheme, www., a trailing slash, tracking parameters and AMP forms aside), the video or the PDF bytes of a record already in the collection, or of an earlier source of the same run. Nothing is written; --force adds it anyway (the finding is then a warning)."),
    Rule("N802", W, "possible duplicate", "A record with the same or a very similar title, a creator in common (or none on one side) and a year at most one apart is already there. The new record is written; compare the two and run `bibvault merge KEEP DROP` if they are one work."),
    Rule("N803", W, "tag not mapped to a topic", "A tag of an imported source (a Zotero or JabRef tag, a keyword) names no topic of the vocabulary and ingest.topic_aliases maps it to none, so it was not written. Add an alias in bibvault.yaml or give --topic."),
    Rule("N804", E, "new record does not validate", "The record made from a source has validation errors (listed with it), so it was not written; --force writes it anyway."),
)


def rules_by_code(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    """``rules`` by code (read-only), for a stage that reports them."""
    return MappingProxyType({r.code: r for r in rules})


_CORE_BY_CODE = rules_by_code(CORE_RULES)


def core_rule(code: str) -> Rule:
    """The core rule with ``code`` (KeyError if unknown)."""
    return _CORE_BY_CODE[code]


def finding(
    code: str,
    message: str,
    *,
    file: str = "",
    line: int = 0,
    column: int = 0,
    key: str | None = None,
    excerpt: str | None = None,
    fix: Fix | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A :class:`Finding` for a core rule, with the rule's default severity."""
    return Finding(code, severity or core_rule(code).severity, message, file, line, column, key,
                   excerpt, fix)


def known_prefixes(rules: Iterable[Rule]) -> set[str]:
    """Every code and family prefix (B, B1, B10, …) that selects at least one rule."""
    out: set[str] = set()
    for r in rules:
        for i in range(1, len(r.code) + 1):
            out.add(r.code[:i])
    return out
