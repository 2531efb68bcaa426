"""Revoke / suspend / reinstate: the rules, the command, and the outcome seen from a built site."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lchelpers import NOW, credentials

from microcred.cli import run
from microcred.errors import ConfigError, StatusError
from microcred.publish import change_status, prepare_publication
from microcred.site import build_site
from microcred.verify import verify_paths

T1, T2, T3 = (NOW + dt.timedelta(days=d) for d in (1, 2, 3))


def _state(root: Path, purpose: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((root / "status" / f"{purpose}.json").read_text("utf-8"))
    return result


def test_suspension_is_reversible_and_revocation_is_not(program: Callable[..., Path]) -> None:
    root = program(suspension=True)
    prepare_publication(root, now=NOW)
    slug = "data-2026-03-01"
    assert change_status(root, slug, action="suspend", who="a", now=T1).changed
    assert prepare_publication(root, now=T1).statuses[slug] == "suspended"
    assert change_status(root, slug, action="reinstate", who="a", now=T2).changed
    pub = prepare_publication(root, now=T2)
    assert pub.statuses[slug] == "active"
    assert pub.status_changes[slug]["action"] == "reinstated"
    assert not change_status(root, slug, action="reinstate", who="a", now=T2).changed  # no-op
    assert change_status(root, slug, action="revoke", who="a", now=T3, reason="fraud").changed
    assert not change_status(root, slug, action="revoke", who="a", now=T3).changed
    for action in ("reinstate", "suspend"):
        with pytest.raises(StatusError) as info:
            change_status(root, slug, action=action, who="a", now=T3)  # type: ignore[arg-type]
        assert "permanent" in info.value.diagnostics()
    pub = prepare_publication(root, now=T3)
    assert pub.statuses[slug] == "revoked"
    assert pub.status_changes[slug] == {
        "state": "revoked",
        "action": "revoked",
        "date": "2026-11-04T12:00:00Z",
        "reason": "fraud",
    }
    actions = [e["action"] for e in _state(root, "suspension")["log"]]
    assert actions == ["suspended", "reinstated"]  # the no-ops logged nothing
    assert len(_state(root, "revocation")["log"]) == 1


def test_suspension_needs_the_program_to_enable_it(program: Callable[..., Path]) -> None:
    root = program()
    prepare_publication(root, now=NOW)
    with pytest.raises(ConfigError) as info:
        change_status(root, "data-2026-03-01", action="suspend", who="a", now=T1)
    assert "suspension = true" in info.value.diagnostics()
    assert not (root / "status" / "suspension.json").exists()


def test_only_this_programs_credentials_can_be_revoked(program: Callable[..., Path]) -> None:
    root = program()
    other = program("other")
    prepare_publication(root, now=NOW)
    prepare_publication(other, now=NOW)
    stranger = other / "credentials" / "data-2026-03-01.json"
    with pytest.raises(ConfigError) as info:
        change_status(root, str(stranger), action="revoke", who="a", now=T1)
    assert "not issued by this program" in info.value.diagnostics()
    with pytest.raises(ConfigError):
        change_status(root, "no-such-record", action="revoke", who="a", now=T1)
    with pytest.raises(ConfigError):
        change_status(root, "data-2026-03-01", action="revoke", who="a", now=T1, reason="a\nb")
    assert _state(root, "revocation")["revoked"] == []


def test_the_command_by_slug_file_and_id(
    program: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = program(suspension=True)
    prepare_publication(root, now=NOW)
    creds = credentials(root)
    base = ["-p", str(root), "revoke"]
    assert (
        run(
            [
                *base,
                "data-2026-03-01",
                "--by",
                "Registrar",
                "--reason",
                "duplicate",
                "--now",
                "2026-11-02T12:00:00Z",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "revoked " + creds["data-2026-03-01"]["id"] in out and "by Registrar" in out
    assert "re-signed status/published/revocation-1.json" in out
    assert (
        run([*base, str(root / "credentials" / "data-2026-03-02.json"), "--suspend", "--by", "R"])
        == 0
    )
    assert run([*base, creds["data-2026-03-02"]["id"], "--reinstate", "--by", "R"]) == 0
    assert run([*base, "data-2026-03-01", "--reinstate", "--by", "R"]) == 1
    err = capsys.readouterr().err
    assert "revocation is permanent" in err and "Traceback" not in err
    log = _state(root, "revocation")["log"]
    assert log[0]["who"] == "Registrar" and log[0]["reason"] == "duplicate"
    assert [e["action"] for e in _state(root, "suspension")["log"]] == ["suspended", "reinstated"]
    # without --by, someone is still named (git user.name or the login name)
    assert run([*base, "data-2026-03-03"]) == 0
    assert _state(root, "revocation")["log"][-1]["who"].strip()


def _site_results(site: Path, now: dt.datetime) -> dict[str, tuple[str, set[str]]]:
    out = {}
    for report in verify_paths([site], now=now):
        codes = {
            p.code for check in report.checks for p in check.problems if check.outcome == "failed"
        }
        out[Path(report.path).stem] = (str(report.result), codes)
    return out


def test_round_trips_verified_from_the_built_site(
    program: Callable[..., Path], tmp_path: Path
) -> None:
    root = program(suspension=True)
    site = tmp_path / "site"
    build_site(root, site, now=NOW)
    assert {r for r, _ in _site_results(site, NOW).values()} == {"valid"}
    change_status(root, "data-2026-03-01", action="revoke", who="a", now=T1, reason="fraud")
    change_status(root, "data-2026-03-02", action="suspend", who="a", now=T1)
    build_site(root, site, now=T1)
    results = _site_results(site, T1)
    assert results["data-2026-03-01"] == ("invalid", {"REVOKED"})
    assert results["data-2026-03-02"] == ("invalid", {"SUSPENDED"})
    assert results["data-2026-03-03"][0] == "valid"
    page = (site / "credentials" / "data-2026-03-01" / "index.html").read_text("utf-8")
    assert f"revoked by the issuer on {T1.date().isoformat()} (reason: fraud)" in page
    suspended = (site / "credentials" / "data-2026-03-02" / "index.html").read_text("utf-8")
    assert f"suspended by the issuer on {T1.date().isoformat()}" in suspended
    change_status(root, "data-2026-03-02", action="reinstate", who="a", now=T2)
    build_site(root, site, now=T2)
    results = _site_results(site, T2)
    assert results["data-2026-03-01"] == ("invalid", {"REVOKED"})
    assert results["data-2026-03-02"][0] == "valid"
    assert results["data-2026-03-03"][0] == "valid"
