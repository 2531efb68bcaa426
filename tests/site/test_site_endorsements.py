"""Endorsements on the site: own URL and page, listed where the endorsed thing is, in the
manifest, verified offline and in the browser; a revoked target is shown as such."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sitehelpers import NOW, fixed_key

from conftest import Built
from microcred.issue import sign_document
from microcred.proof.keys import generate_keypair
from microcred.publish import change_status
from microcred.site import build_site
from microcred.verify import verify_paths

CHROMIUM = Path("/usr/bin/chromium")


def _page(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def test_each_endorsement_has_its_url_page_and_listing(built_example: Built) -> None:
    site, project = built_example.site, built_example.project
    issued = {
        p.stem: p.read_text("utf-8")
        for p in (project / "credentials" / "endorsements").glob("*.json")
    }
    assert len(issued) == 4
    for slug, text in issued.items():
        assert (site / "endorsements" / f"{slug}.json").read_text("utf-8") == text
        page = _page(site, f"endorsements/{slug}")
        assert "data-mc-auto" in page and "mc-verification-data" in page
        assert "Verified at build time" in page and "valid —" in page
    manifest = json.loads((site / "microcred-site.json").read_text("utf-8"))
    assert {f"endorsements/{s}.json" for s in issued} <= set(manifest["credentials"])
    listed = {
        "credentials/data-2026-03-01": "Ingrid Halvorsen",
        "catalog/data-analysis-sprint": "Kadeborg Subscriptions B.V.",
        "": "Rotterdam Makers Network",
        "credentials/ux-2026-04-02": "Nguyễn Thị Mai",
    }
    for rel, name in listed.items():
        page = _page(site, rel) if rel else (site / "index.html").read_text("utf-8")
        assert "mc-endorsements" in page and name in page, rel
    assert "mc-endorsements" not in _page(site, "credentials/sales-2026-05-01")


def test_microcred_verifies_the_published_endorsements(built_example: Built) -> None:
    results = verify_paths([built_example.site], now=NOW)
    endorsement_reports = [r for r in results if "endorsements/" in str(r.path)]
    assert len(endorsement_reports) == 4
    assert all(r.result == "valid" for r in endorsement_reports), endorsement_reports


def test_an_endorsement_of_a_revoked_credential_says_so(
    built_example: Built, tmp_path: Path
) -> None:
    project = tmp_path / "program"
    shutil.copytree(built_example.project, project)
    change_status(project, "data-2026-03-01", action="revoke", who="test", now=NOW)
    site = tmp_path / "site"
    build_site(project, site, now=NOW + dt.timedelta(hours=1), key=fixed_key())
    endorsement = _page(site, "endorsements/mentor-data-2026-03-01")
    assert "has since been revoked by its issuer" in endorsement
    credential = _page(site, "credentials/data-2026-03-01")
    assert "endorses a credential the issuer has since revoked" in credential
    assert "since revoked" not in _page(site, "credentials/ux-2026-04-02")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.is_file(), reason="BROWSER TEST SKIPPED: no /usr/bin/chromium")
def test_the_browser_verifies_an_endorsement_and_refuses_a_forged_one(built_example: Built) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    site = built_example.site
    honest = json.loads((site / "endorsements" / "peer-ux-2026-04-02.json").read_text("utf-8"))
    forged = sign_document(
        {k: v for k, v in honest.items() if k != "proof"}, generate_keypair(), created=NOW
    )
    fragment = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    verdict = '[data-mc-verify-result]:not([data-mc-verify-result="pending"])'
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.goto((site / "endorsements" / "peer-ux-2026-04-02" / "index.html").as_uri())
            tab.wait_for_selector(verdict, timeout=15_000)
            assert tab.get_attribute("[data-mc-verify-result]", "data-mc-verify-result") == "valid"
            tab.goto((site / "verify.html").as_uri() + "#vc=" + fragment)
            tab.wait_for_selector(verdict, timeout=15_000)
            assert tab.get_attribute(verdict, "data-mc-verify-result") == "invalid"
            assert "not by the issuer" in tab.inner_text("body")
        finally:
            browser.close()
