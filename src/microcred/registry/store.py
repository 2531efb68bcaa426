"""The registry database: open (migrating on the way), write in one locked transaction, read.

Python API used by the CLI and by other features (the CLR transcript builds on
:meth:`Registry.accepted_credentials` and :meth:`Registry.record_transcript`)::

    with Registry.open("sqlite:///registry.db") as reg:
        for item in reg.accepted_credentials("s-1024", "2026-autumn"):
            item.content, item.credits, item.credit_unit, item.policy_name
        reg.record_transcript(learner=..., content=signed_bytes, issued_at=..., issued_by=...)

Writers serialize: SQLite takes its write lock at ``BEGIN IMMEDIATE``; PostgreSQL takes a
transaction-scoped advisory lock. Totals read inside a write transaction are therefore never
stale, so two imports running at once cannot both spend the same cap or insert the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from microcred.registry import schema
from microcred.registry.dburl import RegistryError, masked, parse_url, sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "r0002"
"""The newest migration; a registry at another revision is upgraded (or refused if newer)."""
_LOCK_KEY = 0x6D6963726F637264  # 'microcrd': one advisory lock for every registry writer
_WRITE = "microcred_write"


def _hint(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return "check the path, the folder's permissions and that the file is a microcred registry"
    return (
        "check that the server is running and reachable at that host and port, the user name "
        "and password, and that the database exists"
    )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


@dataclass(frozen=True)
class AcceptedCredential:
    """One credential a learner may be credited for (its effective verdict is accepted)."""

    row: int
    credential_id: str | None
    sha256: str
    content: bytes
    issuer: str | None
    issuer_name: str | None
    achievement: str | None
    term: str | None
    credits: float | None
    credit_unit: str | None
    policy_name: str | None


class Registry:
    """An open registry. Use as a context manager, or call :meth:`close`."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self.url = url
        self.shown = masked(url)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, text: str | None = None, *, create: bool = True) -> Registry:
        """Open (and create or migrate) the registry at ``text`` (default sqlite:///registry.db).

        ``create=False`` refuses a missing SQLite file (for read-only commands).
        """
        url = parse_url(text)
        path = sqlite_path(url)
        if path is not None:
            if not create and not path.exists():
                raise RegistryError(
                    f"no registry at {masked(url)} ({path} does not exist)",
                    hint="import credentials first, or pass --registry with the right URL",
                )
            if not path.parent.is_dir():
                raise RegistryError(
                    f"cannot create the registry {masked(url)}: folder {path.parent} does not exist"
                )
        engine = _engine(url)
        registry = cls(engine, url)
        try:
            with registry.errors():
                registry._migrate()
        except BaseException:
            engine.dispose()
            raise
        return registry

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Database failures become one RegistryError naming the (masked) URL."""
        try:
            yield
        except (DBAPIError, SQLAlchemyError) as exc:
            raise RegistryError(
                f"cannot use the registry {self.shown}: {_first_line(exc)}", hint=_hint(self.url)
            ) from None

    def _current_revision(self) -> str | None:
        """The schema revision, read without a lock (and without importing Alembic)."""
        with self.engine.connect() as conn, conn.begin():
            if not inspect(conn).has_table("alembic_version"):
                return None
            found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            return str(found) if found is not None else None

    def _migrate(self) -> None:
        if self._current_revision() == HEAD:
            return  # the usual case: no writer lock, so opening never waits for an import
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        with self.write() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current == HEAD:
                return
            known = {p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("r*_*.py")}
            if current is not None and current not in known:
                raise RegistryError(
                    f"the registry {self.shown} has schema {current!r}, newer than this microcred",
                    hint="upgrade microcred before using this registry",
                )
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def write(self, *, commit: bool = True) -> Iterator[Connection]:
        """One write transaction holding the registry's writer lock; rolled back on error (and
        at the end when ``commit`` is false: a dry run sees everything, keeps nothing)."""
        with self.engine.connect().execution_options(**{_WRITE: True}) as conn:
            transaction = conn.begin()
            try:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
                yield conn
            except BaseException:
                transaction.rollback()
                raise
            if commit:
                transaction.commit()
            else:
                transaction.rollback()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    # -- the API for transcripts and other features ----------------------------------------
    def accepted_credentials(
        self, learner: str, term: str | None = None
    ) -> list[AcceptedCredential]:
        """Every credential whose current verdict is accepted for ``learner`` (one term, or all)."""
        c = schema.credentials
        query = select(c).where(c.c.learner == learner, c.c.current_verdict == "accepted")
        if term is not None:
            query = query.where(c.c.term == term)
        with self.read() as conn:
            return [
                AcceptedCredential(
                    row=r.id,
                    credential_id=r.credential_id,
                    sha256=r.sha256,
                    content=bytes(r.content),
                    issuer=r.issuer,
                    issuer_name=r.trusted_name or r.issuer_name,
                    achievement=r.achievement,
                    term=r.term,
                    credits=r.granted_credits if r.granted_credits is not None else r.credits,
                    credit_unit=r.credit_unit,
                    policy_name=r.policy_name,
                )
                for r in conn.execute(query.order_by(c.c.term, c.c.id))
            ]

    def record_transcript(
        self,
        *,
        learner: str,
        content: bytes,
        issued_at: str,
        issued_by: str | None = None,
        credential_id: str | None = None,
        term: str | None = None,
    ) -> int:
        """Keep a transcript the school issued; the same bytes twice is one row. Returns its id."""
        digest = hashlib.sha256(content).hexdigest()
        t = schema.transcripts
        with self.errors(), self.write() as conn:
            found = conn.execute(select(t.c.id).where(t.c.sha256 == digest)).scalar()
            if found is not None:
                return int(found)
            result = conn.execute(
                t.insert().values(
                    learner=learner,
                    sha256=digest,
                    credential_id=credential_id,
                    content=content,
                    term=term,
                    issued_at=issued_at,
                    issued_by=issued_by,
                    status="active",
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def transcripts(self, learner: str | None = None) -> list[dict[str, Any]]:
        """Transcripts issued (newest first), without their bytes."""
        t = schema.transcripts
        query = select(
            t.c.id,
            t.c.learner,
            t.c.sha256,
            t.c.credential_id,
            t.c.term,
            t.c.issued_at,
            t.c.issued_by,
            t.c.status,
        )
        if learner is not None:
            query = query.where(t.c.learner == learner)
        with self.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(t.c.id.desc()))]

    def set_transcript_status(self, transcript: int, status: str) -> None:
        t = schema.transcripts
        with self.errors(), self.write() as conn:
            conn.execute(t.update().where(t.c.id == transcript).values(status=status))

    def count(self) -> int:
        with self.read() as conn:
            return int(
                conn.execute(select(func.count()).select_from(schema.credentials)).scalar_one()
            )


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 600})

        @event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # transactions are begun below, explicitly
            cursor = dbapi.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 600000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get(_WRITE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(
        url,
        connect_args={"connect_timeout": 10, "application_name": "microcred"},
        pool_pre_ping=True,
    )
