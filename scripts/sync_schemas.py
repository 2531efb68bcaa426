#!/usr/bin/env python3
"""Keep the JSON Schemas microcred ships in step with their sources.

1. microcred's own record schemas: the runtime copies in ``src/microcred/records/schemas/`` are
   the source of truth; editors point at the published copies in ``schemas/``.
2. The 1EdTech CLR 2.0 JSON Schemas, shipped for offline validation of transcripts in
   ``src/microcred/credential/schemas/clr-v2p0/`` with ``manifest.json`` (published URL,
   version, where the bytes came from, sha256). No npm or PyPI package publishes them, so they
   come from the standards pack's copies (``--standards DIR``, default ``../shared/standards``
   or ``$MICROCRED_STANDARDS``), each checked against the sha256 pinned below before it is
   copied. Nothing is fetched at run time.

``--check`` only reports drift (exit 1), for CI and tests; it needs no standards pack.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "src" / "microcred" / "records" / "schemas"
TARGET = REPO / "schemas"
NAMES = (
    "program.schema.json",
    "achievement.schema.json",
    "record.schema.json",
    "endorsement.schema.json",
)

CLR_TARGET = REPO / "src" / "microcred" / "credential" / "schemas" / "clr-v2p0"
CLR_BASE_URL = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/"
CLR_VERSION = "CLR 2.0 (1EdTech, JSON-LD-adapted schemas, draft 2019-09)"
CLR_SOURCE = (
    "standards pack schemas/clr-v2p0/ = conform-ed/conform-ed@"
    "714798ca8a5c:packages/coverage/vendor/clr/v2_0/ (vendored from the published URL)"
)
CLR_SCHEMAS = {
    "clr_v2p0_clrcredential_schema.json": (
        "59d778659204b0bd593e9e2ab1683fb6f688e339885c44019f606ed6feb4caee"
    ),
    "clr_v2p0_achievementcredential_schema.json": (
        "c3cbfc94bde1c1ed8500994933fefb2dadc13a591bbe7b6c58e9978921fd34c3"
    ),
    "clr_v2p0_endorsementcredential_schema.json": (
        "0617e920a8daa0497a42537380036617e8239da01bf8ca3e7341e5b3e74b1356"
    ),
    "clr_v2p0_profile_schema.json": (
        "b9e1ed2da5761c107b1d440dd875374848ad56d40b1c006a8c4198a869d905b3"
    ),
}
"""File -> sha256 of the published bytes (as listed in the standards pack's README)."""


def clr_manifest() -> dict[str, object]:
    return {
        "about": "1EdTech CLR 2.0 JSON Schemas for offline use; see scripts/sync_schemas.py",
        "schemas": {
            CLR_BASE_URL + name: {
                "file": name,
                "version": CLR_VERSION,
                "source": CLR_SOURCE,
                "sha256": digest,
            }
            for name, digest in CLR_SCHEMAS.items()
        },
    }


def clr_drift() -> list[str]:
    """Shipped CLR schema files (or the manifest) that are missing or not the pinned bytes."""
    out = []
    for name, digest in CLR_SCHEMAS.items():
        path = CLR_TARGET / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            out.append(name)
    manifest = CLR_TARGET / "manifest.json"
    if not manifest.is_file() or json.loads(manifest.read_text("utf-8")) != clr_manifest():
        out.append("manifest.json")
    return out


def sync_clr(standards: Path) -> None:
    """Copy the pinned CLR schemas from the standards pack (refusing any other bytes)."""
    CLR_TARGET.mkdir(parents=True, exist_ok=True)
    for name, digest in CLR_SCHEMAS.items():
        source = standards / "schemas" / "clr-v2p0" / name
        data = source.read_bytes()
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            raise SystemExit(f"{source}: sha256 {got}, expected {digest}; not copied")
        tmp = CLR_TARGET / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(CLR_TARGET / name)
    text = json.dumps(clr_manifest(), indent=2) + "\n"
    (CLR_TARGET / "manifest.json").write_text(text, encoding="utf-8")
    print(f"updated {CLR_TARGET.relative_to(REPO)}/ ({len(CLR_SCHEMAS)} schemas + manifest)")


def drift() -> list[str]:
    """Names whose published copy is missing or differs from the runtime copy."""
    out = []
    for name in NAMES:
        published = TARGET / name
        if not published.is_file() or published.read_bytes() != (SOURCE / name).read_bytes():
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift, change nothing")
    default_pack = os.environ.get("MICROCRED_STANDARDS") or str(REPO.parent / "shared/standards")
    parser.add_argument("--standards", type=Path, default=Path(default_pack))
    args = parser.parse_args(argv)
    stale = drift()
    clr_stale = clr_drift()
    if args.check:
        for name in stale:
            print(
                f"schemas/{name} differs from {SOURCE.relative_to(REPO)}/{name}; "
                "run scripts/sync_schemas.py",
                file=sys.stderr,
            )
        for name in clr_stale:
            print(
                f"{CLR_TARGET.relative_to(REPO)}/{name} is missing or not the pinned bytes; "
                "run scripts/sync_schemas.py",
                file=sys.stderr,
            )
        return 1 if stale or clr_stale else 0
    if clr_stale:
        sync_clr(args.standards)
    TARGET.mkdir(exist_ok=True)
    for name in stale:
        tmp = TARGET / f".{name}.tmp"
        tmp.write_bytes((SOURCE / name).read_bytes())
        tmp.replace(TARGET / name)
        print(f"updated schemas/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
