"""Pages say what the verification report established, and no more (issue 8, item 11).

A portfolio holding someone else's badge never names its owner as the recipient; an issuer's
self-declared name is shown as a claim; the words about what was checked (which proofs, a
status list or none) come from the report, so a credential with one proof and no status
entry is not described as having both proofs and a status list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sitehelpers import NOW, fixed_key

from conftest import Built
from microcred.issue import sign_document
from microcred.site import build_site, scaffold
from microcred.site.verdict import page_verdict, recipient_words
from microcred.verify import StatusSnapshot, VerifyOptions, check_credential

OWNER = "Mallory Portfoliowner"


def _content(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    body = html.split("<!-- mc:content:start -->")[1].split("<!-- mc:content:end -->")[0]
    body = re.sub(r"<script[^>]*>.*?</script>", " ", body, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _one_proof_no_status(built: Built) -> dict[str, object]:
    """A credential signed with eddsa-jcs-2022 only, without credentialStatus."""
    credential = json.loads((built.site / "credentials" / "ux-2026-04-01.json").read_text())
    key = fixed_key("another issuer, one proof")
    for name in ("proof", "credentialStatus"):
        credential.pop(name)
    credential["issuer"]["id"] = key.controller
    return sign_document(credential, key, created=NOW, suites=("eddsa-jcs-2022",))


@pytest.fixture(scope="module")
def someone_elses(built_example: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("someone-elses")
    root = base / "project"
    scaffold(root, portfolio=True, name=OWNER, url="https://mallory.example/badges/")
    got = built_example.site
    creds = root / "credentials"
    (creds / "zoes-badge.json").write_bytes((got / "credentials/data-2026-03-01.json").read_bytes())
    (creds / "one-proof.json").write_text(json.dumps(_one_proof_no_status(built_example)))
    (root / "status").mkdir()
    (root / "status" / "rev.json").write_bytes((got / "status/revocation-1.json").read_bytes())
    build_site(root, base / "site", now=NOW)
    return base / "site"


def test_owner_is_never_named_as_recipient(someone_elses: Path) -> None:
    pages = [someone_elses / "index.html", *someone_elses.glob("badges/*/index.html")]
    assert len(pages) == 3
    for page in pages:
        text = _content(page)
        assert not re.search(rf"\bto\s+{OWNER}", text), page
        assert not re.search(rf"{OWNER}\s*\(recipient", text), page
    badge = _content(someone_elses / "badges" / "zoes-badge" / "index.html")
    assert "to the person its salted e-mail hash stands for (this page cannot tell who" in badge
    assert f"in the portfolio of {OWNER}" in badge


def test_issuer_name_is_a_claim_not_a_fact(someone_elses: Path) -> None:
    badge = _content(someone_elses / "badges" / "zoes-badge" / "index.html")
    assert re.search(
        r"Verified: “Data Analysis Sprint: Customer Churn” issued by did:key:z6Mk\w+, which "
        r"calls itself “Northwind Talent Collective” \(not confirmed\) to the person",
        badge,
    )
    assert "issued by Northwind Talent Collective" not in badge


def test_checked_words_come_from_the_report(someone_elses: Path) -> None:
    one = _content(someone_elses / "badges" / "one-proof" / "index.html")
    assert "checked: proof eddsa-jcs-2022, the issuer's key, the validity dates, no status " in (
        one.replace("&#39;", "'")
    )
    assert "eddsa-rdfc-2022" not in one.split("In your browser")[0]
    assert "both proofs" not in one and "status list (not revoked)" not in one
    two = _content(someone_elses / "badges" / "zoes-badge" / "index.html")
    assert "proofs eddsa-rdfc-2022 and eddsa-jcs-2022" in two
    assert "status list (not revoked)" in two


def test_verdict_follows_the_report(built_example: Built) -> None:
    credential = json.loads((built_example.site / "credentials/data-2026-03-01.json").read_text())
    snapshot = json.loads((built_example.site / "status/revocation-1.json").read_text())
    options = VerifyOptions(
        status_lists={snapshot["id"]: StatusSnapshot(snapshot, "status/revocation-1.json")}
    )
    report = check_credential(credential, now=NOW, options=options)
    valid = page_verdict(report, recipient="Zoë Ünal", own_site=True)
    assert valid.text.startswith("“Data Analysis Sprint: Customer Churn” issued by Northwind ")
    assert " to Zoë Ünal on 2026-03-16." in valid.text
    assert valid.heading == "Verified" and valid.reason == ""
    credential["credentialSubject"]["creditsEarned"] = 30
    later = NOW + dt.timedelta(days=1)
    broken = page_verdict(
        check_credential(credential, now=later),
        recipient=recipient_words(credential),
        own_site=False,
    )
    assert broken.heading == "Not valid"
    assert broken.text.startswith("The signature does not match the content")
    assert (
        "It claims to be “Data Analysis Sprint: Customer Churn” issued by did:key:" in broken.text
    )


def test_a_bidi_override_in_a_name_is_shown_not_obeyed(built_example: Built) -> None:
    credential = json.loads((built_example.site / "credentials/data-2026-03-01.json").read_text())
    verdict = page_verdict(
        check_credential(credential, now=NOW), recipient="Eve\u202eliaM", own_site=True
    )
    assert "\u202e" not in verdict.text and "to Eve\\u202eliaM" in verdict.text
