"""Finding credentials: explicit files, baked images, folders and built microcred sites."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from microcred.verify import VerifyOptions, discover, verify_paths
from microcred.verify.pinned import PinnedDocument

from .conftest import AT, CORPUS, corpus_json, default_options, gen

SITE_DID_PATH = ".well-known/did.json"


def build_site(root: Path, **manifest_changes: Any) -> Path:
    """A built site as the site layer lays it out (docs/internal-api.md manifest contract)."""
    (root / ".well-known").mkdir(parents=True)
    (root / "status").mkdir()
    (root / "credentials").mkdir()
    (root / "search").mkdir()
    shutil.copy(CORPUS / "support/school.example.did.json", root / SITE_DID_PATH)
    shutil.copy(CORPUS / "support/web-revocation-1.json", root / "status/web-revocation-1.json")
    shutil.copy(CORPUS / "valid_did_web_pinned.json", root / "credentials/alice.json")
    (root / "search/search_index.json").write_text('{"docs": [{"text": "VerifiableCredential"}]}')
    manifest = {
        "microcred_site": 1,
        "base_url": "https://school.example/",
        "issuer": gen.WEB_DID,
        "did_documents": {gen.WEB_DID: SITE_DID_PATH},
        "status_lists": {gen.WEB_REV_URL: "status/web-revocation-1.json"},
        "credentials": ["credentials/alice.json"],
        "built_at": "2026-05-20T00:00:00Z",
    }
    manifest.update(manifest_changes)
    (root / "microcred-site.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_a_site_folder_verifies_with_no_flags(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site")
    (report,) = verify_paths([site], now=AT)
    assert report.result == "valid", [c.to_json() for c in report.checks]
    assert report.path == f"{site}/credentials/alice.json"
    binding = report.check("issuer_binding")
    assert binding is not None and SITE_DID_PATH in binding.note
    status = report.check("status")
    assert status is not None and "web-revocation-1.json" in status.note


def test_a_site_inside_a_folder_is_recognised(tmp_path: Path) -> None:
    build_site(tmp_path / "outer" / "site")
    shutil.copy(CORPUS / "valid_baseline.json", tmp_path / "outer" / "loose.json")
    reports = list(verify_paths([tmp_path / "outer"], now=AT, options=default_options()))
    assert [Path(r.path).name for r in reports] == ["loose.json", "alice.json"]
    assert all(r.result == "valid" for r in reports)


@pytest.mark.parametrize("bad", ["../outside.json", "/etc/passwd", "credentials/../../x.json"])
def test_site_paths_cannot_leave_the_site(tmp_path: Path, bad: str) -> None:
    (tmp_path / "outside.json").write_bytes((CORPUS / "valid_baseline.json").read_bytes())
    site = build_site(tmp_path / "site", credentials=[bad])
    (report,) = verify_paths([site], now=AT)
    parse = report.check("parse")
    assert parse is not None and parse.outcome == "failed"
    assert "outside the site" in parse.problems[0].detail


def test_a_listed_but_missing_credential_is_reported(tmp_path: Path) -> None:
    site = build_site(
        tmp_path / "site", credentials=["credentials/alice.json", "credentials/gone.json"]
    )
    reports = list(verify_paths([site], now=AT))
    assert [r.result for r in reports] == ["valid", "invalid"]
    assert "cannot read" in reports[1].checks[0].problems[0].detail


def test_a_broken_manifest_is_one_failed_report(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site")
    (site / "microcred-site.json").write_text('{"microcred_site": 1, "credentials": "x"}')
    (report,) = verify_paths([site], now=AT)
    assert report.path.endswith("microcred-site.json")
    assert report.result == "invalid"
    assert "not a usable microcred site manifest" in report.checks[0].problems[0].detail


def test_a_key_the_user_pinned_beats_the_site_s_own(tmp_path: Path) -> None:
    site = build_site(tmp_path / "site")
    impostor = gen.web_document()
    impostor["verificationMethod"][0]["publicKeyMultibase"] = gen.multikey(
        gen._public(gen.TEST_ONLY_ATTACKER_SEED)
    )
    options = VerifyOptions(did_documents={gen.WEB_DID: PinnedDocument(impostor, "pinned")})
    (report,) = verify_paths([site], now=AT, options=options)
    assert report.result == "invalid"
    proof = report.check("proof")
    assert proof is not None and proof.problems[0].code == "CRYPTOGRAPHIC_SECURITY_ERROR"


def make_folder(root: Path) -> None:
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / ".hidden").mkdir()
    shutil.copy(CORPUS / "valid_baseline.json", root / "a/valid.json")
    shutil.copy(CORPUS / "valid_baseline.json", root / ".hidden/valid.json")
    (root / "a/search_index.json").write_text('{"config": {}, "docs": []}')
    shutil.copy(CORPUS / "support/school.example.did.json", root / "a/did.json")
    shutil.copy(CORPUS / "support/revocation-1.json", root / "a/list.json")
    (root / "notes.txt").write_text("not a credential")
    text = (CORPUS / "valid_baseline.json").read_text()
    (root / "b/broken.json").write_text(text.replace('"name"', '"name": "x", "name"', 1))
    (root / "b/random.json").write_text("[1, 2")
    shutil.copy(CORPUS / "mc68_control_baked.png", root / "baked.png")
    (root / "plain.png").write_bytes(gen.png_with([]))


def test_a_folder_is_walked_and_non_credentials_are_skipped(tmp_path: Path) -> None:
    make_folder(tmp_path)
    reports = list(verify_paths([tmp_path], now=AT, options=default_options()))
    names = [str(Path(r.path).relative_to(tmp_path)) for r in reports]
    assert names == ["a/valid.json", "b/broken.json", "baked.png"]
    assert [r.result for r in reports] == ["valid", "invalid", "valid"]
    assert "duplicate key" in reports[1].checks[0].problems[0].detail


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.txt", "invalid JSON"),
        ("plain.png", "no Open Badges credential"),
        ("a/search_index.json", "type"),
        ("missing.json", "no such file"),
    ],
)
def test_a_file_named_explicitly_is_always_reported(
    tmp_path: Path, name: str, message: str
) -> None:
    make_folder(tmp_path)
    (report,) = verify_paths([tmp_path / name], now=AT)
    assert report.result == "invalid"
    problems = [p.detail for c in report.checks for p in c.problems]
    assert any(message in p for p in problems), problems


def test_discover_keeps_the_order_given(tmp_path: Path) -> None:
    make_folder(tmp_path)
    sources = list(discover([tmp_path / "baked.png", tmp_path / "a/valid.json"]))
    assert [Path(s.path).name for s in sources] == ["baked.png", "valid.json"]
    assert (
        sources[0].raw is not None
        and corpus_json("valid_baseline.json")["id"].encode() in sources[0].raw
    )


def _strict_only(data: bytes) -> bool:
    """The folder walk's decision as the strict parser alone makes it."""
    from microcred.errors import MicrocredError
    from microcred.jsonld.strictjson import loads_strict
    from microcred.verify import sources

    try:
        value = loads_strict(data, max_bytes=sources.MAX_BYTES)
    except MicrocredError:
        return b"VerifiableCredential" in data
    return sources._worth_reporting(value)


def test_the_plain_parser_shortcut_decides_as_the_strict_parser() -> None:
    import json
    import random

    from microcred.verify import sources

    rng = random.Random(5)
    types = ["VerifiableCredential", "BitstringStatusListCredential", "StatusList2021Credential"]
    pieces = [
        b'"type": ' + json.dumps(rng.sample(types, k)).encode() for k in range(4) for _ in range(3)
    ] + [b'"@context": []', b'"proof": {}', b'"credentialSubject": {}', b'"x": NaN', b'"n": -0']
    prefixes = [b"", b"\xef\xbb\xbf", b"  "]
    decided = {True: 0, False: 0}
    for _ in range(3000):
        members = rng.sample(pieces, rng.randint(0, 5))
        if members and rng.random() < 0.2:
            members.append(members[0])  # a duplicate key
        body = b"{" + b", ".join(members) + b"}"
        if rng.random() < 0.1:
            body = body.replace(b'"VerifiableCredential"', b'"\\u0056erifiableCredential"')
        if rng.random() < 0.05:
            body = body[: rng.randint(0, len(body))]  # cut short
        data = rng.choice(prefixes) + body
        want = _strict_only(data)
        assert sources._maybe_credential(data) == want, data
        decided[want] += 1
    assert decided[True] > 300 and decided[False] > 300


def test_files_named_inside_one_site_share_its_documents_read_once(tmp_path: Path) -> None:
    """A shell glob of a site's credentials: the site is read once, its errors reported
    once, and every file gets the same options object (one chunk for the workers)."""
    site = build_site(tmp_path / "site")
    for name in ("bob", "carol"):
        shutil.copy(site / "credentials/alice.json", site / f"credentials/{name}.json")
    manifest = json.loads((site / "microcred-site.json").read_text())
    manifest["status_lists"]["https://school.example/status/missing"] = "status/missing.json"
    (site / "microcred-site.json").write_text(json.dumps(manifest))
    files = [site / f"credentials/{n}.json" for n in ("alice", "bob", "carol")]
    sources = list(discover(files))
    errors = [s for s in sources if s.read_error is not None]
    assert len(errors) == 1 and "missing.json" in errors[0].path  # once, not per file
    found = [s for s in sources if s.read_error is None]
    assert [s.path for s in found] == [str(f) for f in files]
    assert all(s.options is found[0].options for s in found) and found[0].options is not None
    assert all(f"documents from the site folder {site}" in (s.note or "") for s in found)
    other = build_site(tmp_path / "other")
    (mine, theirs) = list(discover([files[0], other / "credentials/alice.json"]))[-2:]
    assert mine.options is not theirs.options
    reports = verify_paths(files, now=AT)
    assert [r.result for r in reports if r.path in {str(f) for f in files}] == ["valid"] * 3


def test_files_named_one_by_one_look_for_their_site_once_per_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thirty files from one folder: the manifest is looked for up the tree once, not thirty
    times; a link in that folder to a file inside a site still gets that site's documents
    (the answer belongs to the folder the file really lies in), and its neighbours do not."""
    site = build_site(tmp_path / "site")
    loose = tmp_path / "loose"
    loose.mkdir()
    files = []
    for n in range(30):
        files.append(loose / f"c{n:02d}.json")
        shutil.copy(CORPUS / "valid_baseline.json", files[-1])
    (loose / "zz-link.json").symlink_to(site / "credentials/alice.json")
    files.append(loose / "zz-link.json")
    looked: list[Path] = []
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        if self.name == "microcred-site.json":
            looked.append(self)
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    sources = [s for s in discover(files) if s.read_error is None]
    assert len({p.parent for p in looked}) == len(looked)  # no folder asked twice
    assert len(looked) <= 2 * len(tmp_path.parts) + 2  # one walk up per distinct folder
    assert [s.path for s in sources] == [str(f) for f in files]
    assert all(s.options is None for s in sources[:-1])
    assert sources[-1].options is not None and str(site) in sources[-1].note


def test_a_folder_walk_still_finds_compact_jws_however_spaced(tmp_path: Path) -> None:
    from microcred.verify import sources

    jws = b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
    for name, data in {
        "plain.jwt": jws,
        "spaced.jwt": b"\n\t " + jws + b"\r\n",
        "dash.jws": b"-" + jws[1:],
        "underscore.jws": b"_" + jws[1:],
        "in-json.json": jws + b"\n",
        "not-jws.jwt": b"{" + jws + b"}",
        "two-parts.jwt": b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319",
    }.items():
        (tmp_path / name).write_bytes(data)
    found = sorted(Path(s.path).name for s in discover([tmp_path]))
    assert found == ["dash.jws", "in-json.json", "plain.jwt", "spaced.jwt", "underscore.jws"]
    assert not sources._maybe_credential(b"")
    assert not sources._maybe_credential(b"\xff" + jws)
