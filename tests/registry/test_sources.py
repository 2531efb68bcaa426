"""Import sources other than loose JSON: baked PNG/SVG images and a downloaded site folder."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import regsupport as rs

from microcred.cli import run

gen = rs.gen


def _import(tmp_path: Path, *sources: Path) -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["import", "--registry", f"sqlite:///{tmp_path / 'r.db'}", "--learner",
                    rs.LEARNER, "--at", rs.AT, "--json", *map(str, sources)])  # fmt: skip
    assert code == 0, out.getvalue()
    return {Path(o["path"]).name: o for o in map(json.loads, out.getvalue().splitlines())}


def test_baked_images(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    png = rs.credential(name="PNG badge")
    svg = rs.credential(name="SVG badge")
    (folder / "badge.png").write_bytes(gen.png_with([gen.itxt(json.dumps(png))]))
    inner = f"<openbadges:credential><![CDATA[{json.dumps(svg)}]]></openbadges:credential>"
    (folder / "badge.svg").write_text(gen.svg_with(inner), encoding="utf-8")
    (folder / "plain.png").write_bytes(gen.png_with([]))  # an image without a credential
    got = _import(tmp_path, folder, folder / "plain.png")
    assert (
        got["badge.png"]["verdict"] == "accepted" and got["badge.png"]["achievement"] == "PNG badge"
    )
    assert (
        got["badge.svg"]["verdict"] == "accepted" and got["badge.svg"]["achievement"] == "SVG badge"
    )
    assert got["plain.png"]["status"] == "skipped"
    assert got["plain.png"]["reasons"][0].startswith("not a credential")


def test_site_folder_uses_its_own_status_lists(tmp_path: Path) -> None:
    site = tmp_path / "site"
    rs.write(site / "credentials" / "good.json", rs.credential(index=11))
    rs.write(site / "credentials" / "revoked.json", rs.credential(index=rs.REVOKED_INDEX))
    rs.write(site / "status" / "revocation-1.json", rs.revocation_list())
    rs.write(site / "microcred-site.json", {
        "microcred_site": 1, "base_url": "https://school.example/",
        "issuer": rs.ISSUER, "did_documents": {},
        "status_lists": {gen.REV_URL: "status/revocation-1.json"},
        "credentials": ["credentials/good.json", "credentials/revoked.json"],
        "built_at": "2026-05-20T00:00:00Z",
    })  # fmt: skip
    got = _import(tmp_path, site)
    assert set(got) == {"good.json", "revoked.json"}
    assert got["good.json"]["verdict"] == "accepted", got["good.json"]
    assert got["revoked.json"]["verdict"] == "rejected"
    assert got["revoked.json"]["reasons"][0].startswith("revoked:")


def test_status_unknown_offline_needs_review(tmp_path: Path) -> None:
    cred = rs.write(tmp_path / "a.json", rs.credential(index=12))
    got = _import(tmp_path, cred)["a.json"]
    assert got["verdict"] == "needs_review"
    assert got["reasons"][0].startswith("status undecidable offline:")


def test_the_same_credential_as_file_and_baked_image_is_one_row(tmp_path: Path) -> None:
    cred = rs.credential(name="Twice")
    folder = tmp_path / "both"
    rs.write(folder / "a-badge.json", cred)  # indented
    (folder / "b-badge.png").write_bytes(gen.png_with([gen.itxt(json.dumps(cred))]))
    got = _import(tmp_path, folder)
    assert got["a-badge.json"]["status"] == "added"
    assert got["b-badge.png"]["status"] == "already_imported"
    assert got["b-badge.png"]["reasons"][0].startswith(
        "already imported: the same credential (written differently) is registry row"
    )
