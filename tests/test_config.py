"""Configuration: defaults, the bundled file, and located errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibvault.config import ConfigError, load_config, parse_config

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


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml", environ={})
