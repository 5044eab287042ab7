"""Internet Archive credentials: from the environment or the ``internetarchive`` config.

The secret never leaves this object except in the ``Authorization`` header:
``repr`` and ``str`` mask it, so it cannot leak into logs or reports by accident;
text from a remote answer goes through :func:`redact` before it is reported, and
the header is never sent over plain ``http://`` (loopback excepted).
"""

from __future__ import annotations

import configparser
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Credentials:
    """An access key and secret, and where they came from (for messages)."""

    access: str
    secret: str = field(repr=False)
    source: str = ""

    def header(self) -> str:
        """The value of the SPN2 ``Authorization`` header."""
        return f"LOW {self.access}:{self.secret}"

    def __str__(self) -> str:
        return f"credentials from {self.source or 'unknown source'}"

    def redact(self, text: str) -> str:
        """``text`` with these credentials (and any ``LOW key:secret`` value) masked."""
        for value in (self.header(), f"{self.access}:{self.secret}", self.secret):
            text = text.replace(value, "***")
        return redact(text)


_AUTH = re.compile(r"(?i)\b(LOW|Basic|Bearer|Token)\s+[^\s\"',;}]+")
_AUTH_HEADER = re.compile(r"(?i)(authorization|cookie|x-api-key)(\W{1,3})[^\n\"',;}]+")


def redact(text: str) -> str:
    """``text`` from a remote answer with anything that looks like a credential masked:
    ``Authorization`` values and ``LOW``/``Basic``/``Bearer`` tokens (an archive that
    echoes the request must not make the report print the secret)."""
    text = _AUTH.sub(lambda m: f"{m.group(1)} ***", text)
    return _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def plain_http_to_remote(url: str) -> bool:
    """Sending credentials to ``url`` would expose them: plain ``http://`` to a host
    other than this machine's loopback."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def config_candidates(environ: Mapping[str, str], home: Path) -> list[Path]:
    """Where the ``internetarchive`` tool keeps its configuration, in its order."""
    out: list[Path] = []
    if environ.get("IA_CONFIG_FILE"):
        out.append(Path(environ["IA_CONFIG_FILE"]))
    xdg = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else home / ".config"
    out += [xdg / "internetarchive" / "ia.ini", home / ".config" / "ia.ini", home / ".ia"]
    return out


def find_credentials(environ: Mapping[str, str] | None = None,
                     home: Path | None = None) -> Credentials | None:
    """``IA_ACCESS_KEY``/``IA_SECRET_KEY`` if both are set, else ``[s3] access/secret``
    from the first ``internetarchive`` config file that has them, else ``None``."""
    env = os.environ if environ is None else environ
    access, secret = env.get("IA_ACCESS_KEY", ""), env.get("IA_SECRET_KEY", "")
    if access and secret:
        return Credentials(access, secret, "the environment")
    for path in config_candidates(env, home or Path.home()):
        creds = _from_ini(path)
        if creds is not None:
            return creds
    return None


def _from_ini(path: Path) -> Credentials | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as fh:
            parser.read_file(fh)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    access = parser.get("s3", "access", fallback="").strip()
    secret = parser.get("s3", "secret", fallback="").strip()
    if access and secret:
        return Credentials(access, secret, str(path))
    return None
