"""From a verification report, the trust list and the credit policy to a verdict with reasons.

Verdicts: ``accepted`` (credited), ``rejected`` (invalid, revoked, someone else's, or the policy
gives nothing) and ``needs_review`` (valid but untrusted, expired but true when earned, status
undecidable offline, over a cap, an id another credential already uses, a rule that always
wants a person to look). Rejection reasons come first; any one of them rejects. Each reason
starts with its category so exports can be filtered by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from microcred.registry.facts import Facts
from microcred.registry.policy import Policy, Rule
from microcred.registry.trustlist import Window
from microcred.verify.report import (
    EXPIRED,
    RECIPIENT_MISMATCH,
    REVOKED,
    SUSPENDED,
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_VERSION,
    UNTRUSTED_ISSUER,
    CheckResult,
    VerificationReport,
    printable,
)

Verdict = Literal["accepted", "rejected", "needs_review"]
VERDICTS: tuple[Verdict, ...] = ("accepted", "rejected", "needs_review")


@dataclass
class Decision:
    verdict: Verdict
    reasons: list[str]
    credits: Decimal | None = None
    credit_unit: str | None = None
    rule: str | None = None


@dataclass
class Totals:
    """Credits already accepted per (learner, term) and (learner, term, issuer).

    ``load`` reads a total from the registry the first time a key is needed (inside the
    import's locked transaction, so it cannot change under us); :meth:`add` counts this batch.
    """

    load: Callable[[str | None, str | None, str | None], Decimal]
    term: dict[tuple[str | None, str | None], Decimal] = field(default_factory=dict)
    issuer: dict[tuple[str | None, str | None, str | None], Decimal] = field(default_factory=dict)

    def used(
        self, learner: str | None, term: str | None, issuer: str | None
    ) -> tuple[Decimal, Decimal]:
        if (learner, term) not in self.term:
            self.term[(learner, term)] = self.load(learner, term, None)
        if (learner, term, issuer) not in self.issuer:
            self.issuer[(learner, term, issuer)] = self.load(learner, term, issuer)
        return self.term[(learner, term)], self.issuer[(learner, term, issuer)]

    def add(
        self, learner: str | None, term: str | None, issuer: str | None, amount: Decimal
    ) -> None:
        self.used(learner, term, issuer)
        self.term[(learner, term)] += amount
        self.issuer[(learner, term, issuer)] += amount


def _detail(check: CheckResult) -> str:
    return printable(check.problems[0].detail, 300) if check.problems else check.outcome


def _verification(report: VerificationReport, learner: str | None) -> tuple[list[str], list[str]]:
    """(rejection reasons, review reasons) from the nine checks."""
    reject: list[str] = []
    review: list[str] = []
    for check in report.checks:
        codes = {p.code for p in check.problems}
        if check.outcome == "failed":
            if check.id == "status" and REVOKED in codes:
                reject.append(f"revoked: {_detail(check)}")
            elif check.id == "status" and SUSPENDED in codes:
                reject.append(f"suspended: {_detail(check)}")
            elif check.id == "recipient" and RECIPIENT_MISMATCH in codes:
                reject.append(
                    f"recipient does not match: the credential was not issued to learner {learner}"
                )
            elif check.id == "validity_period" and codes == {EXPIRED}:
                review.append(f"expired but true when earned: {_detail(check)}")
            elif check.id == "issuer_trust" and UNTRUSTED_ISSUER in codes:
                review.append(f"untrusted issuer: {_detail(check)}")
            else:
                reject.append(f"invalid: {check.id}: {_detail(check)}")
        elif check.outcome == "indeterminate":
            if check.id == "status":
                review.append(f"status undecidable offline: {_detail(check)}")
            elif codes & {UNSUPPORTED_FORMAT, UNSUPPORTED_VERSION}:
                review.append(f"format microcred does not check: {check.id}: {_detail(check)}")
            else:
                review.append(f"could not be checked offline: {check.id}: {_detail(check)}")
    if learner is None:
        review.append("no learner: import with --learner to match the credential's recipient")
    return reject, review


def _matches(rule: Rule, facts: Facts) -> bool:
    if rule.issuers and facts.issuer not in rule.issuers:
        return False
    if rule.achievement_types and facts.achievement_type not in rule.achievement_types:
        return False
    if rule.achievements and facts.achievement_id not in rule.achievements:
        return False
    return not (rule.alignments and not set(rule.alignments) & set(facts.alignments))


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def credits_for(policy: Policy, rule: Rule, facts: Facts) -> tuple[Decimal | None, str]:
    """(school credits, explanation) or (None, why the policy cannot compute them)."""
    unit = policy.unit
    if rule.credits is not None:
        amount = policy.round(rule.credits)
        return amount, f"rule '{rule.name}': {_number(amount)} {unit or ''}".rstrip()
    if facts.credits is None:
        return None, f"policy: rule '{rule.name}' converts stated credits, but none are stated"
    stated = Decimal(str(facts.credits))
    issuer_unit = facts.credit_unit or rule.issuer_unit
    if issuer_unit is None:
        if policy.unit is None:
            return stated, f"{_number(stated)} credits as stated (no unit stated, no policy)"
        return None, (
            f"policy: the credential states {_number(stated)} credits without a unit; "
            f"set issuer_unit in rule '{rule.name}'"
        )
    if policy.name is None:
        return (
            stated,
            f"no policy: {_number(stated)} {printable(issuer_unit, 60)} as the issuer states",
        )
    factor = policy.factor(issuer_unit)
    if factor is None:
        return None, (
            f"policy: no conversion from '{printable(issuer_unit, 60)}' to {unit}; "
            "add it under [conversion]"
        )
    amount = policy.round(stated * factor)
    shown = unit or issuer_unit
    return amount, (
        f"rule '{rule.name}': {_number(stated)} {printable(issuer_unit, 60)} = "
        f"{_number(amount)} {shown}"
    )


def decide(
    report: VerificationReport,
    facts: Facts,
    policy: Policy,
    *,
    learner: str | None,
    term: str | None,
    window: Window | None,
    same_id: int | None,
    totals: Totals,
) -> Decision:
    """The verdict for one verified credential (see the module docstring)."""
    reject, review = _verification(report, learner)
    if reject:  # the policy has nothing to say about an invalid or someone else's credential
        return Decision("rejected", reject + review, None, policy.unit or facts.credit_unit)
    if window is not None:
        problem = window.problem(facts.valid_from)
        if problem:
            review.append(f"untrusted issuer: {problem}")
    rule = next((r for r in policy.rules if _matches(r, facts)), None)
    amount: Decimal | None = None
    notes: list[str] = []
    if rule is None:
        text = f"policy: no rule of '{policy.name}' gives credit for this credential"
        (reject if policy.unmatched == "reject" else review).append(text)
    elif rule.reject:
        reject.append(f"policy: rule '{rule.name}' gives no credit")
    elif policy.name is None and facts.credits is None:
        notes.append("no policy; the credential states no credits")  # accepted, counts 0
    else:
        amount, explanation = credits_for(policy, rule, facts)
        (notes if amount is not None else review).append(explanation)
        if rule.review:
            review.append(f"policy: rule '{rule.name}' always needs manual review")
        if amount is not None and policy.review_above is not None and amount > policy.review_above:
            review.append(
                f"policy: {_number(amount)} {policy.unit} is more than review_above "
                f"({_number(policy.review_above)})"
            )
    if same_id is not None:
        review.append(
            f"another credential already uses this id (registry row {same_id}); "
            "the bytes differ, so one of them may be forged or re-issued"
        )
    unit = policy.unit or facts.credit_unit
    if not reject and not review and amount is not None:
        review += _caps(policy, totals, learner, term, facts.issuer, amount)
    if reject:
        return Decision("rejected", reject + review, None, unit, rule.name if rule else None)
    if review:
        return Decision("needs_review", review + notes, amount, unit, rule.name if rule else None)
    if amount is not None:
        totals.add(learner, term, facts.issuer, amount)
    return Decision("accepted", notes, amount, unit, rule.name if rule else None)


def _caps(
    policy: Policy,
    totals: Totals,
    learner: str | None,
    term: str | None,
    issuer: str | None,
    amount: Decimal,
) -> list[str]:
    if policy.cap_per_term is None and policy.cap_per_issuer is None:
        return []
    in_term, from_issuer = totals.used(learner, term, issuer)
    out = []
    unit = policy.unit or ""
    if policy.cap_per_term is not None and in_term + amount > policy.cap_per_term:
        out.append(
            f"over a cap: {_number(in_term)} + {_number(amount)} {unit} would pass the "
            f"{_number(policy.cap_per_term)} per term cap for learner {learner} in term {term}"
        )
    if policy.cap_per_issuer is not None and from_issuer + amount > policy.cap_per_issuer:
        out.append(
            f"over a cap: {_number(from_issuer)} + {_number(amount)} {unit} from {issuer} would "
            f"pass the {_number(policy.cap_per_issuer)} per issuer cap in term {term}"
        )
    return out
