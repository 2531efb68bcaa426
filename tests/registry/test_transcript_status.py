"""The school's transcript status list (registry/transcript_status.py): allocation that never
hands out an index twice, even when transcripts are issued at the same time, and a list that
is re-signed only when it changes."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from microcred.proof.keys import generate_keypair
from microcred.registry.transcript_status import TranscriptStatus
from microcred.status import decode_list, get_bit

URL = "https://registrar.example/status/transcripts-1.json"
NOW = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)


def test_concurrent_issuers_never_share_or_lose_an_index(tmp_path: Path) -> None:
    status = TranscriptStatus(URL, tmp_path / "st")
    ids = [f"urn:uuid:00000000-0000-4000-8000-{n:012d}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        # a fresh TranscriptStatus per call, as separate commands would have
        entries = list(pool.map(lambda i: TranscriptStatus(URL, tmp_path / "st").entry_for(i), ids))
    indexes = [int(e["statusListIndex"]) for e in entries]
    assert len(set(indexes)) == len(ids)
    state = json.loads(status.state_path.read_text("utf-8"))
    assert {k: int(v) for k, v in state["allocated"].items()} == dict(
        zip(ids, indexes, strict=True)
    )


def test_the_list_is_resigned_only_when_a_bit_changes(tmp_path: Path) -> None:
    key = generate_keypair()
    status = TranscriptStatus(URL, tmp_path / "st")
    entry = status.entry_for("urn:uuid:11111111-1111-4111-8111-111111111111")
    path = status.publish(key, NOW)
    first = path.read_bytes()
    assert status.publish(key, NOW + dt.timedelta(days=1)).read_bytes() == first  # unchanged
    status.revoke(
        "urn:uuid:11111111-1111-4111-8111-111111111111", who="registrar", when=NOW, reason="x"
    )
    later = json.loads(status.publish(key, NOW + dt.timedelta(days=2)).read_bytes())
    assert later["issuer"] == key.controller and later["id"] == URL
    bits = decode_list(later["credentialSubject"]["encodedList"])
    assert get_bit(bits, int(entry["statusListIndex"]))
    assert later["validFrom"] == "2026-09-03T00:00:00Z"
