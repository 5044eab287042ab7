"""Videos on YouTube and Vimeo: the oEmbed answer completes the watch page.

oEmbed gives the title and the channel (``author_name``) reliably, even when
the watch page is thin; the page gives what oEmbed lacks, the upload date and
the duration (schema.org ``VideoObject`` as JSON-LD or microdata). The channel
is the video's ``organization`` and the platform its ``howpublished``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any

from bibvault.findings import Finding, Severity
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.web.text import clean_title
from bibvault.links.fetch import Fetched


def oembed_fields(reply: Fetched) -> dict[str, str]:
    """``title``, ``author_name`` and ``provider_name`` of an oEmbed answer (empty on failure)."""
    if reply.error is not None or reply.status != 200:
        return {}
    try:
        data: Any = json.loads(reply.body.decode("utf-8", "replace"))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: " ".join(v.split()) for k in ("title", "author_name", "provider_name")
            if isinstance(v := data.get(k), str) and v.strip()}


def merge_oembed(cand: Candidate, reply: Fetched) -> Candidate:
    """The video's candidate with oEmbed's title, channel and platform preferred."""
    found = oembed_fields(reply)
    if not found:
        return cand
    fields, prov = dict(cand.fields), dict(cand.provenance)
    for name, key in (("title", "title"), ("organization", "author_name"),
                      ("howpublished", "provider_name")):
        if key in found:
            fields[name] = clean_title(found[key]) if name == "title" else found[key]
            prov[name] = f"oEmbed {key}"
    return dataclasses.replace(cand, fields=fields, provenance=prov,
                               type_reason=cand.type_reason + "; oEmbed")


def video_from_oembed(source: str, url: str, reply: Fetched, today: _dt.date) -> Candidate | None:
    """A video record from oEmbed alone, for when the watch page cannot be read (a
    consent wall): title, channel and platform, without the upload date. None when
    oEmbed does not know the video either."""
    found = oembed_fields(reply)
    if "title" not in found:
        return None
    cand = Candidate(source, entry_type="video",
                     type_reason="a video platform's address; oEmbed (the watch page was "
                                 "not readable)")
    cand.fields["title"], cand.provenance["title"] = clean_title(found["title"]), "oEmbed title"
    for name, key in (("organization", "author_name"), ("howpublished", "provider_name")):
        if key in found:
            cand.fields[name], cand.provenance[name] = found[key], f"oEmbed {key}"
    cand.fields["url"], cand.provenance["url"] = url, "the address given"
    cand.fields["urldate"], cand.provenance["urldate"] = today.isoformat(), "the day it was read"
    cand.findings.append(Finding("N823", Severity.WARNING, "the watch page was a consent wall; "
                                 "title and channel come from oEmbed, the upload date and "
                                 "duration are missing", file=source))
    return cand
