"""Compact JWS (proof/jwt.py) against the RFC examples, and the strict reading around them."""

from __future__ import annotations

import pytest

from microcred.errors import ProofError
from microcred.proof.jwt import parse_compact, verify_compact
from microcred.proof.multibase import b64url_encode
from microcred.proof.pubkeys import key_from_jwk

# RFC 8037 appendix A.1 / A.4: Ed25519 key and the JWS of "Example of Ed25519 signing".
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)
# RFC 7515 appendix A.3: ES256.
RFC7515_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}
RFC7515_JWS = (
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)


@pytest.mark.parametrize(
    ("token", "jwk"),
    [(RFC8037_JWS, RFC8037_JWK), (RFC7515_JWS, RFC7515_JWK)],
    ids=["EdDSA", "ES256"],
)
def test_rfc_examples_verify_and_any_change_does_not(token: str, jwk: dict[str, str]) -> None:
    key = key_from_jwk(jwk)
    assert verify_compact(parse_compact(token), key)
    head, _, signature = token.split(".")
    changed = f"{head}.{b64url_encode(b'changed')}.{signature}"
    assert not verify_compact(parse_compact(changed), key)


def test_the_key_kind_must_match_the_algorithm() -> None:
    assert not verify_compact(parse_compact(RFC8037_JWS), key_from_jwk(RFC7515_JWK))


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ('{"alg":"none"}', "PROOF_VERIFICATION_ERROR"),
        ('{"alg":"EdDSA","b64":false,"crit":["b64"]}', "PROOF_VERIFICATION_ERROR"),
        ('{"alg":"EdDSA","alg":"ES256"}', "PARSING_ERROR"),
        ('["EdDSA"]', "PARSING_ERROR"),
    ],
    ids=["alg-none", "crit", "duplicate-member", "not-an-object"],
)
def test_headers_that_are_refused(header: str, code: str) -> None:
    token = f"{b64url_encode(header.encode())}.{b64url_encode(b'{}')}.AAAA"
    with pytest.raises(ProofError) as info:
        parse_compact(token)
    assert info.value.code == code


def test_padding_and_stray_characters_are_refused() -> None:
    for token in (RFC8037_JWS + "=", RFC8037_JWS.replace(".", "..", 1), "a.b", "a.b.c.d"):
        with pytest.raises(ProofError):
            parse_compact(token)
