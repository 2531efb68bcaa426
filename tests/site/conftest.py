"""Site test fixtures: the example program built once per session with a fixed key and clock."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # sitehelpers, shared with scripts/

from sitehelpers import NOW, XSS, copy_example, fixed_key

from microcred.site import BuildResult, build_site, scaffold


@dataclass(frozen=True)
class Built:
    project: Path
    site: Path
    source: Path
    result: BuildResult
    now: dt.datetime


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled example, issued and built once (about ten seconds)."""
    base = tmp_path_factory.mktemp("example")
    project = copy_example(base / "program")
    result = build_site(
        project, base / "site", now=NOW, key=fixed_key(), keep_source=base / "source"
    )
    return Built(project, base / "site", base / "source", result, NOW)


@pytest.fixture(scope="session")
def built_portfolio(
    built_example: Built, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A candidate portfolio: real, baked, tampered, unreadable and hostile credentials."""
    base = tmp_path_factory.mktemp("portfolio")
    root = base / "project"
    scaffold(root, portfolio=True, name="Zoë Ünal", url="https://zoe.github.io/badges/")
    settings = root / "microcred.toml"  # list the failing ones too: their pages are tested
    settings.write_text(settings.read_text(encoding="utf-8") + "show_invalid = true\n", "utf-8")
    got = built_example.site / "credentials"
    creds = root / "credentials"
    shutil.copy(got / "data-2026-03-01.json", creds / "churn.json")
    shutil.copy(got / "data-2026-03-01.png", creds / "churn-baked.png")
    shutil.copy(got / "ux-2026-04-01.svg", creds / "audit-baked.svg")
    tampered = json.loads((got / "sales-2026-05-01.json").read_text())
    tampered["credentialSubject"]["creditsEarned"] = 30
    (creds / "tampered.json").write_text(json.dumps(tampered))
    (creds / "garbage.json").write_text("{not json")
    hostile = json.loads((got / "ux-2026-07-01.json").read_text())
    hostile["credentialSubject"]["achievement"]["name"] = XSS[:200]
    hostile["credentialSubject"]["achievement"]["criteria"]["narrative"] = XSS
    hostile["credentialSubject"]["achievement"]["image"]["id"] = (
        "data:image/svg+xml,<svg onload=alert(1)>"
    )
    hostile["evidence"][1]["id"] = "javascript:alert(1)"
    hostile["issuer"]["name"] = "\u202eevil" + XSS[:100]
    (creds / "hostile.json").write_text(json.dumps(hostile))
    (root / "status").mkdir()
    shutil.copy(built_example.site / "status" / "revocation-1.json", root / "status" / "rev.json")
    (root / "profile.md").write_text("# About me\n\nI analyse data. <script>alert(1)</script>\n")
    build_site(root, base / "site", now=NOW)
    return root, base / "site"
