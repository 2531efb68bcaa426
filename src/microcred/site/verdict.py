"""The words a page (and ``build``) says about a credential, generated from its report.

Nothing here is fixed text about what was checked: which proofs verified, whether a status
list was consulted, what the dates were, all come from the
:class:`~microcred.verify.report.VerificationReport` and its claims summary. Two rules keep a
page from saying more than the check established:

* the issuer's name is the issuer's own claim: a page that is not the issuer's own site shows
  it as "calls itself …", next to the DID that actually signed;
* the recipient is named only by whoever knows it (the issuer's own site, for a candidate who
  consented). A portfolio never names its owner as the recipient of a credential: the
  credential identifies its recipient by a salted hash the page cannot match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from microcred.site.common import BuildCheck
from microcred.verify.report import CheckResult, explain, printable

_SUITE_RE = re.compile(r"\((eddsa-[a-z0-9-]+|[A-Za-z0-9]+Signature[0-9]+)\)")
_HEADS = {"valid": "Verified", "invalid": "Not valid", "indeterminate": "Not fully checked"}
_LABELS = {
    "parse": "Readable credential",
    "data_model": "Open Badges 3.0 / VC data model",
    "contexts": "Known JSON-LD contexts",
    "proof": "Signatures",
    "issuer_binding": "Signed with the issuer's key",
    "validity_period": "Validity dates",
    "status": "Revocation status",
    "issuer_trust": "Issuer on a trust list",
    "recipient": "Recipient",
}
_OUTCOME_WORDS = {
    "passed": "passed",
    "failed": "FAILED",
    "indeterminate": "could not be decided",
    "skipped": "skipped (an earlier check failed)",
    "not_requested": "not checked",
}


@dataclass(frozen=True)
class PageVerdict:
    """What one credential page says: a banner sentence and the checks in words."""

    result: str  # valid | invalid | indeterminate
    heading: str  # "Verified", "Not valid", "Not fully checked": the banner starts with it
    text: str  # after the heading: what is claimed, by whom, to whom, when (and why not)
    reason: str  # why not valid / not fully checked ("" when valid)
    summary: str  # one line of what was checked (pages' details, build notes)
    checks: tuple[str, ...]  # each check: label, outcome, what it looked at
    problems: tuple[str, ...]


class ReportedCheck(BuildCheck):
    """A build check that keeps its report, so each page can word it for its reader (the
    report takes no part in equality or hashing)."""

    report: Any

    def __init__(
        self, result: str, summary: str, problems: tuple[str, ...] = (), report: Any = None
    ) -> None:
        super().__init__(result, summary, problems)
        object.__setattr__(self, "report", report)

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, report={self.report!r})"


def summarise(report: Any) -> ReportedCheck:
    """The build's record of one verification: result, one line, problems, the report."""
    problems = tuple(
        f"{check.id}: {p.code}: {printable(p.detail, 300)}"
        for check in report.failures()
        for p in check.problems
    )
    return ReportedCheck(str(report.result), build_summary(report), problems, report)


def suites(check: CheckResult | None) -> list[str]:
    """The proof suites the proof check names in its note, in order, without repeats."""
    if check is None:
        return []
    found: list[str] = []
    for name in _SUITE_RE.findall(check.note):
        if name not in found:
            found.append(name)
    return found


def _check_line(check: CheckResult) -> str:
    label = _LABELS.get(check.id, check.id)
    words = _OUTCOME_WORDS.get(check.outcome, check.outcome)
    if check.id == "proof" and check.outcome == "passed":
        return f"{label}: {' and '.join(suites(check)) or 'verified'} verified"
    detail = check.problems[0].detail if check.problems else check.note
    detail = printable(detail, 240) if detail else ""
    return f"{label}: {words}" + (f" ({detail})" if detail else "")


def _summary_line(report: Any) -> str:
    passed, open_ = [], []
    for check in report.checks:
        if check.id == "proof" and check.outcome == "passed":
            names = suites(check)
            passed.append(
                f"{'proofs' if len(names) > 1 else 'proof'} {' and '.join(names)}"
                if names
                else "proof"
            )
        elif check.id == "status" and check.outcome == "passed":
            passed.append(
                "no status entry (it cannot be revoked)"
                if check.note.startswith("no credentialStatus")
                else "status list (not revoked)"
            )
        elif check.outcome == "passed" and check.id in ("issuer_binding", "validity_period"):
            passed.append(
                "the issuer's key" if check.id == "issuer_binding" else "the validity dates"
            )
        elif check.outcome == "not_requested":
            open_.append(_LABELS[check.id].lower() if check.id in _LABELS else check.id)
    text = "checked: " + (", ".join(passed) if passed else "nothing could be checked")
    if open_:
        text += "; not checked: " + ", ".join(open_)
    return text


def _claim(
    report: Any,
    *,
    recipient: str,
    own_site: bool,
) -> str:
    summary = getattr(report, "summary", None)
    name = summary.achievement.name if summary is not None else None
    what = f"“{printable(name, 160)}”" if name else "this credential"
    did = printable(report.issuer or "an unnamed issuer", None)
    claimed = summary.issuer_name if summary is not None else None
    if getattr(report, "trusted_name", None):
        issuer = f"{printable(report.trusted_name, 160)} ({did}, on your trust list)"
    elif claimed and own_site:
        issuer = f"{printable(claimed, 160)} ({did})"
    elif claimed:
        issuer = f"{did}, which calls itself “{printable(claimed, 160)}” (not confirmed)"
    else:
        issuer = did
    when = ""
    if summary is not None:
        date = summary.awarded or summary.valid_from
        when = f" on {date[:10]}" if date else ""
    return f"{what} issued by {issuer} to {recipient}{when}"


def build_summary(report: Any) -> str:
    """The one line ``build`` prints and pages show as "checked at build time"."""
    if str(report.result) == "valid":
        return _summary_line(report)
    first = report.first_problem()
    if first is None:
        return "a check did not pass; " + _summary_line(report)
    return f"{explain(first.code)[0]} ({first.code}: {printable(first.detail, 200)})"


def page_verdict(report: Any, *, recipient: str, own_site: bool) -> PageVerdict:
    """The page's words for one report. ``recipient`` is already what the page may say."""
    result = str(report.result)
    problems = tuple(
        f"{check.id}: {p.code}: {printable(p.detail, 300)}"
        for check in report.failures()
        for p in check.problems
    )
    first = report.first_problem()
    reason = ""
    if result != "valid":
        reason = explain(first.code)[0] if first is not None else "a check did not pass"
        reason = reason[0].upper() + reason[1:]
    # Names are untrusted: bidi overrides and invisible characters are shown, not obeyed.
    claim = _claim(report, recipient=printable(recipient, 200), own_site=own_site)
    text = f"{claim[0].upper()}{claim[1:]}."
    if result != "valid":
        text = f"{reason}. It claims to be {claim}."
    return PageVerdict(
        result=result,
        heading=_HEADS.get(result, result),
        text=text,
        reason=reason,
        summary=_summary_line(report),
        checks=tuple(_check_line(c) for c in report.checks),
        problems=problems,
    )


def recipient_words(credential: Any) -> str:
    """How a page that does not know the recipient names them: by what the credential says."""
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    if isinstance(subject, list):
        subject = next((s for s in subject if isinstance(s, dict)), None)
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        return f"the holder of {printable(subject['id'], 120)}"
    return "the person its salted e-mail hash stands for (this page cannot tell who that is)"
