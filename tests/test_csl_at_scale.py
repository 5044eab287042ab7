"""Engine behaviour found by comparing 10,000 ACL Anthology records in APA with
citeproc-js (bench/render.py), pinned with citeproc-js's own output for the same
items (text and HTML)."""

from __future__ import annotations

from typing import Any

import pytest

from bibvault.csl import Processor, load_style

ITEMS: list[dict[str, Any]] = [
    {"id": "cjk", "type": "paper-conference", "language": "zh-CN", "title": "蒙古文拼写形式多样化现象研究",
     "author": [{"family": "Bai", "given": "Shuangcheng"}, {"family": "Hu", "given": "Sile"}],
     "issued": {"date-parts": [[2020]]}},
    {"id": "colon", "type": "paper-conference", "title": "Form2Seq : A Framework for Forms",
     "author": [{"family": "Aggarwal", "given": "Milan"}], "issued": {"date-parts": [[2019]]},
     "container-title": "Proceedings : Main"},
    {"id": "quoted", "type": "paper-conference", "title": "Workshop on “Citizen Linguistics”",
     "author": [{"family": "Cole", "given": "Jennifer"}], "issued": {"date-parts": [[2018]]},
     "container-title": "Proceedings", "page": "49-57"},
    {"id": "typedq", "type": "article-journal",
     "title": "Are “Undocumented Workers” the Same as “Illegal Aliens”? Disentangling",
     "author": [{"family": "Webson", "given": "Albert"}], "issued": {"date-parts": [[2017]]}},
    {"id": "typedc", "type": "article-journal", "title": "“You move THIS!”: Annotation of Pointing",
     "author": [{"family": "Anastasiou", "given": "Dimitra"}], "issued": {"date-parts": [[2016]]}},
]

# citeproc-js (the oracle's render.js, apa, en-US) on ITEMS.
TEXT = {
    # A space before a colon in any language's title is a narrow no-break space.
    "colon": "Aggarwal, M. (2019). Form2Seq\u202f: A Framework for Forms. Proceedings\u202f: Main.",
    # Punctuation typed after the data's own closing mark stays where it was typed.
    "typedc": "Anastasiou, D. (2016). “You move THIS!”: Annotation of Pointing.",
    # A Latin-script name in a Chinese item: family name first, no sort separator.
    "cjk": "Bai S., & Hu S. (2020). 蒙古文拼写形式多样化现象研究.",
    # The style's period moves inside a closing mark typed in the data.
    "quoted": "Cole, J. (2018). Workshop on “Citizen Linguistics.” Proceedings, 49–57.",
    "typedq": "Webson, A. (2017). Are “Undocumented Workers” the Same as “Illegal Aliens”? Disentangling.",
}
HTML = {
    "colon": "Aggarwal, M. (2019). Form2Seq\u202f: A Framework for Forms. <i>Proceedings\u202f: Main</i>.",
    "typedc": "Anastasiou, D. (2016). <i>“You move THIS!”: Annotation of Pointing</i>.",
    "cjk": "Bai S., &#38; Hu S. (2020). <i>蒙古文拼写形式多样化现象研究</i>.",
    "quoted": "Cole, J. (2018). Workshop on “Citizen Linguistics.” <i>Proceedings</i>, 49–57.",
    "typedq": "Webson, A. (2017). <i>Are “Undocumented Workers” the Same as “Illegal Aliens”? "
              "Disentangling</i>.",
}


@pytest.fixture(scope="module")
def processor() -> Processor:
    return Processor(load_style("apa"), ITEMS, locale="en-US")


def test_text_entries_match_citeproc_js(processor: Processor) -> None:
    assert dict(processor.bibliography("text")) == TEXT


def test_html_entries_match_citeproc_js(processor: Processor) -> None:
    got = dict(processor.bibliography("html"))
    assert got == {k: f'<div class="csl-entry">{v}</div>' for k, v in HTML.items()}


def test_family_first_only_for_chinese_and_japanese_items() -> None:
    item = dict(ITEMS[0], language="fr-FR")
    proc = Processor(load_style("apa"), [item], locale="en-US")
    assert proc.bibliography("text")[0][1].startswith("Bai, S., & Hu, S. (2020).")


def test_a_given_name_word_opening_with_a_mark_stays_whole() -> None:
    item = {"id": "n1", "type": "book", "title": "T", "issued": {"date-parts": [[2020]]},
            "author": [{"family": "Leong", "given": "Chee Wee (Ben)"}, {"family": "Chen", "given": "Xi (Leslie)"},
                       {"family": "Moon", "given": "Sungjin (Riea)"}]}
    # citeproc-js, apa and ieee, en-US.
    apa = Processor(load_style("apa"), [item], locale="en-US").bibliography("text")
    assert apa == [("n1", "Leong, C. W. (Ben), Chen, X. (Leslie), & Moon, S. (Riea). (2020). T.")]
    ieee = Processor(load_style("ieee"), [item], locale="en-US").bibliography("text")
    assert ieee == [("n1", "[1] C. W. (Ben) Leong, X. (Leslie) Chen, and S. (Riea) Moon, T. 2020.")]


QUOTED_TITLES = [
    {"id": "q1", "type": "paper-conference", "author": [{"family": "Wang", "given": "Yi"}], "language": "zh-CN",
     "issued": {"date-parts": [[2020]]}, "title": "基于规则的双重否定识别——以“不v1不v2”为例"},
    {"id": "q2", "type": "paper-conference", "author": [{"family": "Qiu", "given": "Bo"}], "language": "zh-CN",
     "issued": {"date-parts": [[2020]]}, "title": "“细粒度英汉机器翻译错误分析语料库”的构建与思考"},
    {"id": "q3", "type": "paper-conference", "author": [{"family": "Radha", "given": "Karthik"}],
     "issued": {"date-parts": [[2020]]}, "title": "“A Little Birdie Told Me ... ” - Inductive Biases"},
]


def test_curly_marks_open_and_close_next_to_any_character() -> None:
    # citeproc-js, ieee and apa, en-US: curly double marks pair up after a Han character,
    # before one, and after a space; inside the style's quotes they become single marks.
    ieee = dict(Processor(load_style("ieee"), QUOTED_TITLES, locale="en-US").bibliography("text"))
    assert ieee["q1"] == "[1] Wang Y., “基于规则的双重否定识别——以‘不v1不v2’为例,” 2020."
    assert ieee["q2"] == "[2] Qiu B., “‘细粒度英汉机器翻译错误分析语料库’的构建与思考,” 2020."
    apa = dict(Processor(load_style("apa"), QUOTED_TITLES, locale="en-US").bibliography("text"))
    assert apa["q3"] == "Radha, K. (2020). “A Little Birdie Told Me ... ” - Inductive Biases."


# Ambiguous groups are formed before the global given-name rule adds given names:
# an item whose given name already tells it apart still belongs to its group and
# shows the names the group's walk added (Xintong Li), and a walk that settles the
# group by names never reaches year suffixes for items it left alike (J. Chen).
GROUP_BY_NAMES = [
    {"id": "li-etal-2020-leveraging", "type": "paper-conference", "author": [{"family": "Li", "given": "Xintong"}, {"family": "Maskharashvili", "given": "Aleksandre"}, {"family": "Jory Stevens-Guille", "given": "Symon"}, {"family": "White", "given": "Michael"}], "issued": {"date-parts": [[2020, 12]]}, "title": "Leveraging Large Pretrained Models for <"},
    {"id": "li-etal-2020-high", "type": "paper-conference", "author": [{"family": "Li", "given": "Zuchao"}, {"family": "Zhao", "given": "Hai"}, {"family": "Wang", "given": "Rui"}, {"family": "Parnow", "given": "Kevin"}], "issued": {"date-parts": [[2020, 11]]}, "title": "High-order Semantic Role Labeling"},
    {"id": "li-etal-2020-reference", "type": "paper-conference", "author": [{"family": "Li", "given": "Zuchao"}, {"family": "Zhao", "given": "Hai"}, {"family": "Wang", "given": "Rui"}, {"family": "Utiyama", "given": "Masao"}, {"family": "Sumita", "given": "Eiichiro"}], "issued": {"date-parts": [[2020, 11]]}, "title": "Reference Language based Unsupervised Ne"},
    {"id": "li-etal-2020-using", "type": "paper-conference", "author": [{"family": "Li", "given": "Xiao"}, {"family": "Hong", "given": "Yu"}, {"family": "Ruan", "given": "Huibin"}, {"family": "Huang", "given": "Zhen"}], "issued": {"date-parts": [[2020, 12]]}, "title": "Using a Penalty-based Loss Re-estimation"},
]
GROUP_YEARS = [
    {"id": "chen-etal-2020-neural", "type": "paper-conference", "author": [{"family": "Chen", "given": "Junfan"}, {"family": "Zhang", "given": "Richong"}, {"family": "Mao", "given": "Yongyi"}, {"family": "Xu", "given": "Jie"}], "issued": {"date-parts": [[2020, 11]]}, "title": "Neural Dialogue State Tracking with Temp"},
    {"id": "chen-etal-2020-parallel", "type": "paper-conference", "author": [{"family": "Chen", "given": "Junfan"}, {"family": "Zhang", "given": "Richong"}, {"family": "Mao", "given": "Yongyi"}, {"family": "Xu", "given": "Jie"}], "issued": {"date-parts": [[2020, 11]]}, "title": "Parallel Interactive Networks for Multi-"},
    {"id": "chen-etal-2020-conditional", "type": "paper-conference", "author": [{"family": "Chen", "given": "Xinhong"}, {"family": "Li", "given": "Qing"}, {"family": "Wang", "given": "Jianping"}], "issued": {"date-parts": [[2020, 11]]}, "title": "Conditional Causal Relationships between"},
    {"id": "chen-etal-2020-unified", "type": "paper-conference", "author": [{"family": "Chen", "given": "Xinhong"}, {"family": "Li", "given": "Qing"}, {"family": "Wang", "given": "Jianping"}], "issued": {"date-parts": [[2020, 12]]}, "title": "A Unified Sequence Labeling Model for Em"},
    {"id": "chen-etal-2020-joint-aspect", "type": "paper-conference", "author": [{"family": "Chen", "given": "Guimin"}, {"family": "Tian", "given": "Yuanhe"}, {"family": "Song", "given": "Yan"}], "issued": {"date-parts": [[2020, 12]]}, "title": "Joint Aspect Extraction and Sentiment An"},
]


@pytest.mark.parametrize(("style", "items", "cites"), [
    # citeproc-js, chicago-author-date (givenname-disambiguation-rule="primary-name").
    ("chicago-author-date", GROUP_BY_NAMES, [
        "(Xintong Li, Maskharashvili, Jory Stevens-Guille, and White 2020)",
        "(Z. Li, Zhao, Wang, and Parnow 2020)",
        "(Z. Li, Zhao, Wang, Utiyama, et al. 2020)",
        "(Xiao Li, Hong, Ruan, and Huang 2020)",
    ]),
    # citeproc-js, apa (givenname-disambiguation-rule="primary-name-with-initials").
    ("apa", GROUP_YEARS, [
        "(J. Chen et al., 2020)",
        "(J. Chen et al., 2020)",
        "(X. Chen et al., 2020a)",
        "(X. Chen et al., 2020b)",
        "(G. Chen et al., 2020)",
    ]),
])
def test_groups_form_before_global_given_names(style: str, items: list[dict[str, Any]], cites: list[str]) -> None:
    proc = Processor(load_style(style), items, locale="en-US")
    assert [proc.cite([i["id"]]) for i in items] == cites
