"""Writing a generated tree: every path is checked, nothing is written twice (MC-66)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from microcred.errors import ConfigError
from microcred.fsutil import link_or_copy

_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,120}$")
_DOT_SEGMENTS = frozenset({".nojekyll", ".well-known"})


class Tree:
    """A folder we fill; paths are '/'-separated, relative, and may not escape or collide."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._written: dict[str, str] = {}  # case-folded path -> path as written
        self._folders: set[Path] = set()  # made already (one mkdir each, not one per file)
        # path -> (size, SHA-256) of every file written or placed: taken from the bytes in
        # hand (or the digest a placed file was checked against), so the build's scan of
        # the source and the engine's page keys need not read them again
        self.digests: dict[str, tuple[int, str]] = {}

    def claim(self, rel: str) -> list[str]:
        """Check ``rel`` and record it as written (its path segments, for the caller)."""
        parts = rel.split("/")
        for part in parts:
            if part in _DOT_SEGMENTS:
                continue
            if not _SEGMENT_RE.match(part) or part in (".", ".."):
                raise ConfigError(f"refusing to write {rel!r}: unsafe path segment {part!r}")
        folded = rel.casefold()
        if folded in self._written:
            raise ConfigError(
                f"two generated files would share the path {rel!r} "
                f"(already written as {self._written[folded]!r})",
                hint="two slugs collide; rename one of the records or briefs",
            )
        self._written[folded] = rel
        return parts

    def path(self, rel: str) -> Path:
        parts = self.claim(rel)
        target = self.root.joinpath(*parts)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def write(self, rel: str, data: bytes | str) -> None:
        target = self.path(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        target.write_bytes(raw)
        self.digests[rel] = (len(raw), hashlib.sha256(raw).hexdigest())

    def place(self, rel: str, source: str, size: int, digest: str) -> None:
        """Put the file at ``source`` (``size`` bytes whose SHA-256 is ``digest``, as the
        caller checked) at ``rel``: a hard link (a copy across file systems)."""
        link_or_copy(source, self.path(rel))
        self.digests[rel] = (size, digest)

    def written(self) -> list[str]:
        """Every path written so far, in the order written."""
        return list(self._written.values())

    @property
    def files(self) -> list[str]:
        return sorted(self._written.values())
