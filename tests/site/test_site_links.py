"""Relative links, site paths for the URLs credentials name, and the path-checked writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred.errors import ConfigError
from microcred.site.links import did_document_path, rel_link, site_path
from microcred.site.tree import Tree

BASE = "https://org.github.io/program/"


@pytest.mark.parametrize(
    ("page", "target", "link"),
    [
        ("", "catalog/", "catalog/index.html"),
        ("", "", "index.html"),
        ("credentials/a/", "catalog/b/#criterion-x", "../../catalog/b/index.html#criterion-x"),
        ("credentials/a/", "credentials/a.json", "../../credentials/a.json"),
        ("catalog/b/_page-2/", "verify.html", "../../../verify.html"),
    ],
)
def test_rel_link(page: str, target: str, link: str) -> None:
    assert rel_link(page, target) == link


def test_site_path_under_base() -> None:
    assert site_path(BASE + "status/revocation-1.json", BASE, "list") == "status/revocation-1.json"
    for bad in ("https://other.example/status/x.json", BASE, BASE + "../x.json", BASE + "a?b"):
        with pytest.raises(ConfigError):
            site_path(bad, BASE, "list")


def test_did_document_paths_for_path_and_domain_dids() -> None:
    assert (
        did_document_path(
            "did:web:org.github.io:program", BASE, "https://org.github.io/program/did.json"
        )
        == "did.json"
    )
    assert (
        did_document_path(
            "did:web:example.org",
            "https://example.org/",
            "https://example.org/.well-known/did.json",
        )
        == ".well-known/did.json"
    )
    with pytest.raises(ConfigError, match="outside the site"):
        did_document_path(
            "did:web:org.github.io", BASE, "https://org.github.io/.well-known/did.json"
        )


def test_tree_refuses_traversal_and_collisions(tmp_path: Path) -> None:
    tree = Tree(tmp_path / "out")
    tree.write("docs/a/index.md", "x")
    tree.write("static/.well-known/did.json", "{}")
    tree.write("static/.nojekyll", "")
    for bad in (
        "../x",
        "docs/../../x",
        "/etc/x",
        "docs/.hidden",
        "docs/a b",
        "docs/%2e%2e/x",
        "docs/x\x00y",
        "docs/" + "a" * 300,
    ):
        with pytest.raises(ConfigError):
            tree.write(bad, "x")
    with pytest.raises(ConfigError, match="share the path"):
        tree.write("DOCS/A/index.md", "y")
    assert (tmp_path / "out" / "docs" / "a" / "index.md").read_text() == "x"
    assert not (tmp_path / "x").exists()
    assert tree.files == ["docs/a/index.md", "static/.nojekyll", "static/.well-known/did.json"]
