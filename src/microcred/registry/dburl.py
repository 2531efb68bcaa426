"""Registry URLs: what a registrar types, what SQLAlchemy needs, what an error may show.

``sqlite:///registry.db`` (the default, relative to the current folder) or a PostgreSQL URL
(``postgresql+psycopg://user:password@host:5432/db``; ``postgresql://`` and ``postgres://``
mean the same driver). A password never appears in a message: it is shown as ``***``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from microcred.errors import MicrocredError

DEFAULT_URL = "sqlite:///registry.db"
EXAMPLES = "sqlite:///registry.db or postgresql+psycopg://user:password@host:5432/dbname"


class RegistryError(MicrocredError):
    """The registry cannot be opened or used (bad URL, unreachable server, damaged file)."""

    code = "REGISTRY_ERROR"


def masked(url: str | URL) -> str:
    """The URL as it may be shown: the password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not parseable: hide anything between '//user:' and '@'.
        head, sep, rest = url.partition("://")
        if sep and "@" in rest:
            cred, _, host = rest.rpartition("@")
            user = cred.split(":", 1)[0]
            return f"{head}://{user}:***@{host}" if ":" in cred else url
        return url


def parse_url(text: str | None) -> URL:
    """A validated SQLAlchemy URL for ``--registry`` (None: the default SQLite file)."""
    raw = (text or DEFAULT_URL).strip()
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise RegistryError(
            f"--registry {masked(raw)!r} is not a database URL", hint=f"write {EXAMPLES}"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        driver = url.drivername.partition("+")[2]
        if driver in ("", "psycopg"):
            url = url.set(drivername="postgresql+psycopg")
        else:
            raise RegistryError(
                f"registry {masked(url)}: the driver {driver!r} is not supported",
                hint="use postgresql+psycopg://… (psycopg 3 is installed with microcred)",
            )
    elif backend == "sqlite":
        if url.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise RegistryError(
                f"registry {masked(url)}: the driver {url.drivername!r} is not supported",
                hint="use sqlite:///path/to/registry.db",
            )
        if not url.database or url.database == ":memory:":
            raise RegistryError(
                f"registry {masked(url)} names no file; an in-memory registry would be lost",
                hint="use sqlite:///registry.db (three slashes, then a path)",
            )
    else:
        raise RegistryError(
            f"registry {masked(url)}: {backend!r} databases are not supported",
            hint=f"write {EXAMPLES}",
        )
    return url


def sqlite_path(url: URL) -> Path | None:
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
