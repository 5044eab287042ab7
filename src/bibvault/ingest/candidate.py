"""``Candidate``: a record about to be brought in, with where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from bibvault.findings import Finding, Severity


@dataclass(frozen=True)
class Creator:
    """One name of a record: a person (``family``, ``given``) or an organisation (``literal``)."""

    family: str = ""
    given: str = ""
    literal: str = ""

    @property
    def is_organisation(self) -> bool:
        """True for a corporate author such as "Hudson Institute"."""
        return bool(self.literal)

    @property
    def sort_name(self) -> str:
        """The name a key or a comparison starts from: the family name or the organisation."""
        return self.literal or self.family or self.given


@dataclass
class Candidate:
    """A record read from a source (a web page, a DOI, a PDF, an entry of an imported file).

    ``fields`` hold plain Unicode text under lower-case biblatex field names (``title``,
    ``date`` as ISO 8601/EDTF, ``journaltitle``, ``url``, ``doi`` as a bare DOI, …); the
    writer turns them into TeX. ``provenance`` says where each field or name list came
    from. A finding of severity error refuses the source: no record is written.
    """

    source: str
    entry_type: str = "online"
    fields: dict[str, str] = field(default_factory=dict)
    creators: dict[str, list[Creator]] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    type_reason: str = ""
    tags: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sha256: str | None = None
    original_key: str | None = None

    @property
    def refused(self) -> bool:
        """True when reading the source found an error: it must not become a record."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def title(self) -> str:
        """The title (with subtitle), or an empty string."""
        title = self.fields.get("title", "")
        sub = self.fields.get("subtitle", "")
        return f"{title}: {sub}" if title and sub else title

    @property
    def year(self) -> int | None:
        """The year of ``date`` (else ``year``), when it is a plain number."""
        text = self.fields.get("date") or self.fields.get("year") or ""
        digits = text.lstrip("-")[:4]
        return int(digits) if len(digits) == 4 and digits.isdigit() else None

    def first_creator(self) -> Creator | None:
        """The first author, else the first editor, else nobody."""
        for role in ("author", "editor", "translator"):
            names = self.creators.get(role)
            if names:
                return names[0]
        return None
