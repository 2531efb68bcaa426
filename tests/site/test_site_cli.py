"""`microcred init`, `build`, `bake` / `unbake` through the command line: one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import Built
from microcred import bake
from microcred.cli import main
from microcred.records import check_program
from microcred.scaffold import did_web_for


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_init_issuer_program_passes_check_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    result = run(
        "init",
        str(target),
        "--name",
        'Acme "Labs"\u202e',
        "--url",
        "https://acme.github.io/interns",
    )
    assert result.exit_code == 0, result.output
    assert check_program(target) == []
    toml = (target / "microcred.toml").read_text()
    assert 'name = "Acme \\"Labs\\"\\u202e"' in toml
    assert 'did = "did:web:acme.github.io:interns"' in toml
    assert 'base_url = "https://acme.github.io/interns/"' in toml
    assert ".microcred/keys/" in (target / ".gitignore").read_text()
    workflow = (target / ".github" / "workflows" / "pages.yml").read_text()
    for needle in (
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "secrets.MICROCRED_ISSUER_KEY",
        "microcred build --out _site",
        "pages: write",
    ):
        assert needle in workflow
    assert "secretKeyMultibase" not in workflow
    jobs = yaml.safe_load(workflow)["jobs"]
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    again = run("init", str(target))
    assert again.exit_code == 1 and again.output.startswith("error: ")
    assert "not empty" in again.output and "Traceback" not in again.output
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def test_init_refuses_a_folder_holding_any_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path), "--portfolio")
    assert result.exit_code == 1 and "not empty" in result.output
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_init_portfolio(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "me"), "--portfolio", "--name", "Ada")
    assert result.exit_code == 0, result.output
    toml = (tmp_path / "me" / "microcred.toml").read_text()
    assert "[portfolio]" in toml and "[issuer]" not in toml
    assert (tmp_path / "me" / "credentials").is_dir()
    workflow = (tmp_path / "me" / ".github" / "workflows" / "pages.yml").read_text()
    assert "secrets." not in workflow and "deploy-pages" in workflow


def test_init_rejects_a_bad_url(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "x"), "--url", "ftp://example.org/")
    assert result.exit_code == 1 and "--url" in result.output


@pytest.mark.parametrize(
    ("url", "did"),
    [
        ("https://org.github.io/program/", "did:web:org.github.io:program"),
        ("https://example.org/", "did:web:example.org"),
        ("http://example.org/", None),
        ("https://example.org:8443/x/", None),
        ("https://10.0.0.1/x/", None),
    ],
)
def test_did_web_for(url: str, did: str | None) -> None:
    found = did_web_for(url)
    assert (found[0] if found else None) == did


def test_bake_and_unbake_round_trip(built_example: Built, tmp_path: Path) -> None:
    cred = built_example.site / "credentials" / "ux-2026-04-01.json"
    picture = built_example.site / "badges" / "ux-accessibility-audit.png"
    out = tmp_path / "baked.png"
    assert run("bake", str(cred), str(picture), "-o", str(out)).exit_code == 0
    assert json.loads(bake.unbake_png(out.read_bytes())) == json.loads(cred.read_text())
    result = run("unbake", str(out))
    assert result.exit_code == 0 and json.loads(result.output) == json.loads(cred.read_text())
    svg_out = tmp_path / "baked.svg"
    assert (
        run(
            "bake",
            str(cred),
            str(built_example.site / "badges" / "ux-accessibility-audit.svg"),
            "-o",
            str(svg_out),
        ).exit_code
        == 0
    )
    assert run("unbake", str(svg_out), "-o", str(tmp_path / "back.json")).exit_code == 0
    assert json.loads((tmp_path / "back.json").read_text()) == json.loads(cred.read_text())


def test_bake_errors_are_one_line(built_example: Built, tmp_path: Path) -> None:
    cred = built_example.site / "credentials" / "ux-2026-04-01.json"
    (tmp_path / "x.gif").write_bytes(b"GIF89a")
    (tmp_path / "bad.json").write_text("[1, 2")
    picture = built_example.site / "badges" / "ux-accessibility-audit.png"
    for args in (
        ("bake", str(cred), str(tmp_path / "x.gif"), "-o", str(tmp_path / "o.gif")),
        ("bake", str(tmp_path / "bad.json"), str(picture), "-o", str(tmp_path / "o.png")),
        ("bake", str(tmp_path / "missing.json"), str(picture), "-o", str(tmp_path / "o.png")),
        ("unbake", str(picture)),  # a badge with nothing baked in
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.output.startswith("error: ") and "Traceback" not in result.output, args
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_build_command_and_verify_of_the_built_site(built_example: Built, tmp_path: Path) -> None:
    verify = run("verify", str(built_example.site))
    assert verify.exit_code == 0, verify.output
    # the issued credentials and the endorsements (signed by their endorsers) the site lists
    manifest = json.loads((built_example.site / "microcred-site.json").read_text("utf-8"))
    n = len(manifest["credentials"])
    assert n == built_example.result.credentials + 4
    assert f"{n} credential(s): {n} OK, 0 FAIL, 0 UNDECIDED" in verify.output
    project = tmp_path / "p"
    assert run("init", str(project), "--url", "https://acme.github.io/interns/").exit_code == 0
    assert run("-p", str(project), "keys", "new").exit_code == 0
    out = tmp_path / "site"
    result = run("-p", str(project), "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 credentials (1 valid)" in result.output
    assert (out / "did.json").is_file() and (out / "credentials" / "example-record.json").is_file()
    zensical = run("-p", str(project), "build", "--out", str(out), "--engine", "zensical")
    if zensical.exit_code != 0:  # the usual case: Zensical is not installed
        assert "Zensical engine is not installed" in zensical.output
        assert "Traceback" not in zensical.output


def test_build_from_inside_the_project_with_the_default_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `cd program && microcred build` (relative project path, site/ inside the
    project) once produced only verify.html because mkdocs saw relative, dot-prefixed paths."""
    from click.testing import CliRunner

    from microcred.cli import main

    runner = CliRunner()
    assert (
        runner.invoke(
            main,
            [
                "init",
                str(tmp_path / "prog"),
                "--name",
                "Acme",
                "--url",
                "https://acme.example.org/p/",
            ],
        ).exit_code
        == 0
    )
    monkeypatch.chdir(tmp_path / "prog")
    assert runner.invoke(main, ["keys", "new"]).exit_code == 0
    result = runner.invoke(main, ["build", "--now", "2026-11-22T08:00:00Z"])
    assert result.exit_code == 0, result.stderr
    site = tmp_path / "prog" / "site"
    for page in ("index.html", "catalog/index.html", "people/index.html"):
        assert (site / page).is_file(), page
    assert list((site / "credentials").glob("*/index.html"))


def test_zensical_engine_builds_a_verifiable_site(tmp_path: Path) -> None:
    """The site source is engine-agnostic: Zensical (installed by the test extras) builds it."""
    import shutil as _shutil

    if _shutil.which("zensical") is None:
        pytest.skip("ZENSICAL NOT INSTALLED: pip install -e '.[test]' installs it")
    runner = CliRunner()
    project = tmp_path / "p"
    assert (
        runner.invoke(
            main, ["init", str(project), "--url", "https://acme.github.io/interns/"]
        ).exit_code
        == 0
    )
    assert runner.invoke(main, ["-p", str(project), "keys", "new"]).exit_code == 0
    out = tmp_path / "zsite"
    # No fixed --now: `init` dates its example record from today, so a fixed clock would
    # eventually sit before the award (NOT_YET_VALID).
    result = runner.invoke(
        main, ["-p", str(project), "build", "--out", str(out), "--engine", "zensical"]
    )
    assert result.exit_code == 0, result.output
    for page in ("index.html", "catalog/index.html", "credentials/example-record/index.html"):
        assert (out / page).is_file(), page
        assert (out / page).stat().st_size < 80 * 1024
    page = (out / "credentials" / "example-record" / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "data-mc-verify-result" in page
    verify = runner.invoke(main, ["verify", str(out)])
    assert verify.exit_code == 0, verify.output
