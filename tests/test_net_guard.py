"""The network layer's guards: redirects into internal networks, and deadlines."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from bibvault.archive.archiver import DownloadError, download
from bibvault.cli import cli
from bibvault.config import CheckConfig
from bibvault.links import LinkStatus, check_url
from bibvault.net import HostGate, blocked_redirect, make_session, session_for_check
from webfarm import Farm, running_farm

INTERNAL = "127.0.0.9"
GUARDED = CheckConfig(host_delay=0.0, retries=0, backoff=0.01, connect_timeout=1.0,
                      read_timeout=1.0, request_deadline=2.0,
                      internal_networks=(f"{INTERNAL}/32",))


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def sites(farm: Farm) -> tuple[str, str]:
    return farm.site("127.0.0.15"), farm.site(INTERNAL)


def inside_hits(farm: Farm) -> int:
    return farm.log.count(host=INTERNAL)


def test_check_does_not_follow_a_redirect_inside(farm: Farm, sites: tuple[str, str]) -> None:
    public, internal = sites
    session = session_for_check(GUARDED)
    result = check_url(f"{public}/to?u={quote(internal + '/ok', safe='')}", session, GUARDED)
    session.close()
    assert result.status is LinkStatus.BLOCKED
    assert f"redirect blocked: {INTERNAL} is the internal address {INTERNAL}" in result.detail
    assert inside_hits(farm) == 0
    # Without the network in the list, the same redirect is followed.
    open_config = dataclasses.replace(GUARDED, internal_networks=())
    session = session_for_check(open_config)
    followed = check_url(f"{public}/to?u={quote(internal + '/ok?open', safe='')}", session,
                         open_config)
    session.close()
    assert followed.status is LinkStatus.ALIVE and farm.log.count(INTERNAL, "/ok?open") == 1


def test_every_session_refuses_the_redirect(farm: Farm, sites: tuple[str, str]) -> None:
    public, internal = sites
    session = make_session(internal_networks=[f"{INTERNAL}/32"])
    before = inside_hits(farm)
    resp = session.get(f"{public}/to?u={quote(internal + '/paper.pdf', safe='')}")
    session.close()
    assert resp.status_code == 302
    assert blocked_redirect(resp).startswith(f"redirect blocked: {INTERNAL}")
    assert inside_hits(farm) == before
    guarded = session_for_check(GUARDED)
    with pytest.raises(DownloadError, match="redirect blocked"):
        download(guarded, f"{public}/to?u={quote(internal + '/x', safe='')}", 1000,
                 HostGate(2, 0.0))
    guarded.close()
    assert inside_hits(farm) == before


def test_local_copy_of_a_dribbling_server_ends(farm: Farm) -> None:
    slow = farm.dribbler("127.0.0.16", interval=0.05)
    session = session_for_check(GUARDED)
    errors: list[str] = []

    def fetch() -> None:
        try:
            download(session, slow + "/paper.pdf", 10_000, HostGate(2, 0.0), 2.0)
        except DownloadError as exc:
            errors.append(str(exc))

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout=60)  # generous: the server dribbles until the farm stops
    session.close()
    assert not worker.is_alive()
    assert errors == ["timed out"]
    # A body sent a byte at a time is cut at the download deadline too.
    site = farm.site("127.0.0.17")
    with pytest.raises(DownloadError, match="not received within 0.5 s"):
        download(session_for_check(GUARDED), site + "/dribble", 10_000, HostGate(2, 0.0), 0.5)


def test_internal_networks_are_checked_on_load(tmp_path: Path) -> None:
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text("records: []\ncheck:\n  internal_networks: [10.0.0.0/8, not-a-net]\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "check"])
    assert result.exit_code == 2
    assert "check.internal_networks: 'not-a-net' is not an IP network" in result.stderr
