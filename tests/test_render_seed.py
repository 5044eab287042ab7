"""The site style against the seed page: the bundled records, listed as the page lists them.

Each item line of the seed page is compared with the plain-text reading list
built from the bundled records in ``styles/site.csl``. Where the records follow
the verified evidence rather than the page (corrected publishers, authors the
page leaves out, the evidence's capitalisation), or the page is inconsistent
with itself, the difference is named below, one by one, with its reason; the
comparison itself is exact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bibvault.collection import load_collection
from bibvault.config import load_config
from bibvault.render import csl_formatter, make_reading_list, plain_text

REPO = Path(__file__).resolve().parents[1]
# The item lines of the seed page (seeds/000_9fd78b9270c6ca07.txt), copied verbatim.
SEED = Path(__file__).resolve().parent / "golden" / "render" / "seed-000-items.txt"

# The seed page's item lines in page order, and the record each one is about.
SEED_KEYS = [
    "coffey2022opportunity", "foxnews2023yearns", "shekhawat2023resistance",
    "wasielewski2022outlines", "mills2022struggles", "lee2022significant",
    "donati2022arrests", "kohzad2021offer", "heritage2021arises", "odonnell2021mulls",
    "intercept2021fled", "npr2021propaganda", "reuters2021casualties", "lobo2021front",
    "rooftop2022dejavu",
]
# Bundled records that are not on the seed page at all.
NOT_ON_SEED = {"khyberchronicles-emerging": "from the Khyber Chronicles article (seed 003)"}

# The page ends the date with a full stop from the Critical Threats item on (and not
# before it); the style always uses a comma, as the page's first items do.
DATE_STOP = "page ends this item's date with a full stop; the style uses a comma throughout"
TITLE_CASE = "the record's title is in headline capitalisation, the page's in sentence case"

DIFFERENCES: dict[str, list[tuple[str, str, str]]] = {
    "foxnews2023yearns": [
        ("2 years after US withdrawal Afghanistan resistance group yearns for Western help "
         "as they take on the Taliban",
         "2 Years after US Withdrawal Afghanistan Resistance Group Yearns for Western Help "
         "as They Take on the Taliban", TITLE_CASE),
    ],
    "shekhawat2023resistance": [
        ("Current status and prospects for the future\",",
         "Current Status and Prospects for the Future\", by Shivam Shekhawat,",
         TITLE_CASE + "; the author is confirmed by the republication and the page omits it"),
    ],
    "wasielewski2022outlines": [
        ("long-term goas of", "long-term goals of", "the page's typo is corrected"),
    ],
    "mills2022struggles": [
        ("September 8, 2022.", "September 8, 2022,", DATE_STOP),
        ("Front\", Critical Threats.",
         "Front\", by Peter Mills, Critical Threats Project and Institute for the Study of War.",
         "author verified on the ISW copy, which says ISW and Critical Threats co-produced it"),
    ],
    "lee2022significant": [
        ("How significant is resistance", "How Significant Is Resistance", TITLE_CASE),
    ],
    "kohzad2021offer": [
        ("December 15, 2021.", "December 15, 2021,", DATE_STOP),
        ("What Does The National", "What Does the National",
         "headline style keeps an article lower case inside a title"),
    ],
    "heritage2021arises": [("October 8, 2021.", "October 8, 2021,", DATE_STOP)],
    "odonnell2021mulls": [
        ("September 24, 2021.", "September 24, 2021,", DATE_STOP),
        ("Foreign Affairs.", "Foreign Policy.",
         "the evidence attributes the article to Foreign Policy, not Foreign Affairs"),
        ("Lynne O'Donnell", "Lynne O\u2019Donnell",
         "the CSL engine sets an apostrophe in a name typographically, as citeproc-js does"),
    ],
    "intercept2021fled": [("September 21, 2021.", "September 21, 2021,", DATE_STOP)],
    "npr2021propaganda": [
        ("September 3, 2021.", "September 3, 2021,", DATE_STOP),
        ("Reports of its Defeat in Panjshir are", "Reports of Its Defeat in Panjshir Are",
         "headline style capitalises the pronoun and the verb"),
        ("National Public Radio.", "NPR.", "the outlet is recorded under its own name, NPR"),
    ],
    "reuters2021casualties": [
        ("September 2, 2021.", "September 2, 2021,", DATE_STOP),
        ("Taliban and Afghan rebels claim heavy casualties in fighting over valley",
         "Taliban and Afghan Rebels Claim Heavy Casualties in Fighting over Valley", TITLE_CASE),
    ],
    "lobo2021front": [("August 21, 2021.", "August 21, 2021,", DATE_STOP)],
    "rooftop2022dejavu": [
        ("Deja vu All", "Deja Vu All", "the record capitalises the video's title throughout"),
    ],
}


def seed_lines() -> list[str]:
    return [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def site_lines() -> list[str]:
    config = load_config(REPO / "bibvault.yaml")
    collection = load_collection(config.record_files())
    records, findings = list(collection.records), collection.findings
    assert findings == []
    formatter = csl_formatter("site", locale="en-US", search_dirs=[REPO / "styles"])
    rl = make_reading_list(records, config, {"site": formatter}, formats=("text",))
    assert {e.key for e in rl.entries()} == set(SEED_KEYS) | set(NOT_ON_SEED)
    return plain_text(rl, "site").splitlines()


def expected_line(key: str, seed: str) -> str:
    for old, new, reason in DIFFERENCES.get(key, []):
        assert seed.count(old) == 1, f"{key}: named difference no longer on the seed ({reason})"
        seed = seed.replace(old, new)
    return seed


def test_the_seed_page_has_the_items_we_compare():
    assert len(seed_lines()) == len(SEED_KEYS)


@pytest.mark.parametrize("index,key", list(enumerate(SEED_KEYS)))
def test_site_style_reproduces_the_seed_line(site_lines: list[str], index: int, key: str):
    assert expected_line(key, seed_lines()[index]) in site_lines


def test_unchanged_items_are_identical_to_the_seed(site_lines: list[str]):
    """Items with no named difference: the page's line, byte for byte."""
    same = [k for k in SEED_KEYS if k not in DIFFERENCES]
    assert same == ["coffey2022opportunity", "donati2022arrests"]
    for key in same:
        assert seed_lines()[SEED_KEYS.index(key)] in site_lines
