"""With no network, check and archive stop with "no network" and record nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bibvault.cli import cli
from webfarm import Farm, running_farm

UNRESOLVABLE = ("http://nowhere.invalid/a", "https://gone.invalid/b", "http://x.y.invalid/")


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


def project(tmp_path: Path, urls: tuple[str, ...], canary: str, wayback: str) -> Path:
    entries = [f"@online{{k{i},\n  title = {{T}},\n  url = {{{u}}},\n}}\n"
               for i, u in enumerate(urls)]
    (tmp_path / "refs.bib").write_text("\n".join(entries), encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text("records: refs.bib\ncheck:\n  host_delay: 0\n  retries: 0\n"
                   "  connect_timeout: 1\n  read_timeout: 1\n  request_deadline: 3\n"
                   f"  canary_url: {canary}\n  database: state/links.sqlite\n"
                   f"archive:\n  wayback_url: {wayback}\n  memento_url: {wayback}\n",
                   encoding="utf-8")
    return cfg


def invoke(cfg: Path, *args: str) -> Result:
    env = {"HOME": str(cfg.parent), "IA_ACCESS_KEY": None, "IA_SECRET_KEY": None,
           "XDG_CONFIG_HOME": None, "IA_CONFIG_FILE": None, "BIBVAULT_WAYBACK_URL": None,
           "BIBVAULT_MEMENTO_URL": None}
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)


def recorded(tmp_path: Path) -> int:
    db = tmp_path / "state" / "links.sqlite"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])


def test_check_without_network_records_nothing(tmp_path: Path, farm: Farm) -> None:
    closed = farm.refused("127.0.0.110")
    cfg = project(tmp_path, UNRESOLVABLE, closed, closed)
    before = (tmp_path / "refs.bib").read_bytes()
    for _ in range(3):  # three runs of a runner without network mark nothing dead
        result = invoke(cfg, "check")
        assert result.exit_code == 2, result.output
        assert "no network" in result.stderr and "nothing was recorded" in result.stderr
    assert recorded(tmp_path) == 0
    assert (tmp_path / "refs.bib").read_bytes() == before


def test_one_unresolvable_host_among_answering_ones_is_a_failure(tmp_path: Path,
                                                                 farm: Farm) -> None:
    site, closed = farm.site("127.0.0.111"), farm.refused("127.0.0.112")
    cfg = project(tmp_path, (*UNRESOLVABLE[:1], site + "/ok"), closed, closed)
    result = invoke(cfg, "check", "--format", "json")
    assert result.exit_code == 1, result.output
    assert recorded(tmp_path) == 2
    # Every link failing while the canary answers is a real failure too.
    cfg = project(tmp_path, UNRESOLVABLE, site + "/", closed)
    assert invoke(cfg, "check", "--refresh").exit_code == 1
    assert recorded(tmp_path) == 2 + len(UNRESOLVABLE)


def test_archive_without_network_stops(tmp_path: Path, farm: Farm) -> None:
    closed = farm.refused("127.0.0.113")
    cfg = project(tmp_path, UNRESOLVABLE, closed, closed)
    before = (tmp_path / "refs.bib").read_bytes()
    result = invoke(cfg, "archive", "--local")
    assert result.exit_code == 2, result.output
    assert "no network" in result.stderr
    assert (tmp_path / "refs.bib").read_bytes() == before
