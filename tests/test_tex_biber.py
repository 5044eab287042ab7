"""The TeX reader against biber, on a sample of real field values.

``tests/data/tex_biber_sample.json`` holds (TeX value, biber's decoding) pairs measured
by ``python bench/tex_agreement.py --write-sample …`` over the corpora: values that
agree (each with some TeX in it) and values that differ. ``reference`` is biber's text
as TeX prints it (braces gone, ``--`` an en dash, …; see the bench). Every differing
value is a strict xfail whose reason says why bibvault's text is not biber's; the full
corpus run, with the agreement, stays in the bench.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibvault.bibfile.tex import to_unicode

SAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "tex_biber_sample.json")
                    .read_text(encoding="utf-8"))

#: Why a value differs, by "file:key:field".
_MATH = ("math: a superscript such as $^2$ is printed raised; bibvault writes '²' "
         "(Unicode's superscript), biber leaves math alone ('^2')")
_DOTLESS = ("an accent on \\i (\\^\\i, \\'\\i, \\\"\\i): biber puts it on a dotless i ('ı̂', two "
            "characters); TeX prints the accent in place of the dot, which is 'î', bibvault's text")
_MONTH = ("not TeX: biber rewrites a number field of {OCT} as 'October' (a month-name "
          "normalisation); bibvault keeps the field as written")
REASONS = {
    "acl-anthology-2016-2021.bib:antunes-etal-2017-formacao:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:barreira-etal-2017-framefor:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:bechet-etal-2019-calor:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:chen-etal-2020-sketching:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:costa-torrent-2017-modelagem:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:el-boukkouri-2020-entrainer:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:eltanbouly-etal-2019-simple:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:escalante-etal-2016-early:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:khan-etal-2020-modelling:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:kiss-thomas-2019-word:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:kuznetsova-tyers-2021-finite:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:labeau-allauzen-2018-algorithmes:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:lafourcade-le-brun-2017-parcourir:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:le-etal-2020-flaubert:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:lima-etal-2017-influencia:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:lion-bouton-etal-2020-comment:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:merdy-2016-identifier:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:nau-etal-2017-uma:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:oberle-2019-detection:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:paiva-torrent-2017-uma:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:peron-correa-torrent-2017-constituicao:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:reis-baptista-2017-os:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:vayuvegula-etal-2019-vaijayantikosa:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:vial-etal-2017-representation:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:vial-etal-2018-approche:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:vial-etal-2019-compression:title":
        _DOTLESS,
    "acl-anthology-2016-2021.bib:xiu-etal-2016-etude:title":
        _DOTLESS,
    "cdl.bib:BlanEtal08a:title":
        _DOTLESS,
    "cdl.bib:FiedGloc12:number":
        _MONTH,
    "cdl.bib:MilsEtal09:title":
        _MATH,
}


def _ours(tex: str) -> str:
    return " ".join(to_unicode(tex).split())


def _cases() -> list[object]:
    out: list[object] = []
    for case in SAMPLE:
        ident = f"{case['file']}:{case['key']}:{case['field']}"
        marks = []
        if _ours(case["tex"]) != case["reference"]:
            reason = REASONS.get(ident, "")
            marks.append(pytest.mark.xfail(strict=True, reason=reason or "UNEXPLAINED"))
        out.append(pytest.param(case["tex"], case["reference"], id=ident, marks=marks))
    return out


@pytest.mark.parametrize(("tex", "reference"), _cases())
def test_text_is_biber_text(tex: str, reference: str) -> None:
    assert _ours(tex) == reference


def test_sample_has_agreeing_and_explained_values() -> None:
    differing = [f"{c['file']}:{c['key']}:{c['field']}" for c in SAMPLE
                 if _ours(c["tex"]) != c["reference"]]
    assert len(SAMPLE) - len(differing) >= 50
    assert sorted(differing) == sorted(REASONS), "every difference needs a reason, and only those"
