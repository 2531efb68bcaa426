"""`microcred sign`: the W3C vectors byte for byte, stdin/out-dir modes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microcred.cli import main
from microcred.proof.keys import generate_keypair

VECTORS = ["eddsa-rdfc-2022/alumni", "eddsa-jcs-2022/alumni", "eddsa-rdfc-2022/employment"]


def _run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.conformance
@pytest.mark.parametrize("vector", VECTORS)
def test_spec_vectors_reproduced_byte_for_byte(standards: Path, vector: str) -> None:
    folder = standards / "vectors" / vector
    options = json.loads((folder / "proofOptions.json").read_text())
    code, out, err = _run([
        "sign", "--key", str(folder / "keyPair.json"), "--suite", options["cryptosuite"],
        "--created", options["created"], "--contexts-dir", str(standards / "contexts"),
        str(folder / "unsigned.json"),
    ])
    assert code == 0, err
    assert out == (folder / "signed.json").read_text(encoding="utf-8")


@pytest.mark.conformance
def test_extra_contexts_are_needed_and_never_fetched(standards: Path) -> None:
    folder = standards / "vectors" / "eddsa-rdfc-2022/alumni"
    code, out, err = _run(["sign", "--key", str(folder / "keyPair.json"),
                           "--created", "2023-02-24T23:36:38Z", str(folder / "unsigned.json")])
    assert code == 1 and out == ""
    assert "credentials/examples/v2" in err and "Traceback" not in err


def _keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(generate_keypair().to_secret_json()))
    return path


CRED = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject"},
}


def test_stdin_to_stdout_and_proof_set(tmp_path: Path) -> None:
    key = _keyfile(tmp_path)
    code, out, err = _run(["sign", "--key", str(key), "--suite", "eddsa-rdfc-2022",
                           "--suite", "eddsa-jcs-2022", "-"], json.dumps(CRED))
    assert code == 0, err
    signed = json.loads(out)
    assert [p["cryptosuite"] for p in signed["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]


def test_several_files_need_out_dir(tmp_path: Path) -> None:
    key = _keyfile(tmp_path)
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(CRED))
    code, _, err = _run(["sign", "--key", str(key), str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    assert code == 2 and "--out-dir" in err
    out_dir = tmp_path / "out"
    code, _, err = _run(["sign", "--key", str(key), "--out-dir", str(out_dir),
                         str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["a.json", "b.json"]
    assert json.loads((out_dir / "a.json").read_text())["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_a_folder_signs_every_json_file_in_it_as_the_files_would_be(tmp_path: Path) -> None:
    key = _keyfile(tmp_path)
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    for n in range(5):
        (folder / f"c{n}.json").write_text(json.dumps({**CRED, "name": f"Badge {n}"}))
    (folder / "notes.txt").write_text("not a credential")
    (folder / "nested" / "deeper.json").write_text(json.dumps(CRED))
    created = ["--created", "2026-01-01T00:00:00Z"]
    code, _, err = _run(["sign", "--key", str(key), *created, "--out-dir", str(tmp_path / "a"),
                         str(folder)])  # fmt: skip
    assert code == 0, err
    files = sorted(str(p) for p in folder.glob("*.json"))
    code, _, err = _run(["sign", "--key", str(key), *created, "--out-dir", str(tmp_path / "b"),
                         *files])  # fmt: skip
    assert code == 0, err
    signed = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert sorted(signed) == [f"c{n}.json" for n in range(5)]  # no .txt, no subfolder
    assert signed == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}


@pytest.mark.parametrize("defect", ["folder_without_out_dir", "out_dir_is_the_folder"])
def test_a_folder_needs_an_out_dir_of_its_own(tmp_path: Path, defect: str) -> None:
    key = _keyfile(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "c.json").write_text(json.dumps(CRED))
    out = [] if defect == "folder_without_out_dir" else ["--out-dir", str(folder)]
    code, _, err = _run(["sign", "--key", str(key), *out, str(folder)])
    assert code == 2 and "--out-dir" in err, err
    assert json.loads((folder / "c.json").read_text()) == CRED  # nothing replaced


@pytest.mark.parametrize(("defect", "text"), [
    ("duplicate_key", '{"type": "A", "type": "B"}'),
    ("nan_number", '{"x": NaN}'),
    ("not_json", "this is not json"),
])
def test_bad_input_is_one_line_error(tmp_path: Path, defect: str, text: str) -> None:
    key = _keyfile(tmp_path)
    path = tmp_path / f"{defect}.json"
    path.write_text(text)
    code, out, err = _run(["sign", "--key", str(key), str(path)])
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_key_file_whose_secret_does_not_match_is_refused(tmp_path: Path) -> None:
    a, b = generate_keypair(), generate_keypair()
    bad = a.to_secret_json() | {"publicKeyMultibase": b.public_key_multibase}
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(bad))
    (tmp_path / "c.json").write_text(json.dumps(CRED))
    code, out, err = _run(["sign", "--key", str(path), str(tmp_path / "c.json")])
    assert code == 1 and out == "" and "error:" in err


@pytest.mark.conformance
def test_jcs_vector_needs_no_extra_context(standards: Path) -> None:
    folder = standards / "vectors" / "eddsa-jcs-2022/alumni"
    code, out, err = _run(["sign", "--key", str(folder / "keyPair.json"), "--suite", "eddsa-jcs-2022",
                           "--created", "2023-02-24T23:36:38Z", str(folder / "unsigned.json")])
    assert code == 0, err
    assert out == (folder / "signed.json").read_text(encoding="utf-8")
    assert "data-loss check skipped" in err  # said, not silent


@pytest.mark.conformance
def test_contexts_dir_from_the_environment(standards: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = standards / "vectors" / "eddsa-rdfc-2022/alumni"
    monkeypatch.setenv("MICROCRED_CONTEXTS_DIR", str(standards / "contexts"))
    code, out, err = _run(["sign", "--key", str(folder / "keyPair.json"),
                           "--created", "2023-02-24T23:36:38Z", str(folder / "unsigned.json")])
    assert code == 0, err
    assert out == (folder / "signed.json").read_text(encoding="utf-8")


def test_jcs_only_still_refuses_undefined_terms(tmp_path: Path) -> None:
    key = _keyfile(tmp_path)
    doc = dict(CRED, credentialSubject={"id": "did:example:s", "undefinedTerm": 1})
    (tmp_path / "u.json").write_text(json.dumps(doc))
    code, out, err = _run(["sign", "--key", str(key), "--suite", "eddsa-jcs-2022", str(tmp_path / "u.json")])
    assert code == 1 and out == "" and "undefinedTerm" in err


def _rubric_credential(allowed: list[str]) -> dict[str, object]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "I"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:subject",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/a",
                "type": ["Achievement"],
                "name": "A",
                "criteria": {"narrative": "n"},
                "resultDescription": [{
                    "id": "urn:uuid:9a3e4f1c-0b2d-4e5f-8a6b-7c8d9e0f1a2b",
                    "type": ["ResultDescription"], "name": "R",
                    "resultType": "RubricCriterionLevel", "allowedValue": allowed,
                }],
            },
        },
    }  # fmt: skip


def test_a_graph_reference_verifiers_cannot_canonicalize_is_not_signed(tmp_path: Path) -> None:
    """Equal middle items of an ordered list: rdf-canonize's default work limit refuses the
    graph (tests/interop/test_reference_work_limit.py), so an rdfc signature would never verify
    on Digital Bazaar's stack. The file is named, the way out said; JCS alone still signs."""
    key = _keyfile(tmp_path)
    path = tmp_path / "rubric-repeats.json"
    path.write_text(json.dumps(_rubric_credential(["a", "x", "x", "b"])))
    code, out, err = _run(["sign", "--key", str(key), str(path)])
    assert code == 1 and out == "" and "Traceback" not in err
    assert str(path) in err and "ordered list" in err and "eddsa-jcs-2022 only" in err
    code, out, err = _run(["sign", "--key", str(key), "--suite", "eddsa-jcs-2022", str(path)])
    assert code == 0, err
    path.write_text(json.dumps(_rubric_credential(["a", "x", "b", "y"])))
    code, out, err = _run(["sign", "--key", str(key), str(path)])
    assert code == 0, err
