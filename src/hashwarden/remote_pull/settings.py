"""The NCMEC endpoint and its credentials, from the environment (never from the command line).

- ``HASHWARDEN_NCMEC_URL``: base URL of the hash-sharing service, default NCMEC's industry
  production service ``https://report.cybertip.org/hashsharing`` (``/v2/entries`` is appended).
- ``HASHWARDEN_NCMEC_USER``: the API user name.
- ``HASHWARDEN_NCMEC_PASSWORD``, or ``HASHWARDEN_NCMEC_PASSWORD_FILE``: a file whose first line
  is the password (for secret mounts); a password file given to the command wins over both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from hashwarden.core.errors import ConfigError

URL_ENV = "HASHWARDEN_NCMEC_URL"
USER_ENV = "HASHWARDEN_NCMEC_USER"
PASSWORD_ENV = "HASHWARDEN_NCMEC_PASSWORD"
PASSWORD_FILE_ENV = "HASHWARDEN_NCMEC_PASSWORD_FILE"
#: python-threatexchange's ``NCMECEnvironment.Industry``.
DEFAULT_URL = "https://report.cybertip.org/hashsharing"


@dataclass(frozen=True)
class NcmecCredentials:
    # Both kept out of ``repr``, so a logged or printed object shows neither.
    user: str = field(repr=False)
    password: str = field(repr=False)


def ncmec_url(override: str | None = None) -> str:
    """The base URL: ``override``, else ``$HASHWARDEN_NCMEC_URL``, else NCMEC's production URL."""
    raw = (override or os.environ.get(URL_ENV, "") or DEFAULT_URL).strip()
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        raise ConfigError(f"the NCMEC URL is malformed: {_shown(raw)!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the NCMEC URL must be an http(s) URL, got {_shown(raw)!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"the NCMEC URL must not carry credentials; set {USER_ENV} and {PASSWORD_ENV} "
            f"(or {PASSWORD_FILE_ENV}) instead"
        )
    if parts.query or parts.fragment:
        raise ConfigError("the NCMEC URL is a base URL: no query or fragment")
    return raw.rstrip("/")


def ncmec_credentials(password_file: Path | None = None) -> NcmecCredentials:
    """User and password from the environment (or ``password_file``); clear error when missing."""
    user = os.environ.get(USER_ENV, "").strip()
    if password_file is None and (configured := os.environ.get(PASSWORD_FILE_ENV, "").strip()):
        password_file = Path(configured).expanduser()
    if password_file is not None:
        password = _read_password(password_file)
    else:
        password = os.environ.get(PASSWORD_ENV, "")
    missing = [name for name, value in ((USER_ENV, user), (PASSWORD_ENV, password)) if not value]
    if missing:
        raise ConfigError(
            f"NCMEC credentials are not configured: set {' and '.join(missing)}"
            + (f" (or {PASSWORD_FILE_ENV})" if PASSWORD_ENV in missing else "")
        )
    return NcmecCredentials(user, password)


def _read_password(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"cannot read the NCMEC password file {path}: {reason}") from None
    lines = text.splitlines()
    password = lines[0].strip() if lines else ""
    if not password:
        raise ConfigError(f"the NCMEC password file {path} is empty")
    return password


def _shown(url: str) -> str:
    # Whatever sits before an '@' could be a secret pasted by mistake: never echo it.
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url[:200]
