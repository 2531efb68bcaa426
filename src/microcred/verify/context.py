"""The state one verification carries from check to check.

Checks are plain functions of this object; each reads what earlier checks established (the
parsed document, resolved keys) and records what later checks need, so nothing is computed
twice and the order of DESIGN section 4 is the only order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from microcred.verify.options import VerifyOptions
from microcred.verify.report import CheckId, CheckResult, Finding, VerificationReport

Role = Literal["credential", "status_list", "endorsement"]

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


@dataclass
class ResolvedKey:
    """The verification method a proof names, once resolved (or why it could not be)."""

    vm_id: str
    public_key: bytes | None = None
    method: Mapping[str, Any] | None = None
    controller: str | None = None
    document: Mapping[str, Any] | None = None
    source: str = ""
    error_code: str | None = None
    error_detail: str = ""
    unavailable: bool = False  # not resolvable offline (indeterminate), as opposed to invalid
    pub: Any = None
    """The resolved key of any kind (:class:`microcred.proof.pubkeys.PublicKey`)."""


@dataclass
class ProofState:
    """One proof of the proof set and what the proof check found about it."""

    index: int
    proof: Any
    suite: str = ""
    key: ResolvedKey | None = None
    verified: bool = False
    unsupported: str = ""
    """Why microcred does not check this proof (a real format it lacks): undecided."""


@dataclass
class Ctx:
    """Everything one credential's verification knows so far."""

    path: str
    now: datetime
    options: VerifyOptions
    loader: Any
    raw: Any = None
    read_error: Finding | None = None
    role: Role = "credential"
    depth: int = 0
    doc: dict[str, Any] | None = None
    proofs: list[ProofState] = field(default_factory=list)
    list_cache: dict[str, Any] = field(default_factory=dict)
    verify_list: Callable[[Ctx, Mapping[str, Any], str], VerificationReport] | None = None
    """Runs the engine on a status list credential (set by the engine; avoids an import cycle)."""
    verify_endorsement: Callable[[Ctx, Mapping[str, Any], str], VerificationReport] | None = None
    """Runs the engine on an embedded EndorsementCredential (set by the engine, like the above)."""
    endorsements: list[tuple[str, VerificationReport]] | None = None
    """(JSON path, report) of every embedded endorsement, once the proof check has run them."""
    jwt: Any = None
    """A VC-JWT's :class:`~microcred.verify.checks.jwt.JwtState` (parse sets it; the proof
    check then verifies the JWS instead of embedded proofs)."""
    signed: Any = None
    """The :class:`~microcred.verify.signed.SignedView` built after parse (verify/signed.py)."""

    @property
    def view(self) -> dict[str, Any] | None:
        """What the proof covers, as the JSON every value-reading check reads (``doc`` is the
        JSON as written, for the proof and contexts checks): see verify/signed.py."""
        view = getattr(self.signed, "view", None)
        return view if isinstance(view, dict) else self.doc

    @property
    def vcdm1(self) -> bool:
        ctx = self.view.get("@context") if self.view else None
        first = ctx[0] if isinstance(ctx, list) and ctx else ctx
        return first == V1_CONTEXT

    @property
    def issuer_id(self) -> str | None:
        return issuer_id(self.view)

    def types(self) -> list[str]:
        view = self.view
        return types_of(view.get("type") if view else None)


def types_of(value: object) -> list[str]:
    """``type`` as a list of strings (a single string is allowed by JSON-LD compaction)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def issuer_id(doc: Mapping[str, Any] | None) -> str | None:
    if not isinstance(doc, Mapping):
        return None
    issuer = doc.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        value: str = issuer["id"]
        return value
    return None


def result(
    check_id: CheckId,
    problems: list[Finding] | None = None,
    *,
    warnings: list[Finding] | None = None,
    indeterminate: list[Finding] | None = None,
    note: str = "",
) -> CheckResult:
    """Build a result: any problem fails; else any indeterminate finding; else passed."""
    if problems:
        return CheckResult(
            check_id, "failed", tuple(problems + (indeterminate or [])), tuple(warnings or ()), note
        )
    if indeterminate:
        return CheckResult(
            check_id, "indeterminate", tuple(indeterminate), tuple(warnings or ()), note
        )
    return CheckResult(check_id, "passed", (), tuple(warnings or ()), note)
