"""What a build produced (``BuildResult``, ``BuildCheck``) and what kind of project it is.

Kept apart from the builder so that deciding a build has nothing to do (site/unchanged.py)
does not import the site generator, the engine or the issuing code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError
from microcred.layout import CONFIG_FILE

ENGINES = ("mkdocs", "zensical")
"""The site engines ``microcred build --engine`` accepts (here, not in site/engine.py, so the
unchanged check does not import the engine's modules)."""


@dataclass(frozen=True)
class BuildCheck:
    """The build-time verification of one credential, in words."""

    result: str  # valid | invalid | indeterminate | not-checked
    summary: str
    problems: tuple[str, ...] = ()


@dataclass
class BuildResult:
    out: Path
    kind: str
    pages: int
    credentials: int
    checks: dict[str, BuildCheck] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    total_bytes: int = 0
    largest_page: tuple[str, int] = ("", 0)
    oversized_pages: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0
    issued: list[str] = field(default_factory=list)  # record slugs signed by this build


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
