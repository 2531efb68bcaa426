"""``microcred-site.json``, what a built site publishes (``microcred.layout.SiteManifest``,
loaded on first use)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microcred.layout import CREDENTIALS_DIR, SITE_VERSION, ManifestError, _manifest_problem


@dataclass(frozen=True)
class SiteManifest:
    """``microcred-site.json``: what a built site publishes, so ``verify SITE`` needs nothing else.

    ``credentials``, ``did_documents`` and ``status_lists`` hold site-relative paths;
    ``owner`` is the issuer DID (``kind`` issuer) or the holder's name (``kind`` portfolio).
    """

    kind: str | None
    base_url: str | None
    credentials: tuple[str, ...]
    did_documents: Mapping[str, str] = field(default_factory=dict)
    status_lists: Mapping[str, str] = field(default_factory=dict)
    built_at: str | None = None
    owner: str | None = None

    def __post_init__(self) -> None:
        problem = _manifest_problem(self._fields())
        if problem:
            raise ManifestError(problem)

    def _fields(self) -> dict[str, Any]:
        owner_key = "holder" if self.kind == "portfolio" else "issuer"
        data: dict[str, Any] = {"microcred_site": SITE_VERSION}
        if self.kind is not None:
            data["kind"] = self.kind
        if self.base_url is not None:
            data["base_url"] = self.base_url
        if self.owner is not None:
            data[owner_key] = self.owner
        data["did_documents"] = dict(self.did_documents)
        data["status_lists"] = dict(self.status_lists)
        data[CREDENTIALS_DIR] = list(self.credentials)
        if self.built_at is not None:
            data["built_at"] = self.built_at
        return data

    def to_json(self) -> dict[str, Any]:
        """The manifest as written (key order fixed, so a rebuild changes no byte)."""
        return self._fields()

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> SiteManifest:
        """Validate parsed JSON; :class:`ManifestError` names the first problem."""
        problem = _manifest_problem(data)
        if problem:
            raise ManifestError(problem)
        kind = data.get("kind")
        owner = data.get("holder" if kind == "portfolio" else "issuer")
        base_url = data.get("base_url")
        return cls(
            kind=kind if isinstance(kind, str) else None,
            base_url=base_url if isinstance(base_url, str) else None,
            credentials=tuple(data[CREDENTIALS_DIR]),
            did_documents=dict(data.get("did_documents", {})),
            status_lists=dict(data.get("status_lists", {})),
            built_at=data.get("built_at"),
            owner=owner if isinstance(owner, str) else None,
        )


# --------------------------------------------------------------------------- package data
