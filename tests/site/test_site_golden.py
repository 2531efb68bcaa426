"""The example's site source must equal tests/site/golden/ (regenerated only by
scripts/regen_golden_site.py), with salts, status indexes, signatures and times normalised."""

from __future__ import annotations

import difflib

from sitehelpers import GOLDEN, normalised_source

from conftest import Built

REGEN = "python3 scripts/regen_golden_site.py"


def _golden() -> dict[str, str]:
    out = {}
    for path in sorted(GOLDEN.rglob("*")):
        if path.is_file():
            rel = path.relative_to(GOLDEN).as_posix()
            if rel.endswith(".png.txt"):
                rel = rel[: -len(".txt")]
            out[rel] = path.read_text(encoding="utf-8")
    return out


def test_site_source_matches_golden(built_example: Built) -> None:
    assert GOLDEN.is_dir(), f"no golden files; run {REGEN}"
    expected = _golden()
    actual = normalised_source(built_example.source)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing and not extra, f"files differ: missing {missing}, extra {extra}; {REGEN}"
    for rel in sorted(expected):
        if expected[rel] != actual[rel]:
            lines = difflib.unified_diff(
                expected[rel].splitlines(),
                actual[rel].splitlines(),
                "golden/" + rel,
                rel,
                lineterm="",
            )
            diff = "\n".join(line[:300] for line in list(lines)[:40])
            raise AssertionError(
                f"{rel} differs from the golden copy ({REGEN} if intended):\n{diff}"
            )


def test_golden_normalisation_is_needed_and_sufficient(built_example: Built) -> None:
    # The raw source holds values that vary per run; the golden copy must hold none of them.
    raw = (built_example.source / "static" / "credentials" / "ux-2026-04-01.json").read_text()
    golden = (GOLDEN / "static" / "credentials" / "ux-2026-04-01.json").read_text()
    assert '"salt": "<volatile>"' in golden and '"salt": "<volatile>"' not in raw
    assert '"proofValue": "<volatile>"' in golden
