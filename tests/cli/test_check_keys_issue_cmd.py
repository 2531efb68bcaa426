"""`microcred check`, `keys`, `issue` through the CLI: exit codes and one-line errors."""

from __future__ import annotations

import json
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
