"""The network settings a process's environment gives, read once per session.

requests, left to itself (``trust_env``), reads the proxy variables, the CA
bundle variables and the ``.netrc`` file again for every request: on a link
check of 100,000 URLs that was a fifth of the checker's CPU. A session made by
:func:`bibvault.net.make_session` reads them once, into an :class:`Environment`,
and applies that to each request itself, with the same meaning:

- ``http_proxy``, ``https_proxy``, ``all_proxy`` (either case; lower case wins)
  name the proxy for each scheme; ``no_proxy`` lists hosts reached directly: a
  name matches itself and its subdomains (a leading ``.`` or ``*.`` is ignored),
  ``host:port`` only that port, an address or a network (``10.0.0.0/8``) the
  addresses in it, and ``*`` every host;
- ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` names the certificates to trust;
- ``NETRC`` or ``~/.netrc`` gives credentials for the hosts it names.
"""

from __future__ import annotations

import ipaddress
import netrc
import os
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bibvault.errors import StageError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class NoProxy:
    """The parsed ``no_proxy`` list."""

    everything: bool = False
    names: tuple[str, ...] = ()
    named_ports: tuple[tuple[str, int], ...] = ()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, value: str) -> NoProxy:
        """``no_proxy``'s comma-separated entries; entries that mean nothing are ignored."""
        names: list[str] = []
        ports: list[tuple[str, int]] = []
        nets: list[Network] = []
        for raw in value.split(","):
            entry = raw.strip().lower()
            if entry == "*":
                return cls(everything=True)
            entry = entry.removeprefix("*").lstrip(".")
            if not entry:
                continue
            try:
                nets.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            host, sep, port = entry.rpartition(":")
            if sep and port.isdigit() and host and "]" not in port:
                ports.append((host.strip("[]"), int(port)))
            else:
                names.append(entry)
        return cls(False, tuple(names), tuple(ports), tuple(nets))

    def bypass(self, host: str, port: int | None) -> bool:
        """Whether ``host`` (lower case, no brackets) on ``port`` is reached directly."""
        if self.everything:
            return True
        if self.networks:
            try:
                addr = ipaddress.ip_address(host)
            except ValueError:
                pass
            else:
                return any(addr.version == n.version and addr in n for n in self.networks) \
                    or any(h == host and p == port for h, p in self.named_ports)
        return any(host == n or host.endswith("." + n) for n in self.names) or any(
            (host == h or host.endswith("." + h)) and port == p for h, p in self.named_ports)


class ProxySettingError(StageError):
    """A proxy variable of the environment names no usable proxy."""


def _check_proxy(scheme: str, value: str) -> None:
    """Raise :class:`ProxySettingError` unless ``value`` names a proxy host (and a
    valid port): a request through it could not even start, and every link would
    then read as failing when the fault is the setting."""
    url = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        host = None
    if not host:
        raise ProxySettingError(
            f"the environment's {scheme} proxy ({scheme}_proxy or {scheme.upper()}_PROXY) is "
            f"{value!r}, which names no proxy host; correct or unset it, or set "
            "check.trust_env: false to ignore the environment")


@dataclass(frozen=True)
class Environment:
    """Proxies, trusted certificates and credentials, as read at one moment."""

    proxies: Mapping[str, str] = field(default_factory=dict)
    no_proxy: NoProxy = NoProxy()
    ca_bundle: str | None = None
    credentials: netrc.netrc | None = None

    @classmethod
    def read(cls) -> Environment:
        """The settings this process's environment gives now; a proxy variable that
        names no proxy host raises :class:`ProxySettingError`."""
        # The standard library's reading: lower case wins, and on macOS and
        # Windows the system's proxy settings count too, as they do for requests.
        found = dict(urllib.request.getproxies())
        no_proxy = NoProxy.parse(found.pop("no", ""))
        for scheme in ("http", "https", "all"):  # the ones a link check goes through
            if scheme in found:
                _check_proxy(scheme, found[scheme])
        env = os.environ
        ca = env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or None
        return cls(found, no_proxy, ca, _netrc(env.get("NETRC")))

    def proxies_for(self, url: str) -> dict[str, str]:
        """The proxies a request to ``url`` goes through (empty: none), in the form
        requests takes (``{"http": ..., "https": ..., "all": ...}``)."""
        if not self.proxies:
            return {}
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return dict(self.proxies)
        if port is None:
            port = 443 if parts.scheme == "https" else 80
        if host and self.no_proxy.bypass(host, port):
            return {}
        return dict(self.proxies)

    def auth_for(self, url: str) -> tuple[str, str] | None:
        """The ``.netrc`` login and password for ``url``'s host, if it has some."""
        if self.credentials is None:
            return None
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return None
        if not host:
            return None
        found = self.credentials.authenticators(host)
        if not found:
            return None
        login, account, password = found
        return (login or account or "", password or "")


def _netrc(named: str | None) -> netrc.netrc | None:
    """The credentials file requests would read (``named``, else ``~/.netrc`` or
    ``~/_netrc``), parsed; None without one, or when it cannot be read (requests
    then ignores it too)."""
    try:
        candidates = [Path(named).expanduser()] if named else [
            Path("~/.netrc").expanduser(), Path("~/_netrc").expanduser()]
    except RuntimeError:  # no home folder to expand ~ to
        return None
    for path in candidates:
        if path.is_file():
            try:
                return netrc.netrc(str(path))
            except (OSError, netrc.NetrcParseError):
                return None
    return None
