"""The report's ``summary``: what the credential claims, from what its proof covers."""

from __future__ import annotations

import json
from typing import Any

from microcred.verify import check_credential
from microcred.verify.report import CheckResult, Finding, human_lines
from microcred.verify.summary import recipient_outcome, summarize

from .conftest import AT, default_options, gen


def _credential(**subject: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "issuer": {"id": "did:web:school.example", "name": "Example School"},
        "validFrom": "2026-01-02T03:04:05Z",
        "credentialSubject": {
            "achievement": {
                "id": "https://school.example/a/1",
                "name": "Data Wrangling",
                "achievementType": "Certificate",
                "type": ["Achievement"],
                "tag": ["python", "credits: 2.5 ECTS"],
            },
            **subject,
        },
    }


def test_summary_reads_achievement_issuer_dates_and_credits() -> None:
    summary = summarize(_credential(creditsEarned=3))
    assert summary is not None
    assert summary.to_json() == {
        "achievement": {
            "id": "https://school.example/a/1",
            "name": "Data Wrangling",
            "type": "Certificate",
        },
        "issuer_name": "Example School",
        "valid_from": "2026-01-02T03:04:05Z",
        "valid_until": None,
        "awarded": "2026-01-02T03:04:05Z",
        "credits": {"amount": 3, "unit": "ECTS"},
        "recipient": "not checked",
    }


def test_credits_from_the_tag_when_no_number_is_stated() -> None:
    summary = summarize(_credential())
    assert summary is not None and summary.credits is not None
    assert (summary.credits.amount, summary.credits.unit) == (2.5, "ECTS")


def test_vc11_dates_and_a_plain_uri_issuer() -> None:
    doc = _credential()
    doc.update(issuer="https://school.example", issuanceDate="2020-05-05T00:00:00Z")
    doc.pop("validFrom")
    doc["expirationDate"] = "2030-01-01T00:00:00Z"
    summary = summarize(doc)
    assert summary is not None
    assert summary.issuer_name is None
    assert (summary.valid_from, summary.valid_until) == (
        "2020-05-05T00:00:00Z",
        "2030-01-01T00:00:00Z",
    )


def test_recipient_outcomes() -> None:
    passed = CheckResult("recipient", "passed")
    failed = CheckResult("recipient", "failed", (Finding("RECIPIENT_MISMATCH", "x"),))
    assert recipient_outcome(passed, "ada@example.org") == "matches the given e-mail"
    assert recipient_outcome(passed, "did:example:ada") == "matches the given id"
    assert recipient_outcome(failed, "ada@example.org") == "does not match"
    assert recipient_outcome(CheckResult("recipient", "not_requested"), None) == "not checked"
    assert recipient_outcome(None, None) == "not checked"


def test_report_carries_summary_in_json_and_human_output(baseline: dict[str, Any]) -> None:
    report = check_credential(baseline, now=AT, options=default_options(recipient=gen.RECIPIENT))
    assert report.result == "valid"
    line = report.to_json()
    assert list(line) == ["path", "id", "issuer", "result", "trusted", "summary", "checks"]
    summary = json.loads(json.dumps(line["summary"]))
    achievement = baseline["credentialSubject"]["achievement"]
    assert summary["achievement"]["name"] == achievement["name"]
    assert summary["achievement"]["id"] == achievement["id"]
    assert summary["recipient"] == "matches the given e-mail"
    text = "\n".join(human_lines(report))
    assert f"claims: '{achievement['name']}'" in text
    assert "(self-declared)" in text and "recipient: matches the given e-mail" in text


def test_summary_is_read_from_the_signed_view_not_the_json_as_written(
    baseline: dict[str, Any],
) -> None:
    """A name written as a full IRI is the same signed data: the summary still finds it."""
    doc = json.loads(json.dumps(baseline))
    achievement = doc["credentialSubject"]["achievement"]
    achievement["https://schema.org/name"] = achievement.pop("name")
    report = check_credential(doc, now=AT, options=default_options())
    assert report.summary is not None


def test_unparseable_input_has_no_summary() -> None:
    report = check_credential("{not json", now=AT)
    assert report.summary is None and report.to_json()["summary"] is None
