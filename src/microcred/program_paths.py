"""Absolute paths inside one program folder (``microcred.layout.ProgramPaths``, loaded on
first use)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from microcred.layout import (
    CONFIG_FILE,
    CREDENTIALS_DIR,
    ENDORSEMENTS_DIR,
    ISSUE_INDEX,
    ISSUE_INDEX_NAME,
    KEYS_DIR,
    credential_file,
    published_list_file,
    status_state_file,
)


@dataclass(frozen=True)
class ProgramPaths:
    """Absolute paths inside one program (or portfolio) folder."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def credentials(self) -> Path:
        return self.root / CREDENTIALS_DIR

    @property
    def issue_index(self) -> Path:
        return self.root / ISSUE_INDEX

    @property
    def endorsements(self) -> Path:
        return self.root / ENDORSEMENTS_DIR

    @property
    def keys(self) -> Path:
        return self.root / KEYS_DIR

    def credential(self, slug: str) -> Path:
        return self.root / credential_file(slug)

    def status_state(self, purpose: str) -> Path:
        return self.root / status_state_file(purpose)

    def published_list(self, purpose: str) -> Path:
        return self.root / published_list_file(purpose)

    def credential_files(self) -> list[Path]:
        """Issued credential files, sorted (the receipt index is not one)."""
        if not self.credentials.is_dir():
            return []
        return sorted(p for p in self.credentials.glob("*.json") if p.name != ISSUE_INDEX_NAME)


# --------------------------------------------------------------------------- site URLs
