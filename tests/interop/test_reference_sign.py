"""microcred signs byte for byte like Digital Bazaar's reference stack; each verifies the other.

For N random VC 2.0 / OB 3.0 credentials (see interop_credgen.py), each with a fresh Ed25519
key and a random ``created``, both implementations sign with the same key and time, for
eddsa-rdfc-2022, eddsa-jcs-2022 and the proof set microcred issues (rdfc then jcs). Ed25519
is deterministic, so any difference in canonicalization, proof configuration or hashing
shows as a different proofValue. On a mismatch the failing test asks the reference for its
canonical forms, prints the first differing lines and shrinks the document to a minimal
input that still differs.

N defaults to 30 (``MICROCRED_INTEROP_N``); the seed is printed with every failure
(``MICROCRED_INTEROP_SEED`` replays it). All reference work runs in ONE node process.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from interop_credgen import Spec, did_web_document, make_specs
from interop_support import Microcred, Reference, seed_note

pytestmark = pytest.mark.interop

N = int(os.environ.get("MICROCRED_INTEROP_N", "30"))
RDFC, JCS, SET = "eddsa-rdfc-2022", "eddsa-jcs-2022", "proof-set"
MODES = (RDFC, JCS, SET)
SET_SUITES = [RDFC, JCS]


@dataclass
class Side:
    signed: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Case:
    spec: Spec
    key: Any
    did_documents: dict[str, Any]
    mc: dict[str, Side] = field(default_factory=dict)
    ref: dict[str, Side] = field(default_factory=dict)
    ref_verifies_mc: dict[str, dict[str, Any]] = field(default_factory=dict)
    mc_verifies_ref: dict[str, list[str | None]] = field(default_factory=dict)
    ref_jcs: dict[str, str] = field(default_factory=dict)
    safe_error: str | None = None

    @property
    def created(self) -> str:
        return self.spec.created.strftime("%Y-%m-%dT%H:%M:%SZ")

    def describe(self) -> str:
        doc = json.dumps(self.spec.document, ensure_ascii=True)
        if len(doc) > 1500:
            doc = doc[:1500] + "…"
        where = f"case {self.spec.index}, key {self.key.id}, created {self.created}"
        return f"{where} {seed_note()}\n{doc}"


@dataclass
class Run:
    cases: list[Case]
    timings: dict[str, float]


def _mc_sign(
    mc: Microcred, document: dict[str, Any], key: Any, suites: list[str], case: Case
) -> Side:
    signed = document
    try:
        for suite in suites:
            signed = mc.add_proof(signed, key, suite, case.spec.created)
    except mc.error_type as exc:
        return Side(error=f"{type(exc).__name__} {getattr(exc, 'code', '')}: {exc}")
    return Side(signed=signed)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (node): unlike wall time, not
    inflated when other jobs share the two cores."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _suites(mode: str) -> list[str]:
    return SET_SUITES if mode == SET else [mode]


@pytest.fixture(scope="module")
def run(
    reference: Reference, mc: Microcred, shipped_contexts: dict[str, Any], interop_seed: str
) -> Run:
    timings: dict[str, float] = {}
    start = _cpu()

    def issuer_for(seed: bytes, controller: str | None, fragment: str | None) -> str:
        return str(mc.key_from_seed(seed, controller, fragment).controller)

    cases: list[Case] = []
    for spec in make_specs(interop_seed, N, issuer_for):
        key = mc.key_from_seed(spec.seed, spec.controller, spec.fragment)
        did_docs = {}
        if not key.controller.startswith("did:key:"):
            did_docs[key.controller] = did_web_document(
                key.controller, key.id, key.public_key_multibase
            )
        case = Case(spec, key, did_docs)
        for mode in MODES:
            case.mc[mode] = _mc_sign(mc, spec.document, key, _suites(mode), case)
        try:
            mc.check_data_loss(spec.document)
        except mc.error_type as exc:
            case.safe_error = str(exc)
        cases.append(case)
    timings["microcred (sign x4, data-loss check)"] = _cpu() - start

    # One node process: reference signs, verifies microcred's output, and JCS-encodes it.
    requests: list[dict[str, Any]] = []
    slots: list[Callable[[dict[str, Any]], None]] = []
    for case in cases:
        common = {"didDocuments": case.did_documents}
        for mode in MODES:
            requests.append(
                {
                    "op": "sign",
                    "suite": _suites(mode),
                    "document": case.spec.document,
                    "key": case.key.to_secret_json(),
                    "created": case.created,
                    **common,
                }
            )
            slots.append(lambda r, c=case, m=mode: c.ref.__setitem__(m, _ref_side(r)))
            mc_signed = case.mc[mode].signed
            if mc_signed is not None:
                requests.append({"op": "verify", "document": mc_signed, **common})
                slots.append(lambda r, c=case, m=mode: c.ref_verifies_mc.__setitem__(m, r))
        for name, value in (("document", case.spec.document), ("signed", case.mc[JCS].signed)):
            if value is not None:
                requests.append({"op": "jcs", "value": value})
                slots.append(lambda r, c=case, n=name: c.ref_jcs.__setitem__(n, r.get("jcs", r)))
    start = _cpu()
    responses = reference.batch(requests, defaults={"contexts": shipped_contexts})
    timings[f"reference (1 node process, {len(requests)} requests)"] = _cpu() - start
    for slot, response in zip(slots, responses, strict=True):
        slot(response)

    # microcred verifies what the reference signed (every proof of the set).
    start = _cpu()
    for case in cases:
        for mode in MODES:
            ref_signed = case.ref[mode].signed
            if ref_signed is None:
                continue
            outcome: list[str | None] = []
            for proof in _proofs(ref_signed):
                try:
                    mc.verify_proof(ref_signed, proof, case.key)
                    outcome.append(None)
                except mc.error_type as exc:
                    outcome.append(f"{getattr(exc, 'code', '')}: {exc}")
            case.mc_verifies_ref[mode] = outcome
    timings["microcred verify"] = _cpu() - start
    return Run(cases, timings)


def _ref_side(response: dict[str, Any]) -> Side:
    if "signed" in response:
        return Side(signed=response["signed"])
    return Side(error=str(response.get("error", response)))


def _proofs(signed: dict[str, Any]) -> list[dict[str, Any]]:
    proof = signed.get("proof")
    return proof if isinstance(proof, list) else [proof]


def _both_signed(case: Case, mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
    mc_side, ref_side = case.mc[mode], case.ref[mode]
    if ref_side.error is not None:
        pytest.fail(f"the reference refused to sign ({ref_side.error}); {case.describe()}")
    if mc_side.error is not None:
        pytest.fail(
            f"microcred refused a document the reference signs: {mc_side.error}; {case.describe()}"
        )
    assert mc_side.signed is not None and ref_side.signed is not None
    return mc_side.signed, ref_side.signed


# -- diagnostics (only run when something differs) ---------------------------------------------


def _proof_config(signed: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if proof.get("cryptosuite") == RDFC:
        config["@context"] = signed["@context"]
    return config


def _canonical_pair(
    reference: Reference, mc: Microcred, contexts: dict[str, Any], suite: str, value: dict[str, Any]
) -> tuple[str, str]:
    """(microcred, reference) canonical text of ``value`` for ``suite``; errors as text."""
    if suite == RDFC:
        request = {"op": "canonize", "document": value}
        key, ours = "nquads", _try(lambda: mc.canonicalize(value), mc)
    else:
        request = {"op": "jcs", "value": value}
        key, ours = "jcs", _try(lambda: mc.jcs(value).decode("utf-8"), mc)
    answer = reference.batch([request], defaults={"contexts": contexts})[0]
    return ours, str(answer.get(key, f"ERROR {answer.get('error')}"))


def _try(fn: Callable[[], str], mc: Microcred) -> str:
    try:
        return fn()
    except mc.error_type as exc:
        return f"ERROR {exc}"


def _diff(ours: str, theirs: str) -> str:
    lines = difflib.unified_diff(
        theirs.split("\n"), ours.split("\n"), "reference", "microcred", lineterm="", n=0
    )
    shown = [json.dumps(line, ensure_ascii=True)[1:-1] for line in list(lines)[:12]]
    return "\n".join(shown)


def _candidates(value: Any) -> list[Any]:
    """Documents one step smaller than ``value``: a member, item or half a string removed."""
    out: list[Any] = []
    if isinstance(value, dict):
        for key in value:
            if key != "@context":
                out.append({k: v for k, v in value.items() if k != key})
        for key, item in value.items():
            if key != "@context":
                out.extend({**value, key: smaller} for smaller in _candidates(item))
    elif isinstance(value, list):
        for index in range(len(value)):
            if len(value) > 1:
                out.append(value[:index] + value[index + 1 :])
        for index, item in enumerate(value):
            out.extend(
                [*value[:index], smaller, *value[index + 1 :]] for smaller in _candidates(item)
            )
    elif isinstance(value, str) and len(value) > 1:
        half = len(value) // 2
        out.extend([value[:half], value[half:]])
    return out


_MINIMIZED: dict[tuple[str, str], dict[str, Any]] = {}
MAX_MINIMIZATIONS = 3  # per run: each costs node processes; later failures show diffs only
MINIMIZE_BUDGET_S = 20.0
CHUNK = 24


def _minimize(
    reference: Reference,
    mc: Microcred,
    contexts: dict[str, Any],
    suite: str,
    document: dict[str, Any],
) -> dict[str, Any] | None:
    """Greedy shrink: keep the first smaller document whose canonical forms still differ.

    Candidates go to the reference in chunks (one node process each), within a time budget;
    the result is cached, and only the first few mismatches of a run are minimized.
    """
    memo = (json.dumps(document, sort_keys=True), suite)
    if memo in _MINIMIZED:
        return _MINIMIZED[memo]
    if len(_MINIMIZED) >= MAX_MINIMIZATIONS:
        return None
    deadline = time.monotonic() + MINIMIZE_BUDGET_S
    current = copy.deepcopy(document)
    answer_key = "nquads" if suite == RDFC else "jcs"

    def ours(candidate: Any) -> str:
        if suite == RDFC:
            return _try(lambda: mc.canonicalize(candidate), mc)
        return _try(lambda: mc.jcs(candidate).decode("utf-8"), mc)

    def smaller(candidates: list[Any]) -> Any | None:
        for start in range(0, len(candidates), CHUNK):
            if time.monotonic() > deadline:
                return None
            chunk = candidates[start : start + CHUNK]
            op = "canonize" if suite == RDFC else "jcs"
            field_name = "document" if suite == RDFC else "value"
            answers = reference.batch(
                [{"op": op, field_name: c} for c in chunk], defaults={"contexts": contexts}
            )
            for candidate, answer in zip(chunk, answers, strict=True):
                if answer_key not in answer:
                    continue  # the reference rejects it: no longer a comparable input
                mine = ours(candidate)
                if not mine.startswith("ERROR") and mine != answer[answer_key]:
                    return candidate
        return None

    while (found := smaller(_candidates(current))) is not None:
        current = found
    _MINIMIZED[memo] = current
    return current


def _explain(
    reference: Reference, mc: Microcred, contexts: dict[str, Any], case: Case, mode: str
) -> str:
    """Where the two signatures part: proof configuration or document, minimized."""
    mc_signed, ref_signed = case.mc[mode].signed, case.ref[mode].signed
    assert mc_signed is not None and ref_signed is not None
    notes = []
    for mc_proof, ref_proof in zip(_proofs(mc_signed), _proofs(ref_signed), strict=False):
        suite = ref_proof["cryptosuite"]
        if mc_proof.get("proofValue") == ref_proof.get("proofValue"):
            continue
        ours, theirs = _canonical_pair(
            reference, mc, contexts, suite, _proof_config(ref_signed, ref_proof)
        )
        if ours != theirs:
            notes.append(f"{suite} proof configuration differs:\n{_diff(ours, theirs)}")
        document = {k: v for k, v in ref_signed.items() if k != "proof"}
        if suite == JCS:
            document["@context"] = ref_proof.get("@context", document.get("@context"))
        ours, theirs = _canonical_pair(reference, mc, contexts, suite, document)
        if ours != theirs:
            notes.append(f"{suite} canonical document differs:\n{_diff(ours, theirs)}")
            small = _minimize(reference, mc, contexts, suite, case.spec.document)
            if small is None:
                notes.append("(not minimized: only the first mismatches of a run are)")
            else:
                ours_s, theirs_s = _canonical_pair(reference, mc, contexts, suite, small)
                notes.append(
                    f"minimized input: {json.dumps(small, ensure_ascii=True)}\n"
                    f"its canonical forms:\n{_diff(ours_s, theirs_s)}"
                )
    return "\n".join(notes) or "canonical forms agree; the difference is in hashing or signing"


# -- the tests ------------------------------------------------------------------------------------

CASE_IDS = [f"{i:02d}" for i in range(N)]


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
@pytest.mark.parametrize("mode", MODES)
def test_proof_value_identical(
    run: Run,
    reference: Reference,
    mc: Microcred,
    shipped_contexts: dict[str, Any],
    mode: str,
    index: int,
) -> None:
    case = run.cases[index]
    mc_signed, ref_signed = _both_signed(case, mode)
    ours = [p.get("proofValue") for p in _proofs(mc_signed)]
    theirs = [p.get("proofValue") for p in _proofs(ref_signed)]
    if ours != theirs:
        pytest.fail(
            f"{mode}: proofValue differs from the reference\n"
            f"{_explain(reference, mc, shipped_contexts, case, mode)}\n{case.describe()}"
        )


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
@pytest.mark.parametrize("mode", MODES)
def test_secured_document_identical(run: Run, mode: str, index: int) -> None:
    """Same JSON (proofValue aside, it has its own test) apart from one documented shape choice:
    microcred always writes ``proof`` as an array, the reference writes a lone proof as an
    object."""
    case = run.cases[index]
    mc_signed, ref_signed = _both_signed(case, mode)
    assert {k: v for k, v in mc_signed.items() if k != "proof"} == {
        k: v for k, v in ref_signed.items() if k != "proof"
    }, case.describe()
    assert isinstance(mc_signed["proof"], list), "microcred must always write a proof array"

    def options(signed: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in p.items() if k != "proofValue"} for p in _proofs(signed)]

    assert options(mc_signed) == options(ref_signed), case.describe()


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
@pytest.mark.parametrize("mode", MODES)
def test_reference_verifies_microcred(run: Run, mode: str, index: int) -> None:
    case = run.cases[index]
    if case.mc[mode].error is not None:
        pytest.fail(f"microcred did not sign: {case.mc[mode].error}; {case.describe()}")
    answer = case.ref_verifies_mc[mode]
    assert answer.get("verified") is True, f"{answer}\n{case.describe()}"
    # jsonld-signatures passes a proof set when ANY proof verifies: require every one.
    per_proof = answer["proofs"]
    assert sorted(p["cryptosuite"] for p in per_proof) == sorted(_suites(mode)), answer
    assert all(p["verified"] for p in per_proof), f"{answer}\n{case.describe()}"


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
@pytest.mark.parametrize("mode", MODES)
def test_microcred_verifies_reference(run: Run, mode: str, index: int) -> None:
    case = run.cases[index]
    if case.ref[mode].error is not None:
        pytest.fail(f"the reference did not sign: {case.ref[mode].error}; {case.describe()}")
    outcome = case.mc_verifies_ref[mode]
    assert len(outcome) == len(_suites(mode))
    assert outcome == [None] * len(outcome), f"{outcome}\n{case.describe()}"


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
def test_jcs_bytes_identical(run: Run, mc: Microcred, index: int) -> None:
    """RFC 8785 bytes of the unsigned and the jcs-signed document match npm ``canonicalize``."""
    case = run.cases[index]
    signed = case.mc[JCS].signed
    if signed is None:
        pytest.fail(f"microcred did not sign: {case.mc[JCS].error}; {case.describe()}")
    for name, value in (("document", case.spec.document), ("signed", signed)):
        theirs = case.ref_jcs[name]
        assert isinstance(theirs, str), f"reference JCS failed: {theirs}"
        ours = mc.jcs(value)
        assert ours == theirs.encode("utf-8"), (
            f"JCS of the {name} differs:\n{_diff(ours.decode('utf-8'), theirs)}\n{case.describe()}"
        )


@pytest.mark.parametrize("index", range(N), ids=CASE_IDS)
def test_data_loss_check_accepts_what_reference_safe_mode_signs(run: Run, index: int) -> None:
    """jsonld.js signed the document in safe mode, so microcred's data-loss check must pass too."""
    case = run.cases[index]
    if case.ref[RDFC].error is not None:
        pytest.fail(f"the reference did not sign: {case.ref[RDFC].error}; {case.describe()}")
    assert case.safe_error is None, f"{case.safe_error}\n{case.describe()}"


def test_run_stays_fast(run: Run) -> None:
    """The whole comparison must fit the interop budget (~60 s on 2 cores), in CPU seconds."""
    total = sum(run.timings.values())
    report = ", ".join(f"{name}: {seconds:.1f}s" for name, seconds in run.timings.items())
    print(f"\ninterop CPU time for {N} cases: {report}")
    assert total < 60, report
