"""`microcred init` as a newcomer meets it: a did:key without --url, names kept as written,
and a workflow whose Pages artifact keeps every DID document the credentials need."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from microcred.cli import main
from microcred.distribution import install_source
from microcred.records import load_issuer_settings

CURRENT_MAJORS = {
    "actions/checkout": 6,
    "actions/setup-python": 6,
    "actions/upload-pages-artifact": 4,
    "actions/deploy-pages": 4,
}


def _init(tmp_path: Path, *args: str) -> Path:
    root = tmp_path / "program"
    result = CliRunner().invoke(main, ["init", str(root), *args])
    assert result.exit_code == 0, result.output
    return root


def test_without_url_the_issuer_is_a_did_key(tmp_path: Path) -> None:
    root = _init(tmp_path)
    settings = tomllib.loads((root / "microcred.toml").read_text(encoding="utf-8"))
    assert settings["identity"] == {"kind": "did-key"}
    assert "PLACEHOLDER" in (root / "microcred.toml").read_text(encoding="utf-8")
    assert load_issuer_settings(root).identity.kind == "did-key"


def test_with_an_https_url_the_issuer_is_the_site_did_web(tmp_path: Path) -> None:
    root = _init(tmp_path, "--url", "https://acme.github.io/interns/")
    identity = load_issuer_settings(root).identity
    assert (identity.kind, identity.did) == ("did-web", "did:web:acme.github.io:interns")


def test_non_ascii_name_is_written_as_it_is_and_reads_back(tmp_path: Path) -> None:
    root = _init(tmp_path, "--name", 'Café 😀 "Ünal" \\ Ltd')
    text = (root / "microcred.toml").read_text(encoding="utf-8")
    assert 'name = "Café 😀 \\"Ünal\\" \\\\ Ltd"' in text and "\\u" not in text
    assert load_issuer_settings(root).name == 'Café 😀 "Ünal" \\ Ltd'
    check = CliRunner().invoke(main, ["check", "-p", str(root)])
    assert "TOML" not in check.output


def test_portfolio_name_reads_back(tmp_path: Path) -> None:
    root = _init(tmp_path, "--portfolio", "--name", "Zoë 😀")
    assert tomllib.loads((root / "microcred.toml").read_text("utf-8"))["portfolio"]["name"] == (
        "Zoë 😀"
    )


@pytest.mark.parametrize("kind", ["issuer", "portfolio"])
def test_workflow_uses_current_actions_and_keeps_hidden_files(tmp_path: Path, kind: str) -> None:
    root = _init(tmp_path, *(["--portfolio"] if kind == "portfolio" else []))
    workflow = yaml.safe_load((root / ".github/workflows/pages.yml").read_text("utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    used = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    for action, major in CURRENT_MAJORS.items():
        assert used[action]["uses"] == f"{action}@v{major}", action
    assert used["actions/upload-pages-artifact"]["with"]["include-hidden-files"] is True
    install = next(s["run"] for s in steps if s.get("name") == "Install microcred")
    assert f"${{MICROCRED_PACKAGE:-{install_source().requirement}}}" in install


def _artifact(site: Path, workflow: Path) -> set[str]:
    """The files upload-pages-artifact would pack: dotfiles only with include-hidden-files."""
    steps = [
        s for job in yaml.safe_load(workflow.read_text())["jobs"].values() for s in job["steps"]
    ]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    hidden = upload["with"].get("include-hidden-files") is True
    files = set()
    for path in site.rglob("*"):
        rel = path.relative_to(site)
        if path.is_file() and (hidden or not any(p.startswith(".") for p in rel.parts)):
            files.add(rel.as_posix())
    return files


@pytest.mark.parametrize(
    "url", ["https://badges.acme-training.org/", "https://acme.github.io/interns/"]
)
def test_pages_artifact_holds_every_did_document_the_credentials_need(
    tmp_path: Path, url: str
) -> None:
    root = _init(tmp_path, "--url", url)
    runner = CliRunner()
    assert runner.invoke(main, ["keys", "new", "-p", str(root)]).exit_code == 0
    site = tmp_path / "_site"
    built = runner.invoke(main, ["build", "-p", str(root), "--out", str(site)])
    assert built.exit_code == 0, built.output
    packed = _artifact(site, root / ".github/workflows/pages.yml")
    issuers = {
        json.loads(p.read_text())["issuer"]["id"] for p in (site / "credentials").glob("*.json")
    }
    assert issuers and all(i.startswith("did:web:") for i in issuers)
    for did in issuers:  # where did:web resolution looks, relative to the published site
        host, *path = did.split(":")[2:]
        where = f"https://{host}/" + (
            "/".join(path) + "/did.json" if path else ".well-known/did.json"
        )
        assert where.startswith(url)
        assert where.removeprefix(url) in packed, did
    if url.count("/") == 3:  # a domain DID: its document is the dotfile .well-known/did.json
        assert ".well-known/did.json" in packed
