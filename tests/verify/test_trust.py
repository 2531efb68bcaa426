"""The trust file format: trusted DIDs with verified names, pinned documents and lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import ConfigError
from microcred.verify import check_credential, load_trust_file
from microcred.verify.options import VerifyOptions

from .conftest import AT, CORPUS, corpus_json, gen


def write(tmp_path: Path, data: Any, name: str = "trust.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_trust_file_pins_documents_and_lists(tmp_path: Path) -> None:
    (tmp_path / "did.json").write_bytes((CORPUS / "support/school.example.did.json").read_bytes())
    (tmp_path / "list.json").write_bytes((CORPUS / "support/web-revocation-1.json").read_bytes())
    path = write(
        tmp_path,
        {
            "microcred_trust": 1,
            "issuers": [
                {
                    "did": gen.WEB_DID,
                    "name": "  Example School  ",
                    "did_document": "did.json",
                    "status_lists": {gen.WEB_REV_URL: "list.json"},
                }
            ],
        },
    )
    store = load_trust_file(path)
    entry = store.lookup(gen.WEB_DID)
    assert entry is not None and entry.name == "Example School"
    assert store.lookup("did:web:other.example") is None and store.lookup(None) is None
    # Everything the credential needs comes from the trust file alone.
    options = VerifyOptions(
        did_documents=store.did_documents(), status_lists=store.status_lists(), trust=store
    )
    report = check_credential(corpus_json("valid_did_web_pinned.json"), now=AT, options=options)
    assert report.result == "valid" and report.trusted is True
    assert report.trusted_name == "Example School"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"issuers": {}}, "must be an array"),
        ({"issuer": []}, "unknown key"),
        ({"microcred_trust": 2, "issuers": []}, "not supported"),
        ({"issuers": [{"did": "mailto:x@school.example", "name": "X"}]}, "is not a DID"),
        ({"issuers": [{"did": "did:web:a.example#key-1", "name": "X"}]}, "without a '#fragment'"),
        ({"issuers": [{"did": "did:web:a.example", "name": " "}]}, "non-empty name"),
        ({"issuers": [{"did": "did:web:a.example", "name": "X", "url": "u"}]}, "unknown key"),
        (
            {
                "issuers": [
                    {"did": "did:web:a.example", "name": "X"},
                    {"did": "did:web:a.example", "name": "Y"},
                ]
            },
            "listed twice",
        ),
        (
            {
                "issuers": [
                    {"did": "did:web:a.example", "name": "X", "did_document": "missing.json"}
                ]
            },
            "cannot read",
        ),
    ],
)
def test_mistakes_are_usage_errors_naming_the_place(
    tmp_path: Path, data: Any, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_trust_file(write(tmp_path, data))
    assert message in caught.value.diagnostics()
    assert "trust" in caught.value.diagnostics()


def test_a_document_for_another_did_is_refused(tmp_path: Path) -> None:
    (tmp_path / "did.json").write_bytes((CORPUS / "support/school.example.did.json").read_bytes())
    path = write(
        tmp_path,
        {"issuers": [{"did": "did:web:other.example", "name": "X", "did_document": "did.json"}]},
    )
    with pytest.raises(ConfigError, match=r"is the document of did:web:school\.example"):
        load_trust_file(path)


def test_a_trust_file_that_is_not_strict_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text('{"issuers": [], "issuers": []}', encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key"):
        load_trust_file(path)
