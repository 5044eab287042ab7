"""Proxies, CA bundle and .netrc from the environment, read once per session."""

from __future__ import annotations

import dataclasses
import http.client
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bibvault.cli import cli
from bibvault.config import CheckConfig
from bibvault.links import LinkStatus, check_url
from bibvault.net import make_session, session_for_check
from bibvault.netenv import Environment, NoProxy, ProxySettingError
from webfarm import Base, Farm, running_farm

PROXY_IP = "127.0.0.61"
SITE_IP = "127.0.0.62"
CONFIG = CheckConfig(host_delay=0.0, retries=0, connect_timeout=2.0, read_timeout=5.0,
                     request_deadline=10.0, internal_networks=(), drift=False)
_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY",
              "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
              "NETRC")


class ForwardProxy(Base):
    """A forward HTTP proxy: takes ``GET http://host:port/path`` and asks that host."""

    def route(self) -> None:
        self._hit()
        target = urlsplit(self.path)
        if not target.hostname or not ipaddress.ip_address(target.hostname).is_loopback:
            self.send(403, b"loopback only")
            return
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("proxy-connection", "proxy-authorization")}
            upstream.request(self.command, target.path + (f"?{target.query}" if target.query
                                                          else ""), headers=headers)
            answer = upstream.getresponse()
            body = answer.read()
        finally:
            upstream.close()
        passed = {k: v for k, v in answer.getheaders()
                  if k.lower() not in ("content-length", "content-type", "connection",
                                       "transfer-encoding")}
        self.send(answer.status, body, answer.getheader("Content-Type") or "text/plain",
                  {**passed, "Via": "1.1 test-proxy"})


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def proxy(farm: Farm) -> str:
    return farm.serve(PROXY_IP, ForwardProxy, {})


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site(SITE_IP)


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No proxy, CA or netrc variable from the machine running the tests."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "absent-netrc"))
    return monkeypatch


def get_all(session: requests.Session, *urls: str) -> None:
    """GET each of ``urls`` with ``session``, then close it."""
    try:
        for url in urls:
            session.get(url).close()
    finally:
        session.close()


def proxied(farm: Farm, path: str) -> int:
    return sum(1 for h in farm.log.for_host(PROXY_IP) if h.path.endswith(path))


def direct(farm: Farm, path: str) -> int:
    return farm.log.count(SITE_IP, path)


def test_the_proxy_of_the_environment_carries_every_request(
        farm: Farm, proxy: str, site: str, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("http_proxy", proxy)
    session = session_for_check(CONFIG)
    try:
        result = check_url(site + "/ok?via=proxy", session, CONFIG)
        plain = session.get(site + "/ok?via=get")
    finally:
        session.close()
    assert result.status is LinkStatus.ALIVE
    assert plain.headers["Via"] == "1.1 test-proxy"
    assert proxied(farm, "/ok?via=proxy") == 1 and proxied(farm, "/ok?via=get") == 1
    # The site saw the requests, from the proxy only.
    assert direct(farm, "/ok?via=proxy") == 1
    hit = next(h for h in farm.log.for_host(PROXY_IP) if h.path.endswith("/ok?via=proxy"))
    assert hit.path == site + "/ok?via=proxy"  # an absolute URI: a proxy request


def test_no_proxy_and_trust_env_false_go_direct(
        farm: Farm, proxy: str, site: str, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTP_PROXY", proxy)
    clean_env.setenv("NO_PROXY", "example.org, 127.0.0.62")
    session = session_for_check(CONFIG)
    assert check_url(site + "/ok?np=1", session, CONFIG).status is LinkStatus.ALIVE
    session.close()
    clean_env.setenv("NO_PROXY", "127.0.0.0/24")
    session = session_for_check(CONFIG)
    assert check_url(site + "/ok?np=2", session, CONFIG).status is LinkStatus.ALIVE
    session.close()
    clean_env.delenv("NO_PROXY")
    unproxied = dataclasses.replace(CONFIG, trust_env=False)
    session = session_for_check(unproxied)
    assert check_url(site + "/ok?np=3", session, unproxied).status is LinkStatus.ALIVE
    session.close()
    for n in (1, 2, 3):
        assert (proxied(farm, f"/ok?np={n}"), direct(farm, f"/ok?np={n}")) == (0, 1)


def test_the_environment_is_read_when_the_session_is_made(
        farm: Farm, proxy: str, site: str, clean_env: pytest.MonkeyPatch) -> None:
    session = session_for_check(CONFIG)
    clean_env.setenv("http_proxy", proxy)  # too late for this session
    later = session_for_check(CONFIG)
    get_all(session, site + "/ok?read=early")
    get_all(later, site + "/ok?read=late")
    assert (proxied(farm, "/ok?read=early"), direct(farm, "/ok?read=early")) == (0, 1)
    assert (proxied(farm, "/ok?read=late"), direct(farm, "/ok?read=late")) == (1, 1)


def test_redirects_followed_by_requests_use_the_targets_proxies(
        farm: Farm, proxy: str, site: str, clean_env: pytest.MonkeyPatch) -> None:
    other = farm.site("127.0.0.63")
    clean_env.setenv("http_proxy", proxy)
    clean_env.setenv("no_proxy", "127.0.0.62")
    session = make_session(internal_networks=[])
    try:
        resp = session.get(f"{site}/to?u={other}/ok%3Fhop=1")
    finally:
        session.close()
    assert resp.status_code == 200 and resp.headers["Via"] == "1.1 test-proxy"
    assert direct(farm, f"/to?u={other}/ok%3Fhop=1") == 1  # no_proxy: asked directly
    assert proxied(farm, "/ok?hop=1") == 1  # the redirect's target: through the proxy


def test_a_stalling_proxy_ends_at_the_deadline(farm: Farm, site: str,
                                               clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("http_proxy", farm.dribbler("127.0.0.64", interval=0.05))
    config = dataclasses.replace(CONFIG, read_timeout=30.0, request_deadline=0.5)
    session = session_for_check(config)
    try:
        result = check_url(site + "/ok?stall=1", session, config)
    finally:
        session.close()
    assert result.status is LinkStatus.TIMEOUT, result.detail


def test_netrc_credentials_go_to_their_host_only(farm: Farm, site: str, tmp_path: Path,
                                                 clean_env: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {SITE_IP} login reader password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    other = farm.site("127.0.0.65")
    get_all(session_for_check(CONFIG), site + "/ok?auth=1", other + "/ok?auth=2")
    [mine] = [h for h in farm.log.for_host(SITE_IP) if h.path == "/ok?auth=1"]
    [theirs] = [h for h in farm.log.for_host("127.0.0.65") if h.path == "/ok?auth=2"]
    assert mine.headers["Authorization"] == "Basic cmVhZGVyOnMzY3JldA=="  # reader:s3cret
    assert "Authorization" not in theirs.headers


def test_ca_bundle_variable_is_what_the_session_verifies_with(
        clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    clean_env.setenv("CURL_CA_BUNDLE", str(bundle))
    session = make_session()
    assert session.verify == str(bundle)
    session.close()
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "first.pem"))
    session = make_session()
    assert session.verify == str(tmp_path / "first.pem")
    session.close()
    session = make_session(trust_env=False)
    assert session.verify is True
    session.close()


@pytest.mark.parametrize(("no_proxy", "host", "port", "bypass"), [
    ("*", "example.org", 80, True),
    ("example.org", "example.org", 80, True),
    ("example.org", "www.example.org", 443, True),
    (".example.org", "www.example.org", 443, True),
    ("*.example.org", "example.org", 443, True),
    ("example.org", "badexample.org", 80, False),
    ("example.org:8080", "example.org", 8080, True),
    ("example.org:8080", "example.org", 80, False),
    ("10.0.0.0/8, localhost", "10.2.3.4", 80, True),
    ("10.0.0.0/8", "11.2.3.4", 80, False),
    ("::1", "::1", 80, True),
    ("", "example.org", 80, False),
])
def test_no_proxy_entries(no_proxy: str, host: str, port: int, bypass: bool) -> None:
    assert NoProxy.parse(no_proxy).bypass(host, port) is bypass


def test_proxies_for_a_url(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://upper:3128")
    clean_env.setenv("https_proxy", "http://lower:3128")
    clean_env.setenv("no_proxy", "intranet.example")
    env = Environment.read()
    assert env.proxies_for("https://example.org/x") == {"https": "http://lower:3128"}
    assert env.proxies_for("https://wiki.intranet.example/") == {}
    assert Environment().proxies_for("https://example.org/") == {}


@given(st.text(), st.text())
def test_no_proxy_never_raises(no_proxy: str, host: str) -> None:
    NoProxy.parse(no_proxy).bypass(host.lower(), 80)


class CookieSite(Base):
    """``/set`` sets a cookie; every other path answers with a page."""

    def route(self) -> None:
        self._hit()
        if self.path == "/set":
            self.send(200, b"set", "text/plain", {"Set-Cookie": "visit=42; Path=/"})
        else:
            self.send(200, b"<title>page</title>")


def test_requests_carry_the_sessions_headers_and_cookies(farm: Farm,
                                                         clean_env: pytest.MonkeyPatch) -> None:
    site = farm.serve("127.0.0.66", CookieSite, {})
    session = session_for_check(CONFIG)
    try:
        before = check_url(site + "/plain", session, CONFIG)
        session.get(site + "/set").close()
        after = check_url(site + "/plain?again", session, CONFIG)
        own = session.get(site + "/own", params={"q": "1"}, headers={"X-Asked": "yes"},
                          cookies={"extra": "1"})
    finally:
        session.close()
    assert (before.status, after.status, own.status_code) == (LinkStatus.ALIVE,) * 2 + (200,)
    hits = {h.path: h.headers for h in farm.log.for_host("127.0.0.66")}
    assert "Cookie" not in hits["/plain"]
    assert hits["/plain?again"]["Cookie"] == "visit=42"
    assert hits["/own?q=1"]["X-Asked"] == "yes"
    assert hits["/own?q=1"]["Cookie"] in ("visit=42; extra=1", "extra=1; visit=42")
    assert {h["User-Agent"] for h in hits.values()} == {CONFIG.user_agent}


@pytest.mark.parametrize("variable, value", [
    ("HTTP_PROXY", "::::"), ("https_proxy", "http://[bad"), ("ALL_PROXY", "http://proxy:port")])
def test_a_proxy_variable_naming_no_proxy_is_an_error_before_any_request(
        farm: Farm, site: str, clean_env: pytest.MonkeyPatch, variable: str, value: str) -> None:
    clean_env.setenv(variable, value)
    before = direct(farm, "/ok")
    with pytest.raises(ProxySettingError, match="names no proxy host"):
        session_for_check(CONFIG)
    # Ignoring the environment is the way round it, and the check then goes direct.
    get_all(session_for_check(dataclasses.replace(CONFIG, trust_env=False)), site + "/ok")
    assert direct(farm, "/ok") == before + 1


def test_check_with_a_broken_proxy_variable_stops_and_records_nothing(
        tmp_path: Path, site: str, clean_env: pytest.MonkeyPatch) -> None:
    bib = tmp_path / "refs.bib"
    text = "@online{a,\n  title = {A},\n  url = {" + site + "/ok},\n}\n"
    bib.write_text(text, encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text("records: refs.bib\ncheck:\n  host_delay: 0\n",
                                            encoding="utf-8")
    clean_env.setenv("HTTP_PROXY", "::::")
    clean_env.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "bibvault.yaml"), "check", "--refresh"])
    assert result.exit_code == 2, result.output
    assert "HTTP_PROXY" in result.stderr and "check.trust_env" in result.stderr
    assert "suspect" not in result.output
    assert bib.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bibvault.yaml", "refs.bib"]
