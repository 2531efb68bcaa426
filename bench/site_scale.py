#!/usr/bin/env python3
"""Site build at scale: the example program, and a generated program with N credentials.

Run by hand (not a test): ``python3 bench/site_scale.py [--records 2000] [--work DIR]``.
Prints issue time, build time (split into source, engine, hardening), output size, page
count and the largest page. The generated program is kept in --work, so a second run only
measures the build. Figures are recorded in docs/site.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "site"))

from sitehelpers import EXAMPLE, NOW, copy_example, fixed_key  # noqa: E402

from microcred.issue import issue_program  # noqa: E402
from microcred.records import load_program  # noqa: E402
from microcred.site import build_site  # noqa: E402

_DELIVERED = ("the dashboard", "a written report", "the audit findings", "a working prototype")


def generate(root: Path, count: int) -> None:
    """The example's issuer and briefs, plus ``count`` completed records (2 in 3 consenting).
    A folder left by an earlier run (a kept --work folder) is replaced."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(
        EXAMPLE,
        root,
        ignore=shutil.ignore_patterns("records", ".microcred", "credentials", "status"),
    )
    (root / "records").mkdir()
    program = load_program(EXAMPLE)
    briefs = list(program.achievements)
    start = dt.date(2026, 1, 5)
    for i in range(count):
        brief = briefs[i % len(briefs)]
        begin = start + dt.timedelta(days=i % 280)  # all awarded before NOW
        front = {
            "candidate": {
                "name": f"Candidate {i:05d}",
                "email": f"candidate{i:05d}@example.org",
                "consent_publish": i % 3 != 0,
            },
            "achievement": brief.slug,
            "start_date": begin.isoformat(),
            "end_date": (begin + dt.timedelta(days=11)).isoformat(),
            "hours": 30,
            "mentor": {"name": f"Mentor {i % 40:02d}", "role": "Team lead"},
            "results": [
                {"criterion": c.id, "level": c.levels[-1].id} for c in brief.rubric.criteria
            ],
            "evidence": [
                {
                    "url": f"https://example.org/evidence/{i}",
                    "name": "Final report",
                    "genre": "Report",
                }
            ],
            "status": "completed",
        }
        # each record its own narrative, as in a real programme (a repeated one would be
        # rendered once: a flattering benchmark)
        narrative = (
            f"Solid work, on time. Candidate {i:05d} delivered {_DELIVERED[i % 4]} in "
            f"{5 + i % 11} days, after {1 + i % 7} review rounds with *{front['mentor']['name']}*."
        )
        text = "---\n" + yaml.safe_dump(front, sort_keys=False) + f"---\n\n{narrative}\n"
        (root / "records" / f"r{i:05d}.md").write_text(text, encoding="utf-8")


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(label: str, root: Path, out: Path) -> None:
    key = fixed_key("bench")
    started = time.monotonic()
    report = issue_program(root, now=NOW, key=key)
    issued = time.monotonic() - started
    result = build_site(root, out, now=NOW, key=key)
    counts: dict[str, int] = {}
    for check in result.checks.values():
        counts[check.result] = counts.get(check.result, 0) + 1
    page, page_size = result.largest_page
    print(
        f"{label}: {result.credentials} credentials ({counts}); issue {issued:.1f} s "
        f"({len(report.issued)} signed); build {result.seconds:.1f} s; {result.pages} pages; "
        f"output {size_of(out) / 1e6:.1f} MB in {sum(1 for _ in out.rglob('*'))} files; "
        f"largest page {page} {page_size / 1024:.1f} KB; oversized {len(result.oversized_pages)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/microcred-site-bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    example = args.work / "example"
    if not example.exists():
        copy_example(example)
    measure("example", example, args.work / "example-site")
    big = args.work / f"program-{args.records}"
    if not big.exists():
        generate(big, args.records)
    measure(f"generated {args.records}", big, args.work / f"site-{args.records}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
