"""Placeholder hosts cannot dead-end a program: check reports them, issue refuses a did:web on
one, and `microcred reset` clears what an unpublished identity issued."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from microcred.cli import main
from microcred.records.placeholder import placeholder_host


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_placeholder_hosts() -> None:
    assert placeholder_host("https://example.org/x/") == "example.org"
    assert placeholder_host("did:web:example.com:interns") == "example.com"
    assert placeholder_host("https://badges.test/") == "badges.test"
    assert placeholder_host("https://acme.github.io/interns/") is None
    assert placeholder_host("did:web:acme.github.io:interns") is None


def test_identity_change_before_publishing_is_recoverable(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert _run("init", str(root), "--url", "https://example.org/p/")[0] == 0
    code, out = _run("check", "-p", str(root))
    assert code == 1
    assert (
        "microcred.toml:20: $.site.base_url: 'https://example.org/p/' is on the placeholder" in out
    )
    assert "$.identity.did: 'did:web:example.org:p' is on the placeholder host" in out
    assert _run("keys", "new", "-p", str(root))[0] == 0
    code, out = _run("issue", "-p", str(root))
    assert code == 1 and "refusing to sign as did:web:example.org:p" in out
    assert (
        not list((root / "credentials").glob("*.json")) if (root / "credentials").exists() else True
    )

    toml = root / "microcred.toml"
    toml.write_text(
        toml.read_text("utf-8")
        .replace("example.org/p/", "acme.github.io/p/")
        .replace("did:web:example.org:p", "did:web:acme.github.io:p"),
        "utf-8",
    )
    assert _run("check", "-p", str(root))[0] == 0
    code, out = _run("keys", "new", "-p", str(root))
    assert code == 1  # the old key ring still names the old DID
    code, out = _run("reset", "-p", str(root))
    assert code == 1 and "would set aside" in out and "nothing changed" in out
    code, out = _run("reset", "--yes", "-p", str(root))
    assert code == 0 and "old keys kept in" in out
    assert list((root / ".microcred" / "keys").glob("reset-*/*.json"))
    assert _run("keys", "new", "-p", str(root))[0] == 0
    code, out = _run("issue", "-p", str(root))
    assert code == 0, out
    assert list((root / "credentials").glob("*.json"))


def test_reset_with_nothing_issued_says_so(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert _run("init", str(root))[0] == 0
    code, out = _run("reset", "--yes", "-p", str(root))
    assert code == 1 and "nothing to reset" in out
