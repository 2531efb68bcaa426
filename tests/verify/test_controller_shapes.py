"""``microcred verify --did-doc`` with the real-world document shapes of
``tests/proof/fixtures/controller_docs`` (relative ids, embedded methods, JWK-carried Ed25519
keys, https controller documents without a DID context...): a credential signed by the key
the document lists is valid, a changed copy is invalid, a defective document never vouches.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.cli import main
from microcred.proof.multibase import b64url_encode

from .conftest import gen

SHAPES = Path(__file__).resolve().parent.parent / "proof" / "fixtures" / "controller_docs"
SEED = bytes([7]) * 32  # TEST-ONLY: the Ed25519 key every Ed25519 fixture lists
ED25519_SHAPES = sorted(
    p.stem for p in SHAPES.glob("*.json") if not p.stem.startswith("bad_") and "p256" not in p.stem
)


def _signed(issuer: str) -> dict[str, Any]:
    document = gen.credential(issuer)
    del document["credentialStatus"]  # no list to pin: status is not what is tested here
    return gen.secure(document, SEED, f"{issuer}#key-1", suites=(gen.RDFC,))


def _verify(tmp_path: Path, shape: str, credential: dict[str, Any]) -> tuple[int, list[Any]]:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(credential), encoding="utf-8")
    args = ["verify", "--json", "--at", gen.AT, "--did-doc", str(SHAPES / f"{shape}.json")]
    result = CliRunner().invoke(main, [*args, str(path)])
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return result.exit_code, lines


@pytest.mark.parametrize("shape", ED25519_SHAPES)
def test_credentials_verify_against_real_world_document_shapes(tmp_path: Path, shape: str) -> None:
    issuer = json.loads((SHAPES / f"{shape}.json").read_text(encoding="utf-8"))["id"]
    signed = _signed(issuer)
    code, reports = _verify(tmp_path, shape, signed)
    assert code == 0, reports
    assert reports[0]["result"] == "valid"
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Forged Achievement"
    code, reports = _verify(tmp_path, shape, changed)
    assert code == 1 and reports[0]["result"] == "invalid"


@pytest.mark.parametrize(
    ("shape", "code"),
    [
        ("bad_bare_key_name_without_hash", "INVALID_VERIFICATION_METHOD"),
        ("bad_relative_reference_to_another_key", "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"),
        ("bad_method_controller_array", "INVALID_VERIFICATION_METHOD"),
        ("bad_multikey_type_with_jwk", "INVALID_VERIFICATION_METHOD"),
        ("bad_ed25519_2020_key_without_multicodec_header", "INVALID_VERIFICATION_METHOD"),
        (
            "bad_relative_ids_key_only_under_authentication",
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
        ),
    ],
)
def test_defective_documents_never_vouch_for_a_key(tmp_path: Path, shape: str, code: str) -> None:
    signed = _signed("did:web:school-badges.github.io:issuer")
    exit_code, reports = _verify(tmp_path, shape, signed)
    assert exit_code == 1, reports
    problems = [p["code"] for c in reports[0]["checks"] for p in c.get("problems", [])]
    assert code in problems


def test_a_relative_id_document_does_not_speak_for_another_issuer(tmp_path: Path) -> None:
    # the key of did:web:school-badges.github.io:issuer signs "as" another did:web issuer
    signed = _signed("did:web:other-school.github.io:issuer")
    code, reports = _verify(tmp_path, "relative_ids_ed25519_2020", signed)
    assert code == 3 and reports[0]["result"] == "indeterminate"  # no document for that DID


@pytest.mark.parametrize("kid", ["#key-1", "did:web:school-badges.github.io:issuer#key-1", None])
def test_a_vc_jwt_finds_its_key_in_a_document_with_relative_ids(tmp_path: Path, kid: Any) -> None:
    issuer = "did:web:school-badges.github.io:issuer"
    credential = gen.credential(issuer)
    del credential["credentialStatus"]
    claims = {"vc": credential, "iss": issuer, "jti": credential["id"], "nbf": 1768435200}
    header = {"alg": "EdDSA", "typ": "JWT", **({"kid": kid} if kid else {})}

    def token(payload: dict[str, Any]) -> str:
        head = b64url_encode(json.dumps(header).encode())
        body = b64url_encode(json.dumps(payload).encode())
        signature = Ed25519PrivateKey.from_private_bytes(SEED).sign(f"{head}.{body}".encode())
        return f"{head}.{body}.{b64url_encode(signature)}"

    path = tmp_path / "badge.jwt"
    args = ["verify", "--json", "--at", gen.AT, "--did-doc"]
    args.append(str(SHAPES / "relative_ids_ed25519_2020.json"))
    signed = token(claims)
    path.write_text(signed, encoding="utf-8")
    result = CliRunner().invoke(main, [*args, str(path)])
    assert result.exit_code == 0, result.output
    # the same signature over a changed payload
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Forged Achievement"
    head, _, signature = signed.split(".")
    forged = f"{head}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    path.write_text(forged, encoding="utf-8")
    assert CliRunner().invoke(main, [*args, str(path)]).exit_code == 1
