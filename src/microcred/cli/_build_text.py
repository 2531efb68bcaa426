"""What ``microcred build`` says about a build, as lines: written by the click command
(cli/build_cmd.py) and by the unchanged-rebuild path that runs before click is loaded
(cli/_quick.py), so the two say exactly the same. No click here."""

from __future__ import annotations

from microcred.site import BuildResult


def build_lines(result: BuildResult) -> tuple[list[str], list[str]]:
    """(lines for stdout, lines for stderr)."""
    counts: dict[str, int] = {}
    for check in result.checks.values():
        counts[check.result] = counts.get(check.result, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
    page, size = result.largest_page
    out = [
        f"built {result.out} ({result.kind}): {result.pages} pages, {result.credentials} "
        f"credentials ({summary}), {result.total_bytes / 1e6:.1f} MB, largest page "
        f"{page} ({size / 1024:.0f} KB), {result.seconds:.1f} s"
    ]
    if result.issued:
        out.append(issued_line(result.issued))
    err = [f"warning: {warning}" for warning in result.warnings]
    err += [
        f"note: {slug}: {check.result}: {check.summary}"
        for slug, check in sorted(result.checks.items())
        if check.result != "valid"
    ]
    return out, err


def issued_line(slugs: list[str], limit: int = 20) -> str:
    """What this build signed: the record names up to ``limit``, then a count."""
    shown = ", ".join(slugs[:limit])
    more = f" and {len(slugs) - limit} more" if len(slugs) > limit else ""
    return f"issued {len(slugs)} new credential{'s' if len(slugs) != 1 else ''}: {shown}{more}"
