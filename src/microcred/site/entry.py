"""``build_site``: keep the previous output when nothing changed, else run the whole build.

The decision (site/unchanged.py) imports neither the builder, the engine nor the issuing
code, so an unchanged rebuild costs a small fraction of a build (issue 12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from microcred.errors import ConfigError
from microcred.site.outcome import ENGINES, BuildResult, build_options, project_kind
from microcred.site.unchanged import kept_build

if TYPE_CHECKING:
    from microcred.proof.keys import KeyPair

Progress = Callable[[int, int, str], None]


_REFUSED: list[tuple[Any, ...]] = []
"""The arguments :func:`kept_site` last found no kept output for, in this process: the
command line asks before it loads click (cli/_quick.py), and the build it then runs does not
ask again."""


def _resolved(
    root: Path, out: Path | None, keep_source: Path | None
) -> tuple[Path, Path, Path | None]:
    """The project, the output folder (default ``site/`` in the project) and the kept
    source's folder, as absolute paths."""
    resolved = root.resolve()
    target = (out if out is not None else resolved / "site").resolve()
    return resolved, target, keep_source.resolve() if keep_source is not None else None


def kept_site(
    root: Path,
    out: Path | None = None,
    *,
    now: dt.datetime,
    engine: str = "mkdocs",
    analytics: Mapping[str, Any] | None = None,
    keep_source: Path | None = None,
    key: KeyPair | None = None,
) -> BuildResult | None:
    """The previous output of :func:`build_site` with the same arguments, when it can stay
    (see site/unchanged.py); None when the site must be built."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown site engine {engine!r}", hint="use mkdocs or zensical")
    if now.tzinfo is None:
        raise ConfigError("the build time needs a time zone")
    resolved, target, kept = _resolved(root, out, keep_source)
    options = build_options(engine, analytics, key)
    asked = (resolved, target, kept, now, options)
    if _REFUSED and _REFUSED[0] == asked:
        return None  # asked a moment ago in this process: nothing read since
    previous = None
    if project_kind(resolved) == "issuer" and target.is_dir():
        previous = kept_build(resolved, target, kept, now, options)
    _REFUSED[:] = [] if previous is not None else [asked]
    return previous


def build_site(
    root: Path,
    out: Path | None = None,
    *,
    now: dt.datetime,
    engine: str = "mkdocs",
    passphrase: str | None = None,
    analytics: Mapping[str, Any] | None = None,
    keep_source: Path | None = None,
    progress: Progress | None = None,
    key: KeyPair | None = None,
) -> BuildResult:
    """Build the project at ``root`` into ``out`` (default ``root/site``).

    Issues what changed, verifies every credential and builds the site; when the project,
    microcred and the options are as the last build left them, no date in what it published
    was passed since, and its output is intact, that output is kept as it is.
    ``key`` signs with a given key instead of the program's key ring (tests, benchmarks).
    """
    previous = kept_site(
        root, out, now=now, engine=engine, analytics=analytics, keep_source=keep_source, key=key
    )
    if previous is not None:
        return previous
    _REFUSED.clear()  # the build below changes what a next ask would find
    resolved, target, kept = _resolved(root, out, keep_source)
    # The child drawing the QR codes starts now, on the idle core, while this process
    # imports the builder (a quarter of a second) and reads the program.
    from microcred.site.ahead import DrawAhead
    from microcred.site.keyahead import KeyAhead

    issuer = project_kind(resolved) == "issuer"
    ahead = DrawAhead(resolved, None) if issuer else None
    # After the fork above: the key's derivation runs on a thread during the import below.
    key_ahead = KeyAhead(resolved, passphrase) if issuer else None
    try:
        from microcred.site.build import build_full  # the builder, only when there is work

        return build_full(
            resolved,
            target,
            now=now,
            engine=engine,
            passphrase=passphrase,
            analytics=analytics,
            keep_source=kept,
            progress=progress,
            key=key,
            ahead=ahead,
            key_ahead=key_ahead,
        )
    finally:
        if key_ahead is not None:
            key_ahead.close()  # joined whatever happened (a failed import, say)
        if ahead is not None:
            ahead.close()
