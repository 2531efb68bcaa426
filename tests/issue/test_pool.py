"""The signing pool: job order, the same bytes by every path, jobs drawn as needed, errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from microcred.errors import MicrocredError
from microcred.issue import pool
from microcred.issue.pool import CHUNK, IN_FLIGHT, Job, _signed_in_order
from microcred.issue.receipts import _digest, fingerprint
from microcred.layout import record_file
from microcred.proof.keys import KeyPair, generate_keypair

NOW = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
CONTEXTS = ["https://www.w3.org/ns/credentials/v2"]


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return generate_keypair()


def _unsigned(n: int, key: KeyPair) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "type": ["VerifiableCredential"],
        "issuer": key.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}"},
    }


def _jobs(count: int, key: KeyPair) -> list[Job]:
    return [(f"r{n:04d}", _unsigned(n, key)) for n in range(count)]


def _run(jobs: Any, key: KeyPair, workers: int) -> list[tuple[str, bytes, dict[str, Any]]]:
    return list(_signed_in_order(jobs, key, now=NOW, suites=SUITES, loader=None, workers=workers))


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_pool_gives_the_serial_bytes_and_receipts_in_job_order(
    key: KeyPair, fork: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = _jobs(3 * CHUNK + 3, key)  # several chunks, the last one short
    serial = _run(jobs, key, 1)
    monkeypatch.setattr(pool, "fork_is_safe", lambda: fork)
    assert _run(jobs, key, 2) == serial
    assert [slug for slug, _, _ in serial] == [slug for slug, _ in jobs]
    for (_, unsigned), (_, data, receipt) in zip(jobs, serial, strict=True):
        assert data.endswith(b"\n") and b'"proof"' in data
        assert receipt["digest"] == _digest(unsigned, SUITES)
        assert receipt["id"] is None and receipt["verificationMethod"].startswith(key.controller)
        assert receipt["sha256"] == fingerprint(json.loads(data))


def test_jobs_are_drawn_as_the_workers_need_them(key: KeyPair) -> None:
    """The caller builds each unsigned credential lazily: when the first result comes back,
    at most the chunks in flight (and the one being cut) have been drawn, not all jobs."""
    total = 6 * 2 * IN_FLIGHT * CHUNK
    drawn: list[int] = []

    def lazily() -> Iterator[Job]:
        for n in range(total):
            drawn.append(n)
            yield f"r{n:04d}", _unsigned(n, key)

    seen_at_first: int | None = None
    count = 0
    for _ in _signed_in_order(
        lazily(), key, now=NOW, suites=("eddsa-jcs-2022",), loader=None, workers=2
    ):
        if seen_at_first is None:
            seen_at_first = len(drawn)
        count += 1
    assert count == total
    assert seen_at_first is not None
    assert seen_at_first <= (2 * IN_FLIGHT + 1) * CHUNK < total


@pytest.mark.parametrize("workers", [1, 2])
def test_a_credential_that_cannot_be_signed_names_its_record(key: KeyPair, workers: int) -> None:
    jobs = _jobs(2 * CHUNK, key)
    bad = jobs[CHUNK + 2][1]
    bad["notATerm"] = "would be dropped by JSON-LD"  # the data-loss check refuses it
    results: list[str] = []
    with pytest.raises(MicrocredError) as caught:
        for slug, _, _ in _signed_in_order(
            jobs, key, now=NOW, suites=SUITES, loader=None, workers=workers
        ):
            results.append(slug)
    assert caught.value.where == record_file(jobs[CHUNK + 2][0])
    assert "notATerm" in caught.value.message
    assert results == [slug for slug, _ in jobs[: CHUNK + 2]]  # everything before it, in order


def test_a_failing_job_source_stops_the_pool(key: KeyPair) -> None:
    def failing() -> Iterator[Job]:
        yield from _jobs(CHUNK, key)
        raise MicrocredError("the next record cannot be built")

    with pytest.raises(MicrocredError, match="cannot be built"):
        _run(failing(), key, 2)


def test_a_forked_pool_leaves_the_collector_as_it_found_it(
    key: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heap is frozen only while the workers are forked, and a caller's own frozen
    objects stay frozen."""
    import gc

    monkeypatch.setattr(pool, "fork_is_safe", lambda: True)
    seen: list[int] = []
    submit = pool.ProcessPoolExecutor.submit

    def watched(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_freeze_count())
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(pool.ProcessPoolExecutor, "submit", watched)
    assert gc.get_freeze_count() == 0
    _run(_jobs(3 * CHUNK, key), key, 2)
    assert seen[0] > 0 and seen[1:] == [0] * (len(seen) - 1)  # frozen for the fork only
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller that froze its own objects
    try:
        frozen = gc.get_freeze_count()
        _run(_jobs(CHUNK, key), key, 2)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
