"""What a build produced (``BuildResult``, ``BuildCheck``) and what kind of project it is.

Kept apart from the builder so that deciding a build has nothing to do (site/unchanged.py)
does not import the site generator, the engine or the issuing code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError
from microcred.layout import CONFIG_FILE

ENGINES = ("mkdocs", "zensical")
"""The site engines ``microcred build --engine`` accepts (here, not in site/engine.py, so the
unchanged check does not import the engine's modules)."""


class BuildCheck:
    """The build-time verification of one credential, in words (immutable).

    Written out rather than a dataclass, like :class:`BuildResult`: an unchanged ``microcred
    build`` (cli/_quick.py) makes these and nothing else that would import ``dataclasses``,
    which imports ``inspect`` (15-20 ms of a 70-100 ms run). Equality and hashing are a
    frozen dataclass's: the fields, between objects of the same class."""

    __match_args__ = ("result", "summary", "problems")

    result: str  # valid | invalid | indeterminate | not-checked
    summary: str
    problems: tuple[str, ...]

    def __init__(self, result: str, summary: str, problems: tuple[str, ...] = ()) -> None:
        object.__setattr__(self, "result", result)
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "problems", problems)

    def _fields(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.result, self.summary, self.problems)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, BuildCheck)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        result, summary, problems = self._fields()
        return (
            f"{type(self).__name__}(result={result!r}, summary={summary!r}, problems={problems!r})"
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__name__}")


_RESULT_FIELDS = (
    "out",
    "kind",
    "pages",
    "credentials",
    "checks",
    "warnings",
    "total_bytes",
    "largest_page",
    "oversized_pages",
    "seconds",
    "issued",
)


class BuildResult:
    """What one build produced (see :class:`BuildCheck` for why it is not a dataclass; it
    compares and prints like one, and is not hashable)."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        out: Path,
        kind: str,
        pages: int,
        credentials: int,
        checks: dict[str, BuildCheck] | None = None,
        warnings: list[str] | None = None,
        total_bytes: int = 0,
        largest_page: tuple[str, int] = ("", 0),
        oversized_pages: list[tuple[str, int]] | None = None,
        seconds: float = 0.0,
        issued: list[str] | None = None,
    ) -> None:
        self.out = out
        self.kind = kind
        self.pages = pages
        self.credentials = credentials
        self.checks: dict[str, BuildCheck] = {} if checks is None else checks
        self.warnings: list[str] = [] if warnings is None else warnings
        self.total_bytes = total_bytes
        self.largest_page = largest_page
        self.oversized_pages: list[tuple[str, int]] = (
            [] if oversized_pages is None else oversized_pages
        )
        self.seconds = seconds
        self.issued: list[str] = [] if issued is None else issued  # record slugs signed here

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _RESULT_FIELDS)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in _RESULT_FIELDS)
        return f"BuildResult({shown})"


def project_kind(root: Path) -> str:
    """'issuer' or 'portfolio', from the top-level tables of ``microcred.toml``."""
    path = root / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found",
            hint="run 'microcred init DIR' to create a project, or pass --project DIR",
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the project settings: {exc}", where=str(path)) from None
    has_issuer, has_portfolio = "issuer" in data, "portfolio" in data
    if has_issuer and has_portfolio:
        raise ConfigError(
            "microcred.toml has both [issuer] and [portfolio]",
            where=str(path),
            hint="a project is either an issuer program or a portfolio",
        )
    if has_portfolio:
        return "portfolio"
    if has_issuer:
        return "issuer"
    raise ConfigError(
        "microcred.toml has neither [issuer] nor [portfolio]",
        where=str(path),
        hint="see 'microcred init --help'",
    )


def build_options(engine: str, analytics: Any, key: Any) -> dict[str, Any]:
    """The options a build's output depends on besides the project's files (a key given in
    place of the key ring signs what is issued, so its identity counts)."""
    identity = None if key is None else [str(key.controller), bytes(key.public_key).hex()]
    return {"engine": engine, "analytics": analytics, "key": identity}
