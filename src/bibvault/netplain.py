"""A plain request sent straight through urllib3's connection pool.

A link check sends tens of thousands of requests that are all alike: GET or
HEAD, no body, no parameters, no proxy, no credentials, the session's headers.
Through :class:`requests.Session` each one is prepared, merged with the
session's settings, wrapped in a ``Response`` and run past hooks and cookie
extraction: half the checker's CPU a request. For such a request
:meth:`bibvault.net.TimeoutSession.open` sends the very same bytes through the
very same pool with this module, and gives back urllib3's response with its
body unread; anything less plain takes requests' own way.

"The very same bytes" is why :func:`plain_target` accepts only URLs that
requests would send unchanged apart from what this module does too (lower-case
host, ``/`` for an empty path, no fragment, no empty ``?``): ASCII letters,
digits and the characters requests never quotes, no ``%`` escapes (requests
decodes the unreserved ones), no dot segments (urllib3 removes them), no
credentials in the URL. The errors are requests' exceptions, made as
requests' adapter makes them, so callers tell failures apart as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    InvalidHeader,
    LocationValueError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import Timeout

# Scheme, host (a name or an IPv4 address), optional port, then a path and query of
# characters requests sends as they are; the fragment, if any, is not sent.
_PLAIN = re.compile(
    r"(https?)://([A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)(?::([0-9]{1,5}))?"
    r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?"
    r"(?:#.*)?\Z", re.DOTALL)


class PlainTarget(NamedTuple):
    """Where a plain request goes: the pool's key and the request target."""

    scheme: str
    host: str
    port: int | None
    target: str

    @property
    def url(self) -> str:
        """The URL as requests would have prepared it."""
        port = "" if self.port is None else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.target}"


def plain_target(url: str) -> PlainTarget | None:
    """``url`` split for sending as it is, or None when requests would change it."""
    m = _PLAIN.match(url)
    if m is None:
        return None
    scheme, host, port, path, query = m.groups()
    if port is not None and int(port) > 65535:
        return None
    path = path or "/"
    if "/." in path:  # a dot segment, which urllib3 would remove, or a dotted name: be safe
        return None
    # Port 0 is no port to requests: the scheme's own is used.
    return PlainTarget(scheme, host.lower(), int(port) if port and int(port) else None,
                       f"{path}?{query}" if query else path)


def pool_settings(verify: bool | str | None, cert: str | tuple[str, str] | None) -> dict[str, Any]:
    """The TLS part of the pool key requests' adapter chooses for ``verify`` and ``cert``
    (so both ways share one pool a host)."""
    settings: dict[str, Any] = {"cert_reqs": "CERT_NONE" if verify is False else "CERT_REQUIRED"}
    if isinstance(verify, str):
        settings["ca_cert_dir" if os.path.isdir(verify) else "ca_certs"] = verify
    if isinstance(cert, tuple) and len(cert) == 2:
        settings["cert_file"], settings["key_file"] = cert
    elif cert is not None:
        settings["cert_file"] = cert
    return settings


def send(adapter: HTTPAdapter, method: str, to: PlainTarget, headers: Mapping[str, str | bytes],
         timeout: tuple[float, float], tls: dict[str, Any], verify: bool | str | None,
         cert: str | tuple[str, str] | None) -> BaseHTTPResponse:
    """Send a body-less request through ``adapter``'s pools; the answer's body is unread.

    ``tls`` is :func:`pool_settings` of ``verify`` and ``cert``. Raises what
    ``adapter.send`` raises for the same failure.
    """
    try:
        pool = adapter.poolmanager.connection_from_host(
            to.host, port=to.port, scheme=to.scheme, pool_kwargs=tls)
    except LocationValueError as exc:
        raise requests.exceptions.InvalidURL(exc) from exc
    if to.scheme == "https":
        adapter.cert_verify(pool, to.url, verify, cert)
    try:
        return pool.urlopen(
            method=method, url=to.target, body=None, headers=headers, redirect=False,
            assert_same_host=False, preload_content=False, decode_content=False,
            retries=adapter.max_retries, timeout=Timeout(connect=timeout[0], read=timeout[1]),
            chunked=False)
    except (ProtocolError, OSError) as exc:
        raise requests.ConnectionError(exc) from exc
    except MaxRetryError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
            raise requests.ConnectTimeout(exc) from exc
        if isinstance(reason, ResponseError):
            raise requests.exceptions.RetryError(exc) from exc
        if isinstance(reason, ProxyError):
            raise requests.exceptions.ProxyError(exc) from exc
        if isinstance(reason, SSLError):
            raise requests.exceptions.SSLError(exc) from exc
        raise requests.ConnectionError(exc) from exc
    except ClosedPoolError as exc:
        raise requests.ConnectionError(exc) from exc
    except ProxyError as exc:
        raise requests.exceptions.ProxyError(exc) from exc
    except SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc
    except ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except InvalidHeader as exc:
        raise requests.exceptions.InvalidHeader(exc) from exc
