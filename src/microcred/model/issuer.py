"""Who issues: identity (DID), issuer profile, site settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from microcred.model.rules import (
    DID_KEY_RE,
    DID_WEB_RE,
    EMAIL_RE,
    IdentityKind,
    _require,
    _text,
    _url,
)


@dataclass(frozen=True)
class Identity:
    """How the issuer is identified: a did:key (self-contained) or a did:web (site-hosted)."""

    kind: IdentityKind
    did: str | None = None  # did:web is fixed by configuration; did:key comes from the key

    def __post_init__(self) -> None:
        _require(self.kind in ("did-key", "did-web"), "$.kind", "must be 'did-key' or 'did-web'")
        if self.kind == "did-web":
            _require(
                self.did is not None and bool(DID_WEB_RE.match(self.did)),
                "$.did",
                "a did:web identity needs did = 'did:web:<host>[:<path>]' (no IP, no port colon)",
            )
        elif self.did is not None:
            _require(bool(DID_KEY_RE.match(self.did)), "$.did", "must be a did:key:z6Mk... value")


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    description: str = ""
    email: str | None = None
    image: str | None = None  # path relative to the program folder, or https URL
    identity: Identity = field(default_factory=lambda: Identity("did-key"))

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)
        _url(self.url, "$.url")
        if self.email is not None:
            _require(
                bool(EMAIL_RE.match(self.email)), "$.email", f"{self.email!r} is not an e-mail"
            )


@dataclass(frozen=True)
class SiteSettings:
    base_url: str  # where the site is published, e.g. https://org.github.io/program/
    title: str | None = None
    suspension: bool = False  # also give every credential a 'suspension' status entry
    status_list_size: int = 131_072

    def __post_init__(self) -> None:
        _url(self.base_url, "$.base_url")
        _require(self.base_url.endswith("/"), "$.base_url", "must end with '/'")
        _require(
            self.status_list_size >= 131_072 and self.status_list_size % 8 == 0,
            "$.status_list_size",
            "must be a multiple of 8 and at least 131072",
        )
