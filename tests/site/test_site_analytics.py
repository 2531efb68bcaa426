"""The analytics page: in the nav, SVG charts the CSP allows, numbers, and no personal data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from sitehelpers import NOW, fixed_key

from conftest import Built
from microcred.analytics import compute
from microcred.cli import main
from microcred.records import load_program
from microcred.site.build import render_source

SUPPRESSED_KEY = re.compile(r"^suppressed-\d+$")


def _suppressed_values(project: Path, k: int = 5) -> set[str]:
    """Values of every fairness group the analytics hide (computed here, independently)."""
    program = load_program(project)
    out: set[str] = set()
    names = {n for r in program.records for n, _ in r.demographics}
    for name in names:
        sizes: dict[str, int] = {}
        for r in program.records:
            value = dict(r.demographics).get(name, "not stated")
            sizes[value] = sizes.get(value, 0) + 1
        hidden = {v for v, n in sizes.items() if n < k}
        if len(hidden) == 1:
            rest = sorted((n, v) for v, n in sizes.items() if v not in hidden)
            hidden |= {rest[0][1]} if rest else set()
        out |= hidden
    return out


def _personal(project: Path) -> set[str]:
    program = load_program(project)
    out = set()
    for r in program.records:
        out |= {r.candidate.name, r.candidate.email, r.slug}
        if r.candidate.slug:
            out.add(r.candidate.slug)
    return out | _suppressed_values(project)


def test_analytics_page_is_in_the_nav_with_svg_charts(built_example: Built) -> None:
    page = (built_example.site / "analytics" / "index.html").read_text(encoding="utf-8")
    home = (built_example.site / "index.html").read_text(encoding="utf-8")
    assert 'href="analytics/index.html"' in home
    charts = re.findall(r"<svg[^>]*class=\"mc-chart-svg\"[^>]*>.*?</svg>", page, re.DOTALL)
    assert len(charts) >= 5  # funnel, brief, cohort, time, cost, fairness...
    for svg in charts:
        assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique across the charts"
    for caption in ("Funnel numbers", "Funnel by brief", "Funnel by cohort", "Cost per currency"):
        assert caption in page
    assert "style-src 'self'" in page  # the CSP the charts must live with


def test_page_and_json_carry_no_personal_data(built_example: Built) -> None:
    page = (built_example.site / "analytics" / "index.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["-p", str(built_example.project), "analytics", "--json"])
    assert result.exit_code == 0
    secrets = _personal(built_example.project)
    assert _suppressed_values(built_example.project)  # the example does hide some groups
    for secret in sorted(secrets):
        assert secret not in page, secret
        assert secret not in result.stdout, secret


def test_page_numbers_match_the_analytics(built_example: Built) -> None:
    page = (built_example.site / "analytics" / "index.html").read_text(encoding="utf-8")
    data = compute(load_program(built_example.project))
    f = data["funnel"]
    assert f'<th scope="row">started</th><td>{f["started"]}</td>' in page
    assert f'<th scope="row">accepted</th><td>{f["accepted"]}</td>' in page
    hidden = sum(
        1
        for a in data["fairness"]["attributes"].values()
        for g in a["groups"]
        if SUPPRESSED_KEY.match(g)
    )
    assert "hidden: fewer than 5 people" in page and hidden >= 2


def test_hostile_group_values_are_escaped_and_no_page_without_records(
    built_example: Built, tmp_path: Path
) -> None:
    project = tmp_path / "p"
    shutil.copytree(built_example.project, project)
    for path in sorted((project / "records").glob("*.md"))[:6]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"region: .*", "region: \"<script>alert('r')</script>$x$\"", text)
        if "demographics:" not in text:
            text = text.replace(
                "\n---\n", "\ndemographics:\n  region: \"<script>alert('r')</script>$x$\"\n---\n", 1
            )
        path.write_text(text, encoding="utf-8")
    render_source(project, tmp_path / "src", now=NOW, key=fixed_key())
    md = (tmp_path / "src" / "docs" / "analytics.md").read_text(encoding="utf-8")
    assert "<script>alert" not in md and "&lt;script&gt;alert" in md
    mkdocs = (tmp_path / "src" / "mkdocs.yml").read_text(encoding="utf-8")
    assert '"Analytics": "analytics.md"' in mkdocs
    for path in (project / "records").glob("*.md"):
        path.unlink()
    shutil.rmtree(project / "endorsements")  # they endorse records that are gone
    (project / "achievements").joinpath("b2b-sales-prospecting.md").write_text(
        (project / "achievements" / "b2b-sales-prospecting.md")
        .read_text(encoding="utf-8")
        .replace("\n---\n", "\nopen: true\n---\n", 1),
        encoding="utf-8",
    )
    for name in ("ux-accessibility-audit.md", "rhine-freight-dashboard.md"):
        brief = project / "achievements" / name
        brief.write_text(
            brief.read_text(encoding="utf-8").replace("\n---\n", "\nopen: true\n---\n", 1),
            encoding="utf-8",
        )
    shutil.rmtree(project / "credentials", ignore_errors=True)
    render_source(project, tmp_path / "empty", now=NOW, key=fixed_key())
    assert not (tmp_path / "empty" / "docs" / "analytics").exists()


def test_publish_false_leaves_the_page_and_its_nav_entry_out(
    built_example: Built, tmp_path: Path
) -> None:
    project = tmp_path / "p"
    shutil.copytree(built_example.project, project)
    with (project / "microcred.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    toml = (project / "microcred.toml").read_text(encoding="utf-8")
    (project / "microcred.toml").write_text(
        toml.replace("[analytics]\n", "[analytics]\npublish = false\n"), encoding="utf-8"
    )
    render_source(project, tmp_path / "src", now=NOW, key=fixed_key())
    assert not (tmp_path / "src" / "docs" / "analytics").exists()
    assert "analytics/" not in (tmp_path / "src" / "mkdocs.yml").read_text(encoding="utf-8")
