"""Third-party credentials (standards pack ``examples/``) get the verdict ``index.json`` implies.

* DCC did:key credentials verify; the tampered one fails its proof, the expired and revoked ones
  fail ``validity_period`` and ``status`` (their status list snapshots come from
  ``vectors/bitstring-status-list/`` via ``--status-list URL=FILE``);
* 1EdTech samples whose key is only an issuer-URL ``#z6Mk…`` fragment cannot be resolved
  offline: ``indeterminate`` (or invalid for another reason), never valid;
* the DCC did:web credential is indeterminate without ``--did-doc`` and valid with
  ``examples/dcc/did-web-oidf.did.json``;
* VC 1.1 credentials are verified with VC 1.1 rules, never reported as a bad signature;
* embedded endorsements are verified too: the DCC did:key endorsement verifies (its expiry is a
  warning), the 1EdTech complete sample's endorsements do not (the credential is invalid).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import (
    VerificationReport,
    VerifyOptions,
    load_did_document,
    load_status_list,
    verify_paths,
)

pytestmark = pytest.mark.conformance

AT = parse_datetimestamp("2026-06-01T00:00:00Z")
DCC_LIST = "vectors/bitstring-status-list/dcc-e5WK8CbZ1GjycuPombrj.json"
STATUS_SNAPSHOTS = {
    # The URLs the credentials name, and the local copy of the list behind each (same bytes).
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/"
    "test-fixtures/status/e5WK8CbZ1GjycuPombrj": DCC_LIST,
    "https://digitalcredentials.github.io/vc-test-fixtures/statusLists/"
    "didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj": DCC_LIST,
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/"
    "main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist": (
        "vectors/bitstring-status-list/1edtech-testlist.json"
    ),
}
UNRESOLVABLE = ("indeterminate", "proof", "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT")
NO_PROOF = ("invalid", "proof", "PROOF_VERIFICATION_ERROR")
VALID = ("valid", None, None)

# (result, first check with the outcome the result implies, its first problem code)
EXPECTED: dict[str, tuple[str, str | None, str | None]] = {
    # 1EdTech validator samples: keys named by issuer-URL#z6Mk fragments are never resolved.
    "1edtech-validator/ob30-simple.json": UNRESOLVABLE,
    "1edtech-validator/ob30-simple-context-3.0.2.json": UNRESOLVABLE,
    # Its embedded endorsements cannot verify on their own (undefined 1EdTech types would be
    # dropped from what they sign; cryptosuite 'eddsa-rdf-2022' does not exist): OB 3.0 section
    # 9 step 6 makes the whole credential unverified, whatever key document is supplied.
    "1edtech-validator/ob30-complete.json": ("invalid", "proof", "DATA_LOSS_DETECTION_ERROR"),
    "1edtech-validator/ob30-endorsement-valid.json": UNRESOLVABLE,
    "1edtech-validator/ob30-bitstring-revoked.json": UNRESOLVABLE,
    "1edtech-validator/ob30-simple-legacy-eddsa-2022-vcdm1.json": UNRESOLVABLE,
    "1edtech-validator/ob30-simple-ed25519signature2020-vcdm1.json": UNRESOLVABLE,
    "1edtech-validator/ob30-revocationlist-ed25519signature2020-didweb-vcdm1.json": UNRESOLVABLE,
    # Its key is an issuer-URL fragment (never trusted), but the signature does not match even
    # that key: the document was changed, so it is invalid whoever holds the key.
    "1edtech-validator/negative/ob30-err-proof-value.json": (
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    ),
    # Bare did:key verificationMethod without '#fragment', issuer a urn:uuid (MC-28, MC-25).
    "1edtech-validator/ob30-simple-did-key-method.json": (
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    ),
    # 'SomeProofType' with no verificationMethod: every proof of a set must verify (MC-21).
    "1edtech-validator/ob30-simple-multiple-proofs.json": NO_PROOF,
    # A VC-JWT (OB 3.0 section 8.2) is opened now; this pre-release sample has no achievement
    # and names an unpublished draft context.
    "1edtech-validator/ob30-simple-vcdm1.jwt": ("invalid", "data_model", "MALFORMED_VALUE_ERROR"),
    "1edtech-validator/negative/ob30-err-context.json": (
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    ),
    "1edtech-validator/negative/ob30-err-expired.json": ("invalid", "validity_period", "EXPIRED"),
    "1edtech-validator/negative/ob30-err-type.json": (
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    ),
    # CLR 2.0 contexts are pinned: an issuer-URL fragment key; bare did:key keys (as above) in
    # the CLR's embedded credentials, which must verify too (checks/clr.py).
    "1edtech-validator/clr20-simple.json": UNRESOLVABLE,
    "1edtech-validator/clr20-complex-ed25519signature2020-vcdm1.json": (
        "invalid",
        "proof",
        "INVALID_VERIFICATION_METHOD",
    ),
    # DCC fixtures: did:key credentials verify.
    "dcc/v2-eddsa-rdfc-2022-didkey-basic.json": VALID,
    "dcc/v2-eddsa-rdfc-2022-didkey-obspecexample.json": VALID,
    "dcc/v2-eddsa-rdfc-2022-didkey-identifier.json": VALID,
    "dcc/v2-eddsa-rdfc-2022-didkey-credentialschema.json": VALID,
    "dcc/v2-eddsa-rdfc-2022-didkey-alignments.json": VALID,
    "dcc/v2-eddsa-rdfc-2022-didkey-complexissuer.json": VALID,
    "dcc/v2-two-proofs-eddsa-and-ed25519sig2020-didkey.json": VALID,
    "dcc/v2-two-proofs-endorsementcredential-didkey.json": VALID,
    "dcc/v2-ed25519signature2020-didkey.json": VALID,
    "dcc/v1-eddsa-rdfc-2022-didkey-vcdm1.json": VALID,  # VC 1.1 rules
    "dcc/negative/v2-ed25519signature2020-didkey-tampered.json": (
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    ),
    "dcc/v2-eddsa-rdfc-2022-didkey-revoked-index8.json": ("invalid", "validity_period", "EXPIRED"),
    "dcc/v2-eddsa-rdfc-2022-didkey-validstatus-index7-expired.json": (
        "invalid",
        "validity_period",
        "EXPIRED",
    ),
    "dcc/v2-eddsa-rdfc-2022-didweb-oidf.json": UNRESOLVABLE,  # valid with --did-doc (below)
    # DID documents named explicitly are reported: they are not credentials.
    "dcc/did-web-oidf.did.json": ("invalid", "data_model", "MALFORMED_VALUE_ERROR"),
    "dcc/did-web-legacy.did.json": ("invalid", "data_model", "MALFORMED_VALUE_ERROR"),
    # The OB specification's examples are unsigned.
    "ob-spec-unsigned/basic-openbadgecredential.json": NO_PROOF,
    "ob-spec-unsigned/complete-openbadgecredential.json": NO_PROOF,
    "ob-spec-unsigned/endorsementcredential.json": NO_PROOF,
    "ob-spec-unsigned/achievement-alignment-case.json": NO_PROOF,
    "ob-spec-unsigned/achievement-alignment-credential-engine.json": NO_PROOF,
    "ob-spec-unsigned/skill-assertion-case.json": NO_PROOF,
    "ob-spec-unsigned/skill-assertion-ctdl.json": NO_PROOF,
    "ob-spec-unsigned/docformat-sample.json": NO_PROOF,
}


@pytest.fixture(scope="module")
def examples(standards: Path) -> Path:
    return standards / "examples"


@pytest.fixture(scope="module")
def index(examples: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((examples / "index.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in data["examples"]}


@pytest.fixture(scope="module")
def snapshots(standards: Path) -> VerifyOptions:
    lists = dict(
        load_status_list(f"{url}={standards / rel}") for url, rel in STATUS_SNAPSHOTS.items()
    )
    return VerifyOptions(status_lists=lists)


def verify(path: Path, options: VerifyOptions) -> VerificationReport:
    (report,) = verify_paths([path], now=AT, options=options)
    return report


def first(report: VerificationReport) -> tuple[str, str | None, str | None]:
    wanted = {"invalid": "failed", "indeterminate": "indeterminate"}.get(report.result)
    check = next((c for c in report.checks if c.outcome == wanted), None)
    if check is None:
        return report.result, None, None
    return report.result, check.id, check.problems[0].code if check.problems else None


def test_every_example_file_has_an_expected_verdict(examples: Path) -> None:
    files = {str(p.relative_to(examples)) for p in examples.rglob("*") if p.is_file()} - {
        "index.json"
    }
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_verdict(name: str, examples: Path, snapshots: VerifyOptions) -> None:
    report = verify(examples / name, snapshots)
    assert first(report) == EXPECTED[name], [
        c.to_json() for c in report.checks if c.outcome not in ("passed", "not_requested")
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_is_consistent_with_index_json(
    name: str, examples: Path, index: dict[str, dict[str, Any]], snapshots: VerifyOptions
) -> None:
    entry = index[name]
    report = verify(examples / name, snapshots)
    proof = report.check("proof")
    assert proof is not None
    validity = entry.get("signatureValid") or []
    methods = [p.get("verificationMethod", "") for p in entry.get("proofs", [])]
    if False in validity:
        assert report.result != "valid" and proof.outcome != "passed"
    local_keys = methods and all(m.startswith("did:key:") and "#" in m for m in methods)
    if validity and all(validity) and local_keys and "negative/" not in name:
        assert proof.outcome == "passed"  # did:key signatures that index.json says verify
    if any(m.startswith("https://") for m in methods):
        assert report.result != "valid"  # a key from a URL fragment is never trusted
    if "REVOKED" in " ".join(entry.get("notes", [])) or "expired" in " ".join(
        entry.get("notes", [])
    ):
        assert report.result != "valid"
    legacy = entry.get("context", [None])[0] == "https://www.w3.org/2018/credentials/v1"
    if legacy and report.result != "valid":
        codes = [p.code for c in report.checks for p in c.problems]
        assert "CRYPTOGRAPHIC_SECURITY_ERROR" not in codes  # never "invalid signature"


def test_revoked_and_expired_dcc_credentials_also_fail_status(
    examples: Path, snapshots: VerifyOptions
) -> None:
    for name in (
        "dcc/v2-eddsa-rdfc-2022-didkey-revoked-index8.json",
        "dcc/v2-eddsa-rdfc-2022-didkey-validstatus-index7-expired.json",
    ):
        report = verify(examples / name, snapshots)
        status = report.check("status")
        assert status is not None and status.outcome == "failed"
        # That list is signed by another DCC key and has another id: it cannot vouch for these.
        assert status.problems[0].code == "STATUS_VERIFICATION_ERROR"


def test_did_web_credential_is_valid_with_its_did_document(examples: Path) -> None:
    name = "dcc/v2-eddsa-rdfc-2022-didweb-oidf.json"
    assert verify(examples / name, VerifyOptions()).result == "indeterminate"
    did, doc = load_did_document(examples / "dcc/did-web-oidf.did.json")
    report = verify(examples / name, VerifyOptions(did_documents={did: doc}))
    assert report.result == "valid", [c.to_json() for c in report.checks]
    binding = report.check("issuer_binding")
    assert binding is not None and "did-web-oidf.did.json" in binding.note


def test_legacy_forms_are_warned_about_and_fail_under_strict(
    examples: Path, snapshots: VerifyOptions
) -> None:
    for name, code in (
        ("dcc/v1-eddsa-rdfc-2022-didkey-vcdm1.json", "LEGACY_DATA_MODEL"),
        ("dcc/v2-ed25519signature2020-didkey.json", "LEGACY_SUITE"),
    ):
        relaxed = verify(examples / name, snapshots)
        assert code in [w.code for c in relaxed.checks for w in c.warnings]
        strict = verify(examples / name, VerifyOptions(strict=True))
        assert strict.result == "invalid"


def test_the_examples_folder_as_a_whole(examples: Path, snapshots: VerifyOptions) -> None:
    """Directory mode: index.json and the DID documents are skipped; the .jwt is reported."""
    reports = list(verify_paths([examples], now=AT, options=snapshots))
    names = {str(Path(r.path).relative_to(examples)) for r in reports}
    skipped = {n for n in EXPECTED if n.endswith(".did.json")}
    assert names == set(EXPECTED) - skipped
    assert sum(r.result == "valid" for r in reports) == 10


def test_embedded_endorsements_of_third_party_credentials(
    examples: Path, snapshots: VerifyOptions
) -> None:
    """OB 3.0 section 9 step 6: each embedded EndorsementCredential is verified as well."""
    dcc = verify(examples / "dcc/v2-eddsa-rdfc-2022-didkey-complexissuer.json", snapshots)
    proof = dcc.check("proof")
    validity = dcc.check("validity_period")
    assert dcc.result == "valid" and proof is not None and validity is not None
    assert "$.issuer.endorsement[0] by did:key:z6Mkjori" in proof.note
    assert proof.note.endswith(": verified")
    assert [(w.code, w.detail.split(":")[0]) for w in validity.warnings] == [
        ("EXPIRED", "$.issuer.endorsement[0]")
    ]
    assert verify(examples / dcc.path, VerifyOptions(strict=True)).result == "invalid"

    complete = verify(examples / "1edtech-validator/ob30-complete.json", snapshots)
    proof = complete.check("proof")
    assert proof is not None and proof.outcome == "failed"
    failing = {p.detail.split(": ")[0] for p in proof.problems if p.detail.startswith("$.")}
    assert failing == {
        "$.endorsement[0]",
        "$.issuer.endorsement[0]",
        "$.credentialSubject.achievement.endorsement[0]",
        "$.credentialSubject.achievement.creator.endorsement[0]",
        "$.credentialSubject.achievement.creator.endorsement[1]",
    }
    # The credential's own proof is still reported as undecided (its key is a URL fragment).
    assert any(
        p.code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT" and p.detail.startswith("proof[0]")
        for p in proof.problems
    )
