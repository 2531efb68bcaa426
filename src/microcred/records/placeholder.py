"""Placeholder hosts: addresses that can never be a real site (RFC 2606 / RFC 6761 names).

A program whose ``base_url`` or did:web lives on ``example.org`` issues credentials nobody can
resolve or check online. ``check`` reports it (with file and line); ``issue`` refuses to sign
under a did:web on such a host, because those signatures could never be verified; and
``microcred reset`` clears what was issued under an identity that was never published.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from microcred.errors import Problem

RESERVED = frozenset({"example.org", "example.com", "example.net", "example.edu", "localhost"})
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")


def placeholder_host(value: str) -> str | None:
    """The placeholder host in a URL or did:web, or None when the host could be real."""
    if value.startswith("did:web:"):
        host = value.split(":")[2].split("%3A")[0].lower()
    else:
        host = (urlsplit(value).hostname or "").lower()
    if not host:
        return None
    # Only the bare reserved names (what a template or a guess writes) and reserved TLDs:
    # made-up subdomains such as northwind.example.org are how examples and tests name
    # fictitious issuers on purpose.
    return host if host in RESERVED or host.endswith(RESERVED_SUFFIXES) else None


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def placeholder_problems(root: Path, config: str = "microcred.toml") -> list[Problem]:
    """Problems for each setting of ``microcred.toml`` that names a placeholder host."""
    try:
        text = (root / config).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # the regular check reports an unreadable file
    found = []
    site, identity = data.get("site"), data.get("identity")
    site = site if isinstance(site, dict) else {}
    identity = identity if isinstance(identity, dict) else {}
    for table, key, value in (
        ("site", "base_url", site.get("base_url")),
        ("identity", "did", identity.get("did")),
    ):
        host = placeholder_host(value) if isinstance(value, str) else None
        if host is None:
            continue
        found.append(
            Problem(
                config,
                _line_of(text, key),
                f"$.{table}.{key}",
                f"{value!r} is on the placeholder host {host}, which can never be a published "
                "site: set the address where the site will really live (e.g. "
                "https://<owner>.github.io/<repository>/); if you already built with it, run "
                "'microcred reset --yes' afterwards",
            )
        )
    return found
