"""The verification report: fixed check ids in a fixed order, three-valued results.

The JSON form is the ``verify --json`` line contract of DESIGN section 4; the explanation table
gives every problem code a meaning and an action so the command line can say what to do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from microcred import _util

if TYPE_CHECKING:
    from microcred.verify.summary import CredentialSummary

CheckId = Literal[
    "parse",
    "data_model",
    "contexts",
    "proof",
    "issuer_binding",
    "validity_period",
    "status",
    "issuer_trust",
    "recipient",
]
CHECK_IDS: tuple[CheckId, ...] = (
    "parse",
    "data_model",
    "contexts",
    "proof",
    "issuer_binding",
    "validity_period",
    "status",
    "issuer_trust",
    "recipient",
)
FATAL_CHECKS: frozenset[str] = frozenset({"parse", "contexts", "proof", "issuer_binding"})
"""A failure here makes every later check meaningless, so they are reported as ``skipped``."""

Outcome = Literal["passed", "failed", "indeterminate", "skipped", "not_requested"]
Result = Literal["valid", "invalid", "indeterminate"]

# Problem codes (W3C names, microcred's own, warnings): the one list is in microcred._util.
PARSING_ERROR = _util.PARSING_ERROR
MALFORMED_VALUE_ERROR = _util.MALFORMED_VALUE_ERROR
CRYPTOGRAPHIC_SECURITY_ERROR = _util.CRYPTOGRAPHIC_SECURITY_ERROR
PROOF_VERIFICATION_ERROR = _util.PROOF_VERIFICATION_ERROR
PROOF_TRANSFORMATION_ERROR = _util.PROOF_TRANSFORMATION_ERROR
DATA_LOSS_DETECTION_ERROR = _util.DATA_LOSS_DETECTION_ERROR
INVALID_VERIFICATION_METHOD = _util.INVALID_VERIFICATION_METHOD
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT = _util.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID = _util.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = _util.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD
RANGE_ERROR = _util.RANGE_ERROR
STATUS_RETRIEVAL_ERROR = _util.STATUS_RETRIEVAL_ERROR
STATUS_VERIFICATION_ERROR = _util.STATUS_VERIFICATION_ERROR
STATUS_LIST_LENGTH_ERROR = _util.STATUS_LIST_LENGTH_ERROR
RESOURCE_LIMIT_ERROR = _util.RESOURCE_LIMIT_ERROR
CONTEXT_NOT_ALLOWED = _util.CONTEXT_NOT_ALLOWED
EXPIRED = _util.EXPIRED
NOT_YET_VALID = _util.NOT_YET_VALID
REVOKED = _util.REVOKED
SUSPENDED = _util.SUSPENDED
UNTRUSTED_ISSUER = _util.UNTRUSTED_ISSUER
RECIPIENT_MISMATCH = _util.RECIPIENT_MISMATCH
INVALID_CONTEXT = _util.INVALID_CONTEXT
UNSUPPORTED_VERSION = _util.UNSUPPORTED_VERSION
UNSUPPORTED_FORMAT = _util.UNSUPPORTED_FORMAT
VERIFIER_ERROR = _util.VERIFIER_ERROR
SCHEMA_NOT_CHECKED = _util.SCHEMA_NOT_CHECKED
LEGACY_DATA_MODEL = _util.LEGACY_DATA_MODEL
LEGACY_SUITE = _util.LEGACY_SUITE
STATUS_LIST_STALE = _util.STATUS_LIST_STALE
NONSTANDARD_VALUE = _util.NONSTANDARD_VALUE
RECIPIENT_NOT_IDENTIFIED = _util.RECIPIENT_NOT_IDENTIFIED

EXPLANATIONS: Mapping[str, tuple[str, str]] = {
    PARSING_ERROR: (
        "the file is not a single well-formed JSON credential microcred can read",
        "check you have the right file (a credential .json, or a baked .png/.svg)",
    ),
    MALFORMED_VALUE_ERROR: (
        "a required property is missing or has a value the standards do not allow",
        "ask the issuer for a corrected credential; do not accept it as is",
    ),
    CRYPTOGRAPHIC_SECURITY_ERROR: (
        "the signature does not match the content: it was changed after signing or forged",
        "do not accept this file; ask the holder or issuer for the original",
    ),
    PROOF_VERIFICATION_ERROR: (
        "the proof is missing, incomplete or uses a method microcred does not accept",
        "ask the issuer for a credential signed with eddsa-rdfc-2022 or eddsa-jcs-2022",
    ),
    PROOF_TRANSFORMATION_ERROR: (
        "the credential could not be turned into the form that was signed",
        "ask the issuer for a standard OB 3.0 credential",
    ),
    DATA_LOSS_DETECTION_ERROR: (
        "some content is not covered by the signature (undefined terms would be silently "
        "dropped), so a reader could be shown unsigned text",
        "do not trust the extra content; ask the issuer to use only terms its contexts define",
    ),
    INVALID_VERIFICATION_METHOD: (
        "the signing key named by the proof is malformed or is not the issuer's key",
        "do not accept this credential; the signer may not be who the issuer field claims",
    ),
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT: (
        "the issuer's DID document (its list of keys) is not available offline or is invalid",
        "pass the issuer's did.json with --did-doc or pin it in a trust file",
    ),
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID: (
        "the DID document given for the issuer belongs to a different identifier",
        "use the did.json published for exactly this issuer DID",
    ),
    INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD: (
        "the key is not authorised to issue credentials (not listed under assertionMethod)",
        "do not accept this credential; ask the issuer which key it signs with",
    ),
    RANGE_ERROR: (
        "the status entry points outside its status list",
        "ask the issuer; the credential's status cannot be established",
    ),
    STATUS_RETRIEVAL_ERROR: (
        "the credential's revocation status could not be checked offline",
        "pass the issuer's status list file with --status-list (or verify the site folder)",
    ),
    STATUS_VERIFICATION_ERROR: (
        "the status list given is not trustworthy for this credential (bad signature, other "
        "issuer, wrong purpose or out of date)",
        "get the status list the issuer publishes for this credential",
    ),
    STATUS_LIST_LENGTH_ERROR: (
        "the status list is shorter than the standard's minimum (131,072 entries), which "
        "weakens holder privacy",
        "ask the issuer to publish a standard-size status list",
    ),
    RESOURCE_LIMIT_ERROR: (
        "the credential needs far more work to check than any genuine credential does",
        "treat it as hostile input; do not accept it",
    ),
    CONTEXT_NOT_ALLOWED: (
        "the credential uses a JSON-LD context microcred does not know, so its meaning "
        "cannot be established offline",
        "ask the issuer for a credential using the standard VC 2.0 and OB 3.0 contexts",
    ),
    INVALID_CONTEXT: (
        "a context file shipped with microcred is missing or was altered on disk",
        "reinstall microcred; do not trust results from this installation until then",
    ),
    UNSUPPORTED_VERSION: (
        "this is an Open Badges 2.0 badge; microcred checks Open Badges 3.0 (not a defect)",
        "verify it with an Open Badges 2.0 verifier (the message names one)",
    ),
    UNSUPPORTED_FORMAT: (
        "microcred does not check this kind of credential or proof, so it cannot decide "
        "(not a defect of the credential)",
        "verify it with a verifier that supports it (the message names one)",
    ),
    VERIFIER_ERROR: (
        "microcred hit an internal error while checking; the credential is not accepted",
        "report the problem with the file that caused it",
    ),
    EXPIRED: (
        "the credential's validity period has ended",
        "it may still be a true historical record; ask the issuer for a current one if needed",
    ),
    NOT_YET_VALID: (
        "the credential's validity period has not started yet",
        "check the date of your computer, or verify again after the start date (--at)",
    ),
    REVOKED: (
        "the issuer has revoked this credential",
        "do not accept it; contact the issuer if you think this is a mistake",
    ),
    SUSPENDED: (
        "the issuer has suspended this credential (this may be temporary)",
        "do not accept it for now; ask the issuer whether it will be reinstated",
    ),
    UNTRUSTED_ISSUER: (
        "the signature may be genuine, but the issuer is not in your trust file; its "
        "self-declared name is not verified",
        "add the issuer's DID to the trust file only after confirming it out of band",
    ),
    RECIPIENT_MISMATCH: (
        "the credential was not issued to the person or identifier you gave",
        "check the --recipient value (e-mail, DID or id) and the credential",
    ),
    SCHEMA_NOT_CHECKED: (
        "the credential names a JSON Schema that could not be checked offline",
        "install the 1EdTech schemas (MICROCRED_SCHEMA_DIR) to have them checked",
    ),
    LEGACY_DATA_MODEL: (
        "the credential uses the older VC Data Model 1.1 and was checked with its rules",
        "accept it if your policy allows VC 1.1; new credentials should use VC 2.0",
    ),
    LEGACY_SUITE: (
        "a proof uses a legacy signature suite that is verified but no longer recommended",
        "accept it if your policy allows legacy suites; ask the issuer to re-sign",
    ),
    STATUS_LIST_STALE: (
        "the status list snapshot used is older than its issuer says it stays current",
        "get a fresh copy of the status list before relying on 'not revoked'",
    ),
    RECIPIENT_NOT_IDENTIFIED: (
        "the credential does not identify its recipient (no credentialSubject id or identifier)",
        "it cannot be tied to a person; ask the holder for other proof of identity",
    ),
    NONSTANDARD_VALUE: (
        "a value uses a form the standard tolerates but does not recommend",
        "no action needed unless your policy is strict",
    ),
}


_BIDI_AND_CONTROLS = {
    *range(0x00, 0x20),
    *range(0x7F, 0xA0),
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    0x202A,
    0x202B,
    0x202C,
    0x202D,
    0x202E,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
    0xFEFF,
}


_UNPRINTABLE = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_BIDI_AND_CONTROLS)))) + "]")


def printable(text: str, limit: int | None = 120) -> str:
    """Untrusted text made safe to print: controls, bidi overrides and zero-width characters
    are shown as ``\\u....`` so a name cannot disguise itself (MC-32, MC-65)."""
    if _UNPRINTABLE.search(text) is None:  # the common case, without a loop in Python
        out = text
    else:
        out = "".join(f"\\u{ord(c):04x}" if ord(c) in _BIDI_AND_CONTROLS else c for c in text)
    return out if limit is None or len(out) <= limit else out[: limit - 1] + "…"


def explain(code: str) -> tuple[str, str]:
    """(what it means, what to do) for a problem code; a generic pair for unknown codes."""
    return EXPLANATIONS.get(
        code, ("the check could not confirm this credential", "do not rely on it without review")
    )


@dataclass(frozen=True)
class Finding:
    """One problem or warning: a W3C (or microcred) code and a sentence naming the place."""

    code: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check; ``note`` records facts such as the dates or sources used."""

    id: CheckId
    outcome: Outcome
    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "outcome": self.outcome,
            "problems": [p.to_json() for p in self.problems],
        }
        if self.warnings:
            out["warnings"] = [w.to_json() for w in self.warnings]
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class VerificationReport:
    """Everything ``verify`` found about one credential."""

    path: str
    id: str | None
    issuer: str | None
    checks: tuple[CheckResult, ...]
    checked_at: str = ""
    issuer_name: str | None = None
    trusted_name: str | None = None
    summary: CredentialSummary | None = None
    """What the credential claims (verify/summary.py), read from what its proof covers."""

    @property
    def result(self) -> Result:
        return overall_result(self.checks)

    @property
    def trusted(self) -> bool | None:
        """None when no trust file was given; otherwise whether the issuer is in it."""
        trust = self.check("issuer_trust")
        if trust is None or trust.outcome == "not_requested":
            return None
        return trust.outcome == "passed"

    @property
    def ok(self) -> bool:
        """Valid, and trusted when trust was asked for: what exit code 0 means."""
        return self.result == "valid" and self.trusted is not False

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.outcome in ("failed", "indeterminate")]

    def first_problem(self) -> Finding | None:
        for c in self.checks:
            if c.outcome in ("failed", "indeterminate") and c.problems:
                return c.problems[0]
        return None

    def to_json(self) -> dict[str, Any]:
        """The DESIGN section 4 line (keys in contract order; extra keys only inside checks)."""
        return {
            "path": self.path,
            "id": self.id,
            "issuer": self.issuer,
            "result": self.result,
            "trusted": self.trusted,
            "summary": self.summary.to_json() if self.summary is not None else None,
            "checks": [c.to_json() for c in self.checks],
        }


def overall_result(checks: Iterable[CheckResult]) -> Result:
    """invalid if any check failed, indeterminate if any could not decide, else valid.

    ``issuer_trust`` never changes the result: trust is a separate question (``trusted``).
    """
    outcomes = [c.outcome for c in checks if c.id != "issuer_trust"]
    if "failed" in outcomes:
        return "invalid"
    if "indeterminate" in outcomes:
        return "indeterminate"
    return "valid"


def exit_code(reports: Iterable[VerificationReport]) -> int:
    """DESIGN section 4: 0 all valid (and trusted), 1 any invalid, 3 otherwise or nothing found."""
    seen = False
    all_ok = True
    for report in reports:
        seen = True
        if report.result == "invalid":
            return 1
        if not report.ok:
            all_ok = False
    return 0 if seen and all_ok else 3


def verdict_word(report: VerificationReport) -> str:
    """OK (exit 0 material), FAIL (invalid) or UNDECIDED (indeterminate, or valid but untrusted)."""
    if report.result == "invalid":
        return "FAIL"
    return "OK" if report.ok else "UNDECIDED"


def identifier(text: str) -> str:
    """An identifier (DID, URL) for printing: DIDs and URLs are ASCII by their rules, so any
    other character is shown as ``\\uXXXX`` with its name (a Cyrillic 'а' in a did:web host
    cannot pass for the Latin letter, issue 8)."""
    shown = printable(text, None)
    if shown.isascii():
        return shown
    names = sorted({f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in shown if ord(c) > 127})
    escaped = "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in shown)
    return f"{escaped} (non-ASCII: {', '.join(names)})"


def _trust_line(report: VerificationReport) -> str:
    issuer = identifier(report.issuer or "(no issuer id)")
    claim = (
        f"calls itself '{printable(report.issuer_name)}' (self-declared, not verified)"
        if report.issuer_name
        else "no self-declared name"
    )
    trust = report.check("issuer_trust")
    outcome = trust.outcome if trust is not None else "not_requested"
    if outcome == "passed":
        return f"issuer {issuer}: trusted as '{printable(report.trusted_name or '')}' (trust file)"
    if outcome == "failed":
        return f"issuer {issuer}: NOT in the trust file; {claim}"
    if outcome == "skipped":
        return f"issuer {issuer}: trust not evaluated (an earlier check failed); {claim}"
    return f"issuer {issuer}: trust not checked (no --trust); {claim}"


def human_lines(report: VerificationReport) -> list[str]:
    """The human form: one verdict line, who issued it and when it was checked, then every
    check that did not pass with its message, what it means and what to do."""
    word = verdict_word(report)
    ident = f"  ({printable(report.id, None)})" if report.id else ""
    lines = [f"{word:<9} {printable(report.path, None)}{ident}"]
    parse = report.check("parse")
    if parse is not None and parse.outcome == "passed":
        lines.append(f"    {_trust_line(report)}")
        if report.summary is not None:
            from microcred.verify.summary import claims_line  # summary imports this module

            lines.append(f"    {claims_line(report.summary, report.trusted, report.trusted_name)}")
    dates = [f"checked at {report.checked_at}"] if report.checked_at else []
    status = report.check("status")
    if status is not None and status.note:
        dates.append(f"status: {printable(status.note, None)}")
    if dates:
        lines.append("    " + "; ".join(dates))
    if parse is not None and parse.note:  # where documents came from (a site folder), issue 8
        lines.append(f"    {printable(parse.note, None)}")
    for check in report.checks:
        findings = list(check.problems)
        if check.outcome not in ("failed", "indeterminate") and not check.warnings:
            continue
        if check.outcome in ("failed", "indeterminate"):
            lines.append(f"  {check.id}: {check.outcome}")
        else:
            lines.append(f"  {check.id}: passed with warnings")
            findings = list(check.warnings)
        seen: set[str] = set()
        for finding in findings:
            lines.append(f"    {finding.code}: {printable(finding.detail, None)}")
            if finding.code not in seen:
                seen.add(finding.code)
                means, action = explain(finding.code)
                lines.append(f"      means: {means}")
                lines.append(f"      do: {action}")
        if check.outcome in ("failed", "indeterminate"):
            for warning in check.warnings:
                lines.append(f"    warning {warning.code}: {printable(warning.detail, None)}")
    return lines
