"""Key resolution: a did:key with no pinned document is resolved once per process, and every
proof gets the answer a fresh resolution gives, as its own copy."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from microcred.proof.keys import multikey_from_public, public_key_from_seed
from microcred.verify import VerifyOptions
from microcred.verify.checks import proofs
from microcred.verify.context import Ctx
from microcred.verify.options import PinnedDocument

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _ctx(options: VerifyOptions | None = None) -> Ctx:
    return Ctx("c.json", NOW, options or VerifyOptions(), loader=None)


def _did_key(seed: int) -> str:
    multikey = multikey_from_public(public_key_from_seed(random.Random(seed).randbytes(32)))
    return f"did:key:{multikey}#{multikey}"


# the small-order point 0 (an identity element) and a key of the wrong length
_BAD = ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#wrong-fragment", "did:key:zQ3s#x"]


@pytest.mark.parametrize("vm", [_did_key(1), _did_key(2), *_BAD, "did:key:no-fragment"])
def test_a_remembered_key_is_what_a_fresh_resolution_gives(vm: str) -> None:
    proofs._SELF_KEYS.clear()
    fresh = proofs._resolve_key(vm, _ctx())
    first, second = proofs.resolve_key(vm, _ctx()), proofs.resolve_key(vm, _ctx())
    assert first == fresh and second == fresh
    assert vm in proofs._SELF_KEYS
    assert first is not second
    if first.method is not None:
        assert first.method is not second.method
        first.method["controller"] = "did:example:changed"  # type: ignore[index]
        assert proofs.resolve_key(vm, _ctx()).method == fresh.method


def test_a_pinned_document_is_never_taken_from_the_memo() -> None:
    proofs._SELF_KEYS.clear()
    vm = _did_key(3)
    base = vm.split("#")[0]
    pinned = VerifyOptions(did_documents={base: PinnedDocument({"id": base}, "trust file")})
    key = proofs.resolve_key(vm, _ctx(pinned))
    assert vm not in proofs._SELF_KEYS
    assert key.source == "trust file"
    assert proofs.resolve_key(vm, _ctx()).source == "derived from the did:key itself"
    assert proofs.resolve_key(vm, _ctx(pinned)).source == "trust file"
