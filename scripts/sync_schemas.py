#!/usr/bin/env python3
"""Copy the runtime JSON Schemas to the repository's published ``schemas/`` folder.

The runtime copies in ``src/microcred/records/schemas/`` are the source of truth; editors
point at the published copies. ``--check`` only reports drift (exit 1), for CI and tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "src" / "microcred" / "records" / "schemas"
TARGET = REPO / "schemas"
NAMES = ("program.schema.json", "achievement.schema.json", "record.schema.json")


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
    args = parser.parse_args(argv)
    stale = drift()
    if args.check:
        for name in stale:
            print(
                f"schemas/{name} differs from {SOURCE.relative_to(REPO)}/{name}; "
                "run scripts/sync_schemas.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    TARGET.mkdir(exist_ok=True)
    for name in stale:
        tmp = TARGET / f".{name}.tmp"
        tmp.write_bytes((SOURCE / name).read_bytes())
        tmp.replace(TARGET / name)
        print(f"updated schemas/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
