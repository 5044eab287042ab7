"""Plain requests sent straight through urllib3's pool send what requests would send."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from bibvault.config import CheckConfig
from bibvault.links import LinkStatus, check_url
from bibvault.net import open_stream, session_for_check
from bibvault.netplain import plain_target
from webfarm import Base, Farm, running_farm

SITE_IP = "127.0.0.71"
CONFIG = CheckConfig(host_delay=0.0, retries=0, connect_timeout=2.0, read_timeout=5.0,
                     request_deadline=10.0, internal_networks=(), drift=False)


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site(SITE_IP)


@pytest.fixture()
def quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No proxy or netrc from the machine running the tests."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY",
                 "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "absent-netrc"))
    return monkeypatch


_TAILS = [
    "/ok", "/ok?a=1&b=two", "/ok?", "/ok#part", "", "/a/./b/../ok", "/caf%C3%A9?q=%41",
    "/a%41b", "/with space", "/ünïcode?x=ü", "/ok?q=a|b", "/.well-known/x", "/ok?u=http://x/y",
    "/p;params/(x)*~!$'", "/ok?a=1#frag?x",
]


@pytest.mark.parametrize("tail", _TAILS)
def test_the_server_sees_what_requests_would_send(farm: Farm, site: str,
                                                  quiet_env: pytest.MonkeyPatch, tail: str) -> None:
    url = site + tail
    session = session_for_check(CONFIG)
    try:
        open_stream(session, "GET", url, (2.0, 5.0)).close()
        session.get(url).close()  # requests' own way, with the same session
    finally:
        session.close()
    fast, general = farm.log.for_host(SITE_IP)[-2:]
    assert (fast.method, fast.path) == (general.method, general.path)
    assert list(fast.headers.items()) == list(general.headers.items())


_ALPHABET = st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/?#%[] |\"<>\\^`{}é\t") + ["..", "%41"])


@given(st.sampled_from(["http", "https", "HTTP"]),
       st.sampled_from(["example.org", "Example.ORG", "127.1.2.3", "a-b.c", "x..y", "-x"]),
       st.sampled_from(["", ":8080", ":0", ":99999", ":"]),
       st.lists(_ALPHABET, max_size=12).map("".join))
def test_a_plain_target_is_requests_own_preparation(scheme: str, host: str, port: str,
                                                    tail: str) -> None:
    url = f"{scheme}://{host}{port}{tail}"
    to = plain_target(url)
    if to is None:
        return  # requests' own way is taken
    prepared = requests.Request("GET", url).prepare()
    assert prepared.path_url == to.target
    assert (prepared.url or "").split("#")[0] == to.url


class CookieSite(Base):
    """``/set`` sets a cookie on a page; every other path answers with a page."""

    def route(self) -> None:
        self._hit()
        headers = {"Set-Cookie": "seen=1; Path=/"} if self.path == "/set" else {}
        self.send(200, b"<title>page</title>", headers=headers)


def test_a_cookie_a_checked_page_sets_goes_with_later_checks(
        farm: Farm, quiet_env: pytest.MonkeyPatch) -> None:
    site = farm.serve("127.0.0.72", CookieSite, {})
    session = session_for_check(CONFIG)
    try:
        results = [check_url(site + path, session, CONFIG) for path in ("/a", "/set", "/b")]
    finally:
        session.close()
    assert [r.status for r in results] == [LinkStatus.ALIVE] * 3
    hits = {h.path: h.headers for h in farm.log.for_host("127.0.0.72")}
    assert "Cookie" not in hits["/a"] and "Cookie" not in hits["/set"]
    assert hits["/b"]["Cookie"] == "seen=1"


def test_netrc_credentials_go_with_checks_of_their_host_only(
        farm: Farm, quiet_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.73 login reader password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    quiet_env.setenv("NETRC", str(netrc))
    mine, other = farm.site("127.0.0.73"), farm.site("127.0.0.74")
    session = session_for_check(CONFIG)
    try:
        results = [check_url(u + "/ok?netrc", session, CONFIG) for u in (mine, other)]
    finally:
        session.close()
    assert [r.status for r in results] == [LinkStatus.ALIVE] * 2
    [sent] = [h for h in farm.log.for_host("127.0.0.73") if h.path == "/ok?netrc"]
    [kept] = [h for h in farm.log.for_host("127.0.0.74") if h.path == "/ok?netrc"]
    assert sent.headers["Authorization"] == "Basic cmVhZGVyOnMzY3JldA=="  # reader:s3cret
    assert "Authorization" not in kept.headers


def test_failures_keep_their_kinds(farm: Farm, quiet_env: pytest.MonkeyPatch) -> None:
    refused = farm.refused("127.0.0.75")
    session = session_for_check(CONFIG)
    try:
        result = check_url(refused + "/ok", session, CONFIG)
    finally:
        session.close()
    assert (result.status, result.detail, result.unreached) == (
        LinkStatus.DEAD, "connection refused", True)
