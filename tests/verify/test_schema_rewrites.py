"""The 1EdTech JSON Schema check cannot be talked out of seeing a value (issue 8).

A credential microcred signs (the adversarial generator's TEST-ONLY signer, rdfc + jcs like
microcred) names the OB 3.0 schema and carries a value the schema refuses in a property only
the schema constrains. Every RDF-preserving rewrite (tests/verify/rewrites.py: full IRI,
compact IRI, ``@nest``, value objects, ``@type`` variants) keeps it refused: the schema reads
the signed shape as well as the JSON as written (verify/checks/schema_input.py). The
reference-signed counterpart is tests/interop/test_reference_rewrites.py.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from microcred.jsonld.loader import default_loader
from microcred.verify import check_credential
from microcred.verify.checks.schema_input import signed_shape
from microcred.verify.signed import build_signed_view

from .conftest import AT, default_options, gen
from .rewrites import not_better, rdf_rewrites, rdfc_only

pytestmark = pytest.mark.conformance

OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
# (property of the achievement, a value the OB 3.0 schema refuses and no hand-written rule reads)
BAD_VALUES: dict[str, tuple[str, Any]] = {
    "achievement_type": ("achievementType", "NotAKindOfAchievement"),
    "credits_text": ("creditsAvailable", "three"),
    "language": ("inLanguage", "english"),
}


@pytest.fixture(autouse=True)
def _schemas(standards: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROCRED_SCHEMA_DIR", str(standards / "schemas" / "ob-v3p0"))


def _signed(key: str | None = None, value: Any = None) -> dict[str, Any]:
    document = gen.credential()
    document["credentialSchema"] = [{"id": OB_SCHEMA, "type": "JsonSchema"}]
    if key is not None:
        document["credentialSubject"]["achievement"][key] = value
    signed: dict[str, Any] = gen.secure(document)
    return signed


def _schema_problems(report: Any) -> list[str]:
    check = report.check("data_model")
    return [p.detail for p in check.problems if p.detail.startswith("schema ")]


def test_the_genuine_credential_meets_the_schema_and_no_rewrite_improves_it() -> None:
    document = _signed()
    original = check_credential(document, now=AT, options=default_options())
    assert original.result == "valid", [c.to_json() for c in original.checks]
    assert not _schema_problems(original)
    worse = []
    for label, rewritten in rdf_rewrites(document):
        report = check_credential(rdfc_only(rewritten), now=AT, options=default_options())
        why = not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_a_value_the_schema_refuses_stays_refused_under_every_rewrite(case: str) -> None:
    key, value = BAD_VALUES[case]
    document = _signed(key, value)
    original = check_credential(document, now=AT, options=default_options())
    assert original.result == "invalid"
    assert any(key in p for p in _schema_problems(original)), _schema_problems(original)
    rewrites = list(rdf_rewrites(document))
    labels = " ".join(label for label, _ in rewrites)
    where = f"credentialSubject.achievement.{key}"
    for technique in ("full-iri", "nest"):
        assert f"{technique} {where}" in labels, labels
    hidden = 0
    worse = []
    for label, rewritten in rewrites:
        report = check_credential(rdfc_only(rewritten), now=AT, options=default_options())
        why = not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
        elif label.endswith(where) and not label.startswith("value-object"):
            # The key is out of the schema's sight in the JSON: the signed shape still has it.
            assert any("in the signed data" in p and key in p for p in _schema_problems(report))
            hidden += 1
    assert not worse, worse
    assert hidden >= 2


def test_a_hidden_value_in_an_embedded_endorsement_is_seen_in_its_signed_view() -> None:
    """The outer schema reads an embedded credential from its own signed view, so respelling a
    property inside the endorsement (keeping the outer RDF) does not hide it either."""
    endorsement = gen.secure(
        {
            "@context": [gen.V2, gen.OB303],
            "id": "urn:uuid:7d2c9a4e-0b1f-4c55-9e1d-0000000000e1",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": {"id": gen.ISSUER, "type": ["Profile"], "name": "Endorser"},
            "validFrom": gen.ISSUED,
            "name": "Endorsement",
            "credentialSubject": {
                "id": "https://school.example/catalog/data-analysis/",
                "type": ["EndorsementSubject"],
                "endorsementComment": "Fine.",
            },
        }
    )
    document = gen.credential()
    document["credentialSchema"] = [{"id": OB_SCHEMA, "type": "JsonSchema"}]
    document["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    hidden = copy.deepcopy(document)
    inner = hidden["credentialSubject"]["achievement"]["endorsement"][0]
    inner["credentialSubject"][OB + "endorsementComment"] = inner["credentialSubject"].pop(
        "endorsementComment"
    )
    written = hidden["credentialSubject"]["achievement"]["endorsement"]
    # The view of the endorsement puts the comment back under its term; the JSON as written
    # does not have it.
    view = build_signed_view(written[0], default_loader()).view
    assert view is not None and "endorsementComment" in view["credentialSubject"]
    shape = signed_shape(written[0], view)
    assert shape["credentialSubject"]["endorsementComment"] == "Fine."
    assert OB + "endorsementComment" not in shape["credentialSubject"]


def test_signed_shape_keeps_the_written_shape_and_surfaces_what_it_hides() -> None:
    written = {
        "type": ["Achievement"],
        "criteria": {"id": "https://example.org/c"},
        OB + "creditsAvailable": {"@value": "three", "@type": "xsd:float"},
    }
    view = {
        "type": "Achievement",
        "criteria": "https://example.org/c",
        "creditsAvailable": "three",
    }
    assert signed_shape(written, view) == {
        "type": ["Achievement"],
        "criteria": {"id": "https://example.org/c"},
        "creditsAvailable": "three",
    }
