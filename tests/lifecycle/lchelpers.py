"""Helpers for the lifecycle tests and bench/issue_scale.py (no pytest imports).

Programs are built from the bundled example: a few of its records (fast), optionally a did:web
identity, suspension, and any number of generated records (for crash and scale runs).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)
DID_WEB = "did:web:northwind-talent.example.org:microinternships"
SMALL = ("data-2026-03-01", "data-2026-03-02", "data-2026-03-03")
TEMPLATE_RECORD = "data-2026-03-01"


def make_program(
    dest: Path,
    *,
    keep: Iterable[str] | None = SMALL,
    did_web: bool = False,
    suspension: bool = False,
    bulk: int = 0,
) -> Path:
    """A program folder at ``dest``: ``keep`` = example records to keep (None: all of them),
    ``bulk`` extra generated records (``bulk-0001`` ...), no key yet."""
    shutil.copytree(
        EXAMPLE, dest, ignore=shutil.ignore_patterns(".microcred", "credentials", "status", "site")
    )
    template = (dest / "records" / f"{TEMPLATE_RECORD}.md").read_text(encoding="utf-8")
    if keep is not None:
        wanted = set(keep)
        for record in (dest / "records").glob("*.md"):
            if record.stem not in wanted:
                record.unlink()
        _drop_unused_briefs(dest)
        _drop_dangling_endorsements(dest)
    for number in range(1, bulk + 1):
        add_record(dest, f"bulk-{number:04d}", template=template, number=number)
    _seed_endorser_keys(dest)
    toml = dest / "microcred.toml"
    text = toml.read_text(encoding="utf-8")
    if did_web:
        text = text.replace('kind = "did-key"', f'kind = "did-web"\ndid = "{DID_WEB}"')
    if suspension:
        text = text.replace("suspension = false", "suspension = true")
    toml.write_text(text, encoding="utf-8")
    return dest


def add_record(root: Path, slug: str, *, template: str | None = None, number: int = 0) -> Path:
    """A new completed record, a copy of the template record for another (fake) candidate."""
    if template is None:
        template = (EXAMPLE / "records" / f"{TEMPLATE_RECORD}.md").read_text(encoding="utf-8")
    text = template.replace("zoe.unal@example.org", f"candidate-{slug}@example.org")
    text = text.replace("name: Zoë Ünal", f"name: Candidate {number or slug}")
    path = root / "records" / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return path


def edit_record(root: Path, slug: str) -> None:
    """Change what a record certifies (its hours), so its credential must be re-signed."""
    path = root / "records" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^hours: ([0-9.]+)$", text, re.MULTILINE)
    assert match, f"{path} has no hours line"
    path.write_text(text.replace(match.group(0), f"hours: {float(match.group(1)) + 1}"), "utf-8")


def _drop_unused_briefs(root: Path) -> None:
    used = set()
    for record in (root / "records").glob("*.md"):
        found = re.search(r"^achievement: (\S+)$", record.read_text(encoding="utf-8"), re.M)
        if found:
            used.add(found.group(1))
    for brief in (root / "achievements").glob("*.md"):
        if brief.stem not in used and "\nopen: true" not in brief.read_text(encoding="utf-8"):
            brief.unlink()


def _seed_endorser_keys(root: Path) -> None:
    """Endorser keys from fixed seeds: two copies of a program sign endorsements alike."""
    from microcred.issue.endorse import endorser_key_path
    from microcred.proof.didkey import did_key_from_public
    from microcred.proof.keys import KeyPair, multikey_from_public, public_key_from_seed
    from microcred.proof.keystore import save_keyfile

    for source in sorted((root / "endorsements").glob("*.md")):
        match = re.search(r"^  name: (.+)$", source.read_text(encoding="utf-8"), re.M)
        if match is None:
            continue
        path = endorser_key_path(root, match.group(1).strip())
        if path.exists():
            continue
        seed = hashlib.sha256(f"endorser {match.group(1).strip()}".encode()).digest()
        public = public_key_from_seed(seed)
        did = did_key_from_public(public)
        save_keyfile(path, KeyPair(public, seed, did, f"{did}#{multikey_from_public(public)}"))


def _drop_dangling_endorsements(root: Path) -> None:
    """Endorsements of records or briefs this program no longer has would fail `check`."""
    for endorsement in (root / "endorsements").glob("*.md"):
        found = re.search(
            r"^  (credential|achievement): (\S+)$", endorsement.read_text(encoding="utf-8"), re.M
        )
        folder = {"credential": "records", "achievement": "achievements"}.get(
            found.group(1) if found else ""
        )
        if found and folder and not (root / folder / f"{found.group(2)}.md").exists():
            endorsement.unlink()


def credential_files(root: Path) -> dict[str, bytes]:
    return {
        p.stem: p.read_bytes()
        for p in sorted((root / "credentials").glob("*.json"))
        if p.name != "index.json"
    }


def credentials(root: Path) -> dict[str, dict[str, Any]]:
    return {slug: json.loads(raw) for slug, raw in credential_files(root).items()}


def all_files(root: Path, *folders: str) -> dict[str, bytes]:
    """Every file under the given program folders, by relative path."""
    out = {}
    for folder in folders:
        base = root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def entries(credential: Mapping[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    return list(status) if isinstance(status, list) else [dict(status)]


def index_of(credential: Mapping[str, Any], purpose: str = "revocation") -> int:
    (entry,) = [e for e in entries(credential) if e["statusPurpose"] == purpose]
    return int(entry["statusListIndex"])


def decode_bits(encoded: str) -> bytes:
    """An independent reading of ``encodedList`` (stdlib only, none of microcred's decoder):
    multibase 'u' = base64url without padding, then GZIP."""
    assert encoded.startswith("u"), encoded[:10]
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bits: bytes, index: int) -> int:
    """Bit ``index`` as the Bitstring Status List spec numbers them: index 0 is the most
    significant (leftmost) bit of the first byte."""
    return (bits[index // 8] >> (7 - index % 8)) & 1


def set_indexes(bits: bytes) -> list[int]:
    return [
        byte_no * 8 + offset
        for byte_no, byte in enumerate(bits)
        if byte
        for offset in range(8)
        if byte & (0x80 >> offset)
    ]
