"""`microcred check`, `keys`, `issue` through the CLI: exit codes and one-line errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from microcred.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    return root


def _run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, ["-p", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_the_example(program: Path) -> None:
    code, out, err = _run(program, "check")
    assert code == 0 and out == "" and "no problems" in err


def test_check_reports_every_problem_with_file_and_line(program: Path) -> None:
    records = sorted((program / "records").glob("*.md"))
    first = records[0]
    first.write_text(first.read_text().replace("achievement: ", "achievement: no-such-brief-", 1))
    second = records[1]
    second.write_text(second.read_text().replace("hours:", "hourz:", 1))
    code, out, _ = _run(program, "check")
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith(f"records/{first.name}:") and "no-such-brief" in line for line in lines)
    assert any(line.startswith(f"records/{second.name}:") and "hourz" in line for line in lines)
    for line in lines:
        path, lineno, _rest = line.split(":", 2)
        assert (program / path).is_file() and lineno.isdigit()


def test_keys_new_list_and_issue(program: Path) -> None:
    code, out, err = _run(program, "keys", "new")
    assert code == 0, err
    assert "did:key:z6Mk" in out
    code, out, _ = _run(program, "keys", "list")
    assert out.startswith("active") and out.count("\n") == 1
    code, out, err = _run(program, "issue", "--now", "2026-11-01T12:00:00Z")
    assert code == 0, err
    assert out.startswith("issued ")
    code, out, _ = _run(program, "issue", "--now", "2026-11-02T12:00:00Z")
    assert "issued 0," in out


def test_keys_new_refuses_a_second_active_key(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    code, _, err = _run(program, "keys", "new")
    assert code == 1 and "already has an active key" in err


def test_keys_new_flag_must_agree_with_the_toml(program: Path) -> None:
    code, _, err = _run(program, "keys", "new", "--did-web")
    assert code == 1 and "microcred.toml" in err


def test_issue_without_a_key_says_how_to_make_one(program: Path) -> None:
    code, _, err = _run(program, "issue")
    assert code == 1 and "microcred keys new" in err


def test_issue_with_wrong_passphrase(program: Path) -> None:
    assert _run(program, "keys", "new", env={"MICROCRED_KEY_PASSPHRASE": "right"})[0] == 0
    keyfile = next((program / ".microcred" / "keys").iterdir())
    assert "secretKeyMultibase" not in keyfile.read_text()  # encrypted at rest
    code, _, err = _run(program, "issue", env={"MICROCRED_KEY_PASSPHRASE": "wrong"})
    assert code == 1 and "passphrase" in err and "Traceback" not in err


def test_issue_rejects_a_naive_now(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    code, _, err = _run(program, "issue", "--now", "2026-11-01 12:00")
    assert code == 1 and "time zone" in err


def test_keys_export_public_by_default(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    code, out, _ = _run(program, "keys", "export")
    data = json.loads(out)
    assert code == 0 and "secretKeyMultibase" not in data and data["id"].startswith("did:key:")


def test_check_on_a_portfolio_reads_every_received_credential(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "portfolio"
    result = runner.invoke(main, ["init", "--portfolio", "--name", "Zoë Ünal",
                                  "--url", "https://zoe.example.org/", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert _run(folder, "check")[0] == 0
    (folder / "credentials" / "not-json.json").write_text("not json")
    code, out, err = _run(folder, "check")
    assert code == 1 and out.startswith("credentials/not-json.json: ") and "Traceback" not in err


def test_an_internal_bug_is_one_line_not_a_traceback(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import microcred.cli.check_cmd as check_cmd

    def boom(_root: Path) -> list[str]:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(check_cmd, "check_project", boom)
    monkeypatch.delenv("MICROCRED_DEBUG", raising=False)
    code, _, err = _run(program, "check")
    assert code == 1 and err.startswith("internal error: RuntimeError: simulated bug")
    assert "Traceback" not in err


def _verdict_hits(root: Path, now: str) -> tuple[int, int]:
    """How many published credentials the build would take a verdict for from the cache."""
    from microcred._util import parse_timestamp
    from microcred.publish import prepare_publication
    from microcred.site.build import _verdict_cache

    moment = parse_timestamp(now)
    pub = prepare_publication(root, now=moment)
    verdicts = _verdict_cache(root, pub, moment)
    hits = sum(verdicts.get(c, moment) is not None for c in pub.credentials.values())
    return hits, len(pub.credentials)


def test_issue_checks_what_it_signed_and_the_build_reuses_it(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    code, out, err = _run(program, "issue", "--now", "2026-11-01T12:00:00Z")
    assert code == 0, err
    issued = int(re.match(r"issued (\d+)", out).group(1))  # type: ignore[union-attr]
    assert f"checked {issued}: {issued} valid" in out
    # a later build (another moment, no date crossed) verifies none of them again
    hits, total = _verdict_hits(program, "2026-11-01T13:00:00Z")
    assert hits == total == issued > 0
    # an issue run that signs nothing checks nothing
    code, out, _ = _run(program, "issue", "--now", "2026-11-02T12:00:00Z")
    assert "issued 0," in out and "checked" not in out


def test_a_credential_changed_after_issue_is_verified_again(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    assert _run(program, "issue", "--now", "2026-11-01T12:00:00Z")[0] == 0
    path = sorted((program / "credentials").glob("*.json"))[0]
    if path.name == "index.json":
        path = sorted((program / "credentials").glob("*.json"))[1]
    doc = json.loads(path.read_text("utf-8"))
    doc["credentialSubject"]["creditsEarned"] = 99
    path.write_text(json.dumps(doc), "utf-8")
    hits, total = _verdict_hits(program, "2026-11-01T13:00:00Z")
    assert hits == total - 1  # keyed by the bytes: the altered one is not taken from the cache


def test_issue_no_check_leaves_the_verifying_to_the_build(program: Path) -> None:
    assert _run(program, "keys", "new")[0] == 0
    code, out, err = _run(program, "issue", "--no-check", "--now", "2026-11-01T12:00:00Z")
    assert code == 0, err
    assert "checked" not in out
    assert _verdict_hits(program, "2026-11-01T13:00:00Z")[0] == 0


def test_issue_decrypts_the_key_once_for_signing_and_checking(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check after signing uses the key the signing decrypted: one scrypt run (0.1 s),
    not two."""
    from microcred.proof import keystore

    env = {"MICROCRED_KEY_PASSPHRASE": "right"}
    assert _run(program, "keys", "new", env=env)[0] == 0
    real, runs = keystore._derive, []

    def counted(*args: object) -> bytes:
        runs.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(keystore, "_derive", counted)
    code, out, err = _run(program, "issue", "--now", "2026-11-01T12:00:00Z", env=env)
    assert code == 0, err
    issued = int(re.match(r"issued (\d+)", out).group(1))  # type: ignore[union-attr]
    assert issued > 0 and f"checked {issued}: {issued} valid" in out
    assert len(runs) == 1
