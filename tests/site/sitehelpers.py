"""Shared helpers for the site tests and scripts/regen_golden_site.py (no pytest imports)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

from microcred.proof.didkey import did_key_from_public
from microcred.proof.keys import KeyPair, multikey_from_public, public_key_from_seed

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
GOLDEN = REPO / "tests" / "site" / "golden"
NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)


def fixed_key(label: str = "microcred site tests") -> KeyPair:
    """A did:key issuer key from a fixed seed: same DID and ids on every run."""
    seed = hashlib.sha256(label.encode()).digest()
    public = public_key_from_seed(seed)
    did = did_key_from_public(public)
    return KeyPair(public, seed, did, f"{did}#{multikey_from_public(public)}")


def copy_example(dest: Path) -> Path:
    """The example program, without anything a previous issue run left behind."""
    shutil.copytree(
        EXAMPLE,
        dest,
        ignore=shutil.ignore_patterns(".microcred", "credentials", "status", "site"),
    )
    return dest


# Values that change on every issue run (fresh salts, random status indexes, signatures over
# them) or every build (the build time): replaced before comparing with the golden files.
_VOLATILE_JSON = re.compile(
    r'("(?:salt|identityHash|statusListIndex|encodedList|proofValue|created|builtAt|built_at|'
    r'retrieved|validFrom)"\s*:\s*)"[^"]*"'
)
_VOLATILE_TEXT = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    (re.compile(r"sha256\$[0-9a-f]{64}"), "sha256$<hash>"),
    (re.compile(r"z[1-9A-HJ-NP-Za-km-z]{85,90}"), "<proofValue>"),
    (re.compile(r"(-\d+\.json)#\d+"), r"\1#<index>"),  # a status entry's id names its index
]


def normalise_text(text: str) -> str:
    text = _VOLATILE_JSON.sub(r'\1"<volatile>"', text)
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def png_without_text_chunks(png: bytes) -> bytes:
    """The PNG's bytes minus its iTXt/tEXt/zTXt chunks (where a credential is baked)."""
    out, at = [png[:8]], 8
    while at + 8 <= len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        kind = png[at + 4 : at + 8]
        if kind not in (b"iTXt", b"tEXt", b"zTXt"):
            out.append(png[at : at + 12 + length])
        at += 12 + length
    return b"".join(out)


def normalised_source(source: Path) -> dict[str, str]:
    """Relative path -> normalised text for every text file of a generated site source.

    Binary files (PNG) and baked SVGs (the credential inside carries signatures) are reduced
    to what is stable: PNGs to 'png <size>' and their digest once the baked chunk is dropped.
    """
    from microcred import bake  # noqa: PLC0415

    out: dict[str, str] = {}
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(source).as_posix()
        data = path.read_bytes()
        if rel.endswith(".png"):
            try:
                inner = normalise_text(bake.unbake_png(data)).encode()
                baked = f"baked credential {hashlib.sha256(inner).hexdigest()}"
            except Exception:  # not baked: a plain badge picture
                baked = "not baked"
            image = hashlib.sha256(png_without_text_chunks(data)).hexdigest()
            out[rel] = f"png image {image}, {baked}\n"
        else:
            out[rel] = normalise_text(data.decode("utf-8"))
    return out
