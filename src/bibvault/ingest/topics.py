"""Topics for new records: tags of other tools mapped to the vocabulary, and suggestions.

Tags from Zotero or JabRef are not topics: a tag becomes a topic only when it
names one (its id or label, case aside) or ``ingest.topic_aliases`` maps it to
one; every other tag is reported, never silently turned into a keyword.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bibvault.config import Topic
from bibvault.identity import normalise_title
from bibvault.ingest.candidate import Candidate

_STOP = frozenset("the and for with from into about after their other since".split())


def map_tags(tags: Sequence[str], vocabulary: Mapping[str, Topic],
             aliases: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """``(topics, unmapped tags)``: each tag through the aliases, the ids and the labels."""
    folded_alias = {k.casefold(): v for k, v in aliases.items()}
    by_name: dict[str, str] = {}
    for tid, topic in vocabulary.items():
        by_name[tid.casefold()] = tid
        by_name[topic.label.casefold()] = tid
    topics: list[str] = []
    unmapped: list[str] = []
    for tag in tags:
        t = " ".join(tag.split())
        if not t:
            continue
        found = folded_alias.get(t.casefold()) or by_name.get(t.casefold())
        if found is None or found not in vocabulary:
            unmapped.append(t)
        elif found not in topics:
            topics.append(found)
    return topics, unmapped


def _words(text: str) -> set[str]:
    return set(normalise_title(text).split())


def suggest_topics(candidate: Candidate, vocabulary: Mapping[str, Topic]) -> list[str]:
    """Topics whose id or a significant word of whose label the title, abstract or
    tags mention; a suggestion to print, never written."""
    text = " ".join([candidate.title, candidate.fields.get("abstract", ""),
                     candidate.fields.get("journaltitle", ""), " ".join(candidate.tags)])
    words = _words(text)
    out: list[str] = []
    for tid, topic in vocabulary.items():
        ids = set(re.split(r"[-_]", tid.casefold()))
        label = {w for w in _words(topic.label) if len(w) > 3 and w not in _STOP}
        if (tid.casefold() in words or ids <= words) or (label and len(label & words) >= min(2, len(label))):
            out.append(tid)
    return out
