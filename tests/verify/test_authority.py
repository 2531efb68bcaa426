"""Trust only what the verifier chose (issue 8): site folders, trust entries, status lists, time.

Forgery: a folder's DID documents count only for the did:web its base_url serves; anything
else needs --did-doc or a trust entry pinning the document (file or sha256). Status lists count
only when their signer is the credential's issuer or a delegate the trust file names; their
freshness comes from their signed dates only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from microcred.cli import main
from microcred.errors import ConfigError
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import VerifyOptions, check_credential, verify_paths
from microcred.verify.pinned import PinnedDocument, StatusSnapshot, load_did_document
from microcred.verify.report import human_lines
from microcred.verify.trust import TrustedIssuer, TrustStore, parse_trust

from .conftest import AT, CORPUS, corpus_json, default_options, gen
from .test_sources import SITE_DID_PATH, build_site

SCHOOL_DOC = CORPUS / "support/school.example.did.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _trust(tmp_path: Path, **entry: Any) -> TrustStore:
    data = {"issuers": [{"did": gen.WEB_DID, "name": "Example School", **entry}]}
    return parse_trust(data, "trust.json", tmp_path)


# --------------------------------------------------------------------------- site folders


def test_a_portfolio_folder_cannot_vouch_for_a_school_s_did(tmp_path: Path) -> None:
    """The candidate's folder ships did:web:school.example's document: not its to give."""
    site = build_site(
        tmp_path / "portfolio",
        base_url="https://candidate.example/",
        did_documents={gen.WEB_DID: SITE_DID_PATH},
    )
    (report,) = verify_paths([site], now=AT)
    assert report.result == "indeterminate"
    parse = report.check("parse")
    assert parse is not None and "is not used for did:web:school.example" in parse.note
    assert "base_url 'https://candidate.example/'" in parse.note
    # The key's hint does not send the user back to the folder it just ignored.
    binding = report.check("issuer_binding")
    assert binding is not None and binding.outcome == "indeterminate"
    detail = " ".join(p.detail for p in binding.problems)
    assert "verify the site folder" not in detail
    assert f"that folder is not authoritative for {gen.WEB_DID}" in detail
    assert "--did-doc" in detail and "trust file" in detail
    assert "verify the site folder" not in "\n".join(human_lines(report))
    # ...and a trust entry for the school never turns that into "trusted as".
    options = VerifyOptions(trust=_trust(tmp_path))
    (report,) = verify_paths([site], now=AT, options=options)
    assert report.result == "indeterminate"
    trust = report.check("issuer_trust")
    assert trust is not None and "trusted as" not in trust.note


def test_a_trust_entry_pinning_the_sha256_accepts_the_folder_s_copy(tmp_path: Path) -> None:
    site = build_site(tmp_path / "portfolio", base_url="https://candidate.example/")
    pinned = _trust(tmp_path, did_document_sha256=_sha(site / SITE_DID_PATH))
    (report,) = verify_paths([site], now=AT, options=VerifyOptions(trust=pinned))
    assert report.result == "valid", [c.to_json() for c in report.checks]
    assert report.trusted is True
    wrong = _trust(tmp_path, did_document_sha256="0" * 64)
    (report,) = verify_paths([site], now=AT, options=VerifyOptions(trust=wrong))
    assert report.result == "indeterminate"


def test_the_school_s_own_site_says_trusted_by_did_only_without_a_pin(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site")
    (report,) = verify_paths([site], now=AT, options=VerifyOptions(trust=_trust(tmp_path)))
    assert report.result == "valid"
    trust = report.check("issuer_trust")
    assert trust is not None and "trusted by DID only" in trust.note
    pinned = _trust(tmp_path, did_document=str(SCHOOL_DOC))
    (report,) = verify_paths([site], now=AT, options=VerifyOptions(trust=pinned))
    trust = report.check("issuer_trust")
    assert trust is not None and "is trusted as 'Example School'" in trust.note


@pytest.mark.parametrize("rel", ["dids/school.json", "did.json", "x/.well-known/did.json"])
def test_authority_needs_the_path_the_did_is_served_from(tmp_path: Path, rel: str) -> None:
    site = build_site(tmp_path / "site")
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCHOOL_DOC, site / rel)
    manifest = json.loads((site / "microcred-site.json").read_text())
    manifest["did_documents"] = {gen.WEB_DID: rel}
    (site / "microcred-site.json").write_text(json.dumps(manifest))
    (report,) = verify_paths([site], now=AT)
    assert report.result == "indeterminate"


def test_freshness_ignores_the_manifest_s_built_at(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site", built_at="2026-05-31T23:00:00Z")
    stale = corpus_json("support/revocation-1.stale-ttl.json")
    (site / "status/stale.json").write_text(json.dumps(stale))
    shutil.copy(CORPUS / "mc53_status_snapshot_stale.json", site / "credentials/stale.json")
    manifest = json.loads((site / "microcred-site.json").read_text())
    manifest["status_lists"][gen.REV_URL] = "status/stale.json"
    manifest["credentials"] = ["credentials/stale.json"]
    (site / "microcred-site.json").write_text(json.dumps(manifest))
    (report,) = verify_paths([site], now=AT, options=VerifyOptions(strict=True))
    status = report.check("status")
    assert status is not None and status.outcome == "failed"
    assert status.problems[0].code == "STATUS_LIST_STALE"


def test_a_file_inside_a_site_folder_uses_its_manifest_and_says_so(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site")
    (report,) = verify_paths([site / "credentials/alice.json"], now=AT)
    assert report.result == "valid", [c.to_json() for c in report.checks]
    parse = report.check("parse")
    assert parse is not None and f"documents from the site folder {site}" in parse.note


# --------------------------------------------------------------------------- trust file


def test_trust_window_since_until(tmp_path: Path) -> None:
    """The credential was issued 2026-01-15 (validFrom)."""
    document = corpus_json("valid_did_web_pinned.json")
    for window, trusted in (
        ({"since": "2026-01-15", "until": "2026-01-15"}, True),
        ({"since": "2026-01-16"}, False),
        ({"until": "2026-01-14"}, False),
        ({"since": "2025-01-01T00:00:00Z", "until": "2027-01-01"}, True),
    ):
        trust = _trust(tmp_path, did_document=str(SCHOOL_DOC), **window)
        entry = trust.lookup(gen.WEB_DID)
        assert entry is not None and (entry.since or entry.until)
        report = check_credential(document, now=AT, options=default_options(trust=trust))
        assert report.trusted is trusted, (window, report.check("issuer_trust"))
        if not trusted:
            detail = report.check("issuer_trust").problems[0].detail  # type: ignore[union-attr]
            assert "only from" in detail and "it was issued 2026-01-15T00:00:00Z" in detail


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"since": "soon"}, "is not a date"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "is before since"),
        ({"did_document_sha256": "ABC"}, "64 lower-case hex"),
        ({"status_list_issuers": "did:key:x"}, "must be an array"),
    ],
)
def test_trust_entry_mistakes_name_the_field(tmp_path: Path, entry: Any, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _trust(tmp_path, **entry)
    assert message in info.value.message


def test_a_plain_trust_file_stays_valid(tmp_path: Path) -> None:
    trust = parse_trust({"issuers": [{"did": gen.ISSUER, "name": "X"}]}, "t.json", tmp_path)
    entry = trust.lookup(gen.ISSUER)
    assert entry == TrustedIssuer(gen.ISSUER, "X")


def test_a_trusted_issuer_cannot_clear_another_issuer_s_revocation(tmp_path: Path) -> None:
    """The attacker's credential names the school's list; the school is trusted too."""
    theirs = gen.secure(
        gen.credential(gen.ATTACKER, index=gen.REVOKED_INDEX, cid="81"),
        gen.TEST_ONLY_ATTACKER_SEED,
        gen.ATTACKER_VM,
    )
    both = TrustStore(
        {
            gen.ISSUER: TrustedIssuer(gen.ISSUER, "School"),
            gen.ATTACKER: TrustedIssuer(gen.ATTACKER, "Other"),
        },
        "trust.json",
    )
    report = check_credential(theirs, now=AT, options=default_options(trust=both))
    status = report.check("status")
    assert status is not None and status.outcome == "indeterminate"
    assert "status_list_issuers" in status.problems[0].detail
    delegated = TrustStore(
        {gen.ATTACKER: TrustedIssuer(gen.ATTACKER, "Other", status_list_issuers=(gen.ISSUER,))},
        "trust.json",
    )
    report = check_credential(theirs, now=AT, options=default_options(trust=delegated))
    assert report.result == "invalid"
    assert report.check("status").problems[0].code == "REVOKED"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- documents


def _controller_doc(doc_id: str) -> dict[str, Any]:
    return gen.web_document(doc_id=doc_id, vm_id=f"{doc_id}#key-1", controller=doc_id)


def test_an_https_controller_document_resolves_keys(tmp_path: Path) -> None:
    issuer = "https://school.example/issuers/1"
    document = gen.secure(
        gen.credential(issuer, cid="82"), gen.TEST_ONLY_WEB_SEED, f"{issuer}#key-1"
    )
    path = tmp_path / "issuer.json"
    path.write_text(json.dumps(_controller_doc(issuer)))
    did, pinned = load_did_document(path)
    assert did == issuer and pinned.sha256 == _sha(path)
    options = replace(default_options(), did_documents={issuer: pinned})
    report = check_credential(document, now=AT, options=options)
    assert report.check("proof").outcome == "passed", report.check("proof")  # type: ignore[union-attr]
    assert report.check("issuer_binding").outcome == "passed"  # type: ignore[union-attr]
    trust = parse_trust(
        {"issuers": [{"did": issuer, "name": "School", "did_document": "issuer.json"}]},
        "t.json",
        tmp_path,
    )
    assert trust.did_documents()[issuer].document["id"] == issuer


@pytest.mark.parametrize(
    ("did", "shown"),
    [
        ("did:web:sch\u043eol.example", "\\u043e"),
        ("did:web:School.example", "lower case"),
        ("did:web:127.0.0.1", "IP address"),
        ("did:web:school.example:..:x", "'..'"),
    ],
)
def test_did_web_ids_the_rules_forbid_are_refused(tmp_path: Path, did: str, shown: str) -> None:
    path = tmp_path / "did.json"
    path.write_text(json.dumps(_controller_doc(did)), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_did_document(path)
    assert shown in info.value.message
    if not did.isascii():
        assert "CYRILLIC" in info.value.message  # the homoglyph is named, not just printed


def test_two_did_docs_for_one_did_is_a_usage_error_naming_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(SCHOOL_DOC, first)
    shutil.copy(SCHOOL_DOC, second)
    result = CliRunner().invoke(
        main,
        [
            "verify",
            "--did-doc",
            str(first),
            "--did-doc",
            str(second),
            str(CORPUS / "valid_baseline.json"),
        ],
    )
    assert result.exit_code == 2
    assert str(first) in result.output and str(second) in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- inputs


def test_an_svg_with_two_credentials_is_refused(tmp_path: Path) -> None:
    text = json.dumps(corpus_json("valid_baseline.json"))
    svg = gen.svg_with(f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>" * 2)
    path = tmp_path / "two.svg"
    path.write_text(svg, encoding="utf-8")
    (report,) = verify_paths([path], now=AT, options=default_options())
    assert report.result == "invalid"
    assert "2 <openbadges:credential> elements" in report.check("parse").problems[0].detail  # type: ignore[union-attr]


def test_a_folder_walk_reports_a_credential_whose_type_was_edited(tmp_path: Path) -> None:
    edited = corpus_json("valid_baseline.json")
    edited["type"] = ["OpenBadgeCredential"]
    (tmp_path / "badge.json").write_text(json.dumps(edited))
    (report,) = verify_paths([tmp_path], now=AT, options=default_options())
    assert report.result == "invalid"


def test_a_list_newer_than_at_leaves_the_status_unknown() -> None:
    early = parse_datetimestamp("2026-04-01T00:00:00Z")  # the list is signed 2026-05-01
    report = check_credential(
        corpus_json("valid_baseline.json"), now=early, options=default_options()
    )
    status = report.check("status")
    assert status is not None and status.outcome == "indeterminate"
    assert "newer than the time of verification" in status.problems[0].detail


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_dates_at_the_calendar_s_ends_give_a_verdict(at: str) -> None:
    result = CliRunner().invoke(main, ["verify", "--at", at, str(CORPUS / "valid_baseline.json")])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_a_huge_ttl_is_not_an_internal_error() -> None:
    status_list = corpus_json("support/revocation-1.stale-ttl.json")
    status_list["credentialSubject"]["ttl"] = 2**53 - 1
    signed = gen.secure(status_list)
    options = default_options()
    options = replace(
        options, status_lists={**options.status_lists, gen.REV_URL: StatusSnapshot(signed, "l")}
    )
    report = check_credential(corpus_json("valid_baseline.json"), now=AT, options=options)
    assert report.result == "valid", [c.to_json() for c in report.checks]


def test_pinned_documents_carry_their_origin() -> None:
    assert PinnedDocument({}, "x").chosen is True
    copy_ = copy.copy(PinnedDocument({}, "x", chosen=False))
    assert copy_.chosen is False


def test_a_homoglyph_issuer_is_printed_marked(tmp_path: Path) -> None:
    issuer = "did:web:sch\u043eol.example"
    document = gen.secure(
        gen.credential(issuer, cid="83"), gen.TEST_ONLY_WEB_SEED, f"{issuer}#key-1"
    )
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 3
    assert (
        "issuer did:web:sch\\u043eol.example (non-ASCII: U+043E CYRILLIC SMALL LETTER O)"
        in result.output
    )


def test_a_status_list_microcred_cannot_process_leaves_the_status_unknown() -> None:
    status_list = corpus_json("support/revocation-1.json")
    status_list["@context"] = [*status_list["@context"], "https://unknown.example/context.jsonld"]
    options = default_options()
    options = replace(
        options,
        status_lists={**options.status_lists, gen.REV_URL: StatusSnapshot(status_list, "l.json")},
    )
    report = check_credential(corpus_json("mc43_status_revoked.json"), now=AT, options=options)
    assert report.result == "indeterminate"  # never invalid, never valid
    status = report.check("status")
    assert (
        status is not None
        and "microcred cannot process the status list" in status.problems[0].detail
    )


def test_two_snapshots_for_one_status_list_is_a_usage_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(CORPUS / "support/revocation-1.json", first)
    shutil.copy(CORPUS / "support/revocation-1.json", second)
    result = CliRunner().invoke(
        main,
        ["verify", "--status-list", str(first), "--status-list", f"{gen.REV_URL}={second}",
         str(CORPUS / "valid_baseline.json")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert str(first) in result.output and str(second) in result.output
