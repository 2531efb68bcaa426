"""microcred.layout: the one owner of folder names, site URLs and the site manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from microcred import layout
from microcred.errors import ConfigError
from microcred.layout import ManifestError, ProgramPaths, SiteManifest

SRC = Path(__file__).resolve().parents[1] / "src" / "microcred"


def test_program_paths(tmp_path: Path) -> None:
    paths = ProgramPaths(tmp_path)
    assert paths.config == tmp_path / "microcred.toml"
    assert paths.credential("alice-data") == tmp_path / "credentials" / "alice-data.json"
    assert paths.issue_index == tmp_path / "credentials" / "index.json"
    assert paths.status_state("revocation") == tmp_path / "status" / "revocation.json"
    assert paths.published_list("suspension") == tmp_path / "status/published/suspension-1.json"
    assert paths.credential_files() == []
    (tmp_path / "credentials").mkdir()
    for name in ("b.json", "a.json", "index.json", "notes.txt"):
        (tmp_path / "credentials" / name).write_text("{}")
    assert [p.name for p in paths.credential_files()] == ["a.json", "b.json"]


def test_site_urls() -> None:
    assert layout.credential_page("alice-data") == "credentials/alice-data/"
    assert layout.credential_json("alice-data") == "credentials/alice-data.json"
    assert layout.credential_image("alice-data", "png") == "credentials/alice-data.png"
    assert layout.brief_page("data-sprint") == "catalog/data-sprint/"
    assert layout.person_page("alice") == "people/alice/"
    assert layout.badge_image("data-sprint", "svg") == "badges/data-sprint.svg"
    assert layout.status_list_url("https://a.example/p/", "revocation") == (
        "https://a.example/p/status/revocation-1.json"
    )


def test_site_paths_stay_under_the_base_url() -> None:
    base = "https://acme.github.io/interns/"
    assert layout.site_path(f"{base}status/revocation-1.json", base, "list") == (
        "status/revocation-1.json"
    )
    for bad in ("https://evil.example/x.json", f"{base}../x.json", f"{base}", f"{base}a?b"):
        with pytest.raises(ConfigError):
            layout.site_path(bad, base, "status list")
    did_url = "https://acme.github.io/interns/did.json"
    assert layout.did_document_path("did:web:acme.github.io:interns", base, did_url) == "did.json"
    with pytest.raises(ConfigError, match="outside the site"):
        layout.did_document_path("did:web:other.example", base, "https://other.example/did.json")


def _manifest(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "microcred_site": 1,
        "kind": "issuer",
        "base_url": "https://a.example/",
        "issuer": "did:web:a.example",
        "did_documents": {"did:web:a.example": ".well-known/did.json"},
        "status_lists": {"https://a.example/status/revocation-1.json": "status/revocation-1.json"},
        "credentials": ["credentials/a.json"],
        "built_at": "2026-11-01T12:00:00Z",
    }
    data.update(changes)
    return data


def test_manifest_round_trips_byte_for_byte() -> None:
    data = _manifest()
    manifest = SiteManifest.from_json(data)
    assert manifest.owner == "did:web:a.example"
    assert manifest.to_json() == data
    assert list(manifest.to_json()) == list(data)  # key order is part of the bytes
    assert manifest.dumps() == json.dumps(data, indent=2) + "\n"
    portfolio = _manifest(kind="portfolio", holder="Alice")
    del portfolio["issuer"]
    assert SiteManifest.from_json(portfolio).to_json() == {
        k: portfolio[k] for k in ["microcred_site", "kind", "base_url", "holder", *list(data)[4:]]
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "must be a JSON object"),
        (_manifest(microcred_site=2), "microcred_site must be 1"),
        (_manifest(credentials="credentials/a.json"), "credentials must be an array"),
        (_manifest(credentials=[1]), "credentials must be an array"),
        (_manifest(status_lists={"u": 1}), "status_lists must map identifiers"),
        (_manifest(did_documents=[]), "did_documents must map identifiers"),
        (_manifest(built_at=5), "built_at must be a date-time string"),
    ],
)
def test_a_bad_manifest_says_what_is_wrong(data: Any, problem: str) -> None:
    with pytest.raises(ManifestError, match=problem):
        SiteManifest.from_json(data)


def test_a_manifest_is_validated_on_construction() -> None:
    with pytest.raises(ManifestError, match="status_lists"):
        SiteManifest(kind="issuer", base_url=None, credentials=(), status_lists={"u": 3})  # type: ignore[dict-item]


def test_package_data_is_found() -> None:
    assert (layout.template_dir() / "mkdocs.yml.j2").is_file()
    assert (layout.bundled_example() / layout.CONFIG_FILE).is_file()


def test_only_layout_spells_the_credentials_folder() -> None:
    # a path or URL built with the folder name: "credentials/..." or / "credentials"
    spelled = re.compile(r"""["'](?:static/)?credentials/|/\s*["']credentials["']""")
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "layout.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert not offenders, f"take the folder name from microcred.layout: {offenders}"
    assert spelled.search('folder = root / "credentials"')
    assert spelled.search('rel = f"credentials/{name}"')
