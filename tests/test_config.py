"""Configuration: defaults, the bundled file, and located errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibvault.config import Config, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_configuration() -> None:
    cfg = load_config(ROOT / "bibvault.yaml", environ={})
    assert [s.id for s in cfg.sections] == ["reports", "news", "videos", "books"]
    assert "nrf" in cfg.topics and cfg.topics["nrf"].label == "National Resistance Front"
    assert all(t.description for t in cfg.topics.values())
    assert [p.name for p in cfg.record_files()] == ["news.bib", "reports.bib", "videos.bib"]


def test_empty_file_gives_defaults() -> None:
    cfg = parse_config("")
    assert cfg.records == ("bib",)
    assert cfg.check.host_delay == 1.0


@pytest.mark.parametrize("text, where, words", [
    ("recods: [bib]\n", ":1", "unknown key 'recods'"),
    ("check:\n  host_delay: soon\n", ":2", "check.host_delay must be a number"),
    ("check:\n  per_host: 1.5\n", ":2", "check.per_host must be a whole number"),
    ("topics:\n  nrf: {lable: NRF}\n", ":2", "unknown key 'topics.nrf.lable'"),
    ("sections: reports\n", ":1", "sections must be a list"),
    ("build: [1, 2]\n", ":1", "build must be a mapping"),
    ("check:\n  retries: -1\n", ":2", "must not be negative"),
    ("records: [bib\n", ":", "invalid YAML"),
    ("check: {}\ncheck: {}\n", ":2", "duplicate key"),
    ("sections:\n  - {id: x}\n", ":2", "sections[0] needs 'title'"),
    ("topics:\n  nrf: {description: d}\n", ":2", "topics.nrf needs 'label'"),
    ("build:\n  group_by: author\n", ":2", "build.group_by: unknown value 'author'"),
    ("build:\n  order: sideways\n", ":2", "build.order: unknown value 'sideways'"),
    ("build:\n  formats:\n    - html\n    - pdf\n", ":4", "build.formats: unknown value 'pdf'"),
    ("build: {exports: xls}\n", ":1", "build.exports: unknown value 'xls'"),
    ("build: {cite: all}\n", ":1", "build.cite: unknown value 'all'"),
    ("archive:\n  wayback_url: web.archive.org\n", ":2", "archive.wayback_url: 'web.archive.org' is not"),
    # A tag the safe loader refuses is the user's error, not a crash.
    ("check:\n  concurrency: !!python/object:os.system x\n", ":2", "value not allowed"),
    ("records: !!python/name:os.getcwd\n", ":1", "value not allowed"),
])
def test_errors_name_file_and_line(text: str, where: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="bibvault.yaml")
    msg = str(info.value)
    assert msg.startswith("bibvault.yaml" + where), msg
    assert words in msg


def test_environment_overrides_wayback(tmp_path: Path) -> None:
    p = tmp_path / "bibvault.yaml"
    p.write_text("archive:\n  wayback_url: https://a.example\n", encoding="utf-8")
    assert load_config(p, environ={}).archive.wayback_url == "https://a.example"
    cfg = load_config(p, environ={"BIBVAULT_WAYBACK_URL": "http://127.0.0.1:9"})
    assert cfg.archive.wayback_url == "http://127.0.0.1:9"


def test_environment_wayback_must_be_an_address(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BIBVAULT_WAYBACK_URL: 'nonsense' is not"):
        load_config(ROOT / "bibvault.yaml", environ={"BIBVAULT_WAYBACK_URL": "nonsense"})


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml", environ={})


def test_choices_agree_with_the_stages() -> None:
    from bibvault.build import EXPORT_FILES, PAGE_FORMATS
    from bibvault.config import CHOICES
    from bibvault.site import GROUP_BY, ORDERS
    from bibvault.site.tools import CITE_FORMATS

    assert CHOICES["build.group_by"] == tuple(GROUP_BY)
    assert CHOICES["build.order"] == tuple(ORDERS)
    assert set(CHOICES["build.formats"]) == set(PAGE_FORMATS)
    assert set(CHOICES["build.exports"]) == set(EXPORT_FILES)
    assert set(CHOICES["build.cite"]) == set(CITE_FORMATS)


def test_missing_records_name_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "a.bib").write_text("", encoding="utf-8")
    p = tmp_path / "bibvault.yaml"
    p.write_text("records: [bib, gone.bib]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bibvault.yaml: records: 'gone.bib' does not exist"):
        load_config(p, environ={}).record_files()
    defaults = Config(root=tmp_path / "bib")  # no file found: the default records, bib/
    with pytest.raises(ConfigError, match=r"no bibvault.yaml in .* or above"):
        defaults.record_files()
