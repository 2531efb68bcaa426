"""`sign` and `verify` with --jobs: the same bytes and reports as one process, in input order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from microcred.cli import main
from microcred.proof.keys import generate_keypair

CREATED = "2026-03-04T05:06:07Z"
BASELINE = json.loads(
    (Path(__file__).parents[1] / "adversarial/corpus/valid_baseline.json").read_text("utf-8")
)
COUNT = 40  # more than two chunks of 16, so workers really run


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def _inputs(tmp_path: Path, controller: str, bad: int | None = None) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for index in range(COUNT):
        doc = {k: v for k, v in BASELINE.items() if k not in ("proof", "credentialStatus")}
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
        doc["issuer"] = {**doc["issuer"], "id": controller}
        path = folder / f"c{index:03d}.json"
        path.write_text("[1, 2]" if index == bad else json.dumps(doc), "utf-8")
        paths.append(path)
    return paths


def test_sign_then_verify_in_parallel_equals_one_process(tmp_path: Path) -> None:
    key = generate_keypair()
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    inputs = [str(p) for p in _inputs(tmp_path, key.controller)]
    outputs = {}
    for jobs in ("1", "2"):
        out_dir = tmp_path / f"out{jobs}"
        code, _, err = _run(["sign", "--key", str(keyfile), "--created", CREATED,
                             "--jobs", jobs, "--out-dir", str(out_dir), *inputs])  # fmt: skip
        assert code == 0, err
        names = [line.split(" -> ")[1] for line in err.splitlines() if line.startswith("signed")]
        assert names == [str(out_dir / Path(p).name) for p in inputs]  # input order
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted(out_dir.iterdir())}
    assert len(outputs["1"]) == COUNT and outputs["1"] == outputs["2"]

    reports = {}
    for jobs in ("1", "2"):
        code, out, err = _run(["verify", "--json", "--at", "2027-06-01", "--jobs", jobs,
                               str(tmp_path / "out1")])  # fmt: skip
        assert code == 0, err
        reports[jobs] = [json.loads(line) for line in out.splitlines()]
    assert len(reports["1"]) == COUNT
    assert [r["result"] for r in reports["1"]] == ["valid"] * COUNT
    assert reports["1"] == reports["2"]


def test_parallel_sign_stops_at_the_first_bad_file_naming_it(tmp_path: Path) -> None:
    key = generate_keypair()
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    inputs = [str(p) for p in _inputs(tmp_path, key.controller, bad=20)]
    code, _, err = _run(["sign", "--key", str(keyfile), "--jobs", "2",
                         "--out-dir", str(tmp_path / "out"), *inputs])  # fmt: skip
    assert code == 1
    assert err.count("signed ") == 20  # everything before it was reported, in order
    assert "c020.json" in err and "must be a JSON object" in err and "Traceback" not in err


def test_rendered_in_the_workers_equals_rendered_here(tmp_path: Path) -> None:
    import datetime as dt

    from microcred.verify import human_lines, verify_paths, verify_paths_rendered

    key = generate_keypair()
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    inputs = [str(p) for p in _inputs(tmp_path, key.controller)]
    code, _, err = _run(["sign", "--key", str(keyfile), "--created", CREATED,
                         "--out-dir", str(tmp_path / "out"), *inputs])  # fmt: skip
    assert code == 0, err
    (tmp_path / "out" / "c005.json").write_text('{"type": "VerifiableCredential", ', "utf-8")
    now = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    here = [human_lines(r) for r in verify_paths([tmp_path / "out"], now=now)]
    there = list(verify_paths_rendered([tmp_path / "out"], now=now, jobs=2, render=human_lines))
    assert len(here) == COUNT and there == here
    texts = {}
    for jobs in ("1", "2"):
        code, out, _ = _run(["verify", "--at", "2027-06-01", "--jobs", jobs, str(tmp_path / "out")])
        assert code == 1  # the damaged file
        texts[jobs] = out
    assert texts["1"] == texts["2"] and "FAIL" in texts["1"]


def test_no_worker_is_forked_while_another_thread_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread could hold a lock a forked child needs: sign and verify then run in this
    process, with the same results."""
    import multiprocessing
    import threading

    key = generate_keypair()
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    inputs = [str(p) for p in _inputs(tmp_path, key.controller)]
    real, contexts = multiprocessing.get_context, []

    def spy(method: str | None = None) -> Any:
        contexts.append(method)
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    results = {}
    for mode in ("workers", "a thread runs"):
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        if mode == "a thread runs":
            other.start()
        try:
            out_dir = tmp_path / f"out-{mode}"
            code, _, err = _run(["sign", "--key", str(keyfile), "--created", CREATED,
                                 "--jobs", "2", "--out-dir", str(out_dir), *inputs])  # fmt: skip
            assert code == 0, err
            code, out, err = _run(["verify", "--json", "--at", "2027-06-01", "--jobs", "2",
                                   str(out_dir)])  # fmt: skip
            assert code == 0, err
            signed = sorted(p.read_bytes() for p in out_dir.iterdir())
            results[mode] = (signed, out.replace(str(out_dir), "OUT"))
            forked = contexts.count("fork")
            contexts.clear()
        finally:
            stop.set()
            if other.is_alive():
                other.join()
        assert (forked >= 2) if mode == "workers" else (forked == 0), (mode, forked)
    assert results["workers"] == results["a thread runs"]


def _summary(report: Any) -> Any:
    """A report in brief (module level: the workers are sent it by name)."""
    return (report.path, report.result, [str(c.outcome) for c in report.checks])


def test_a_mixed_folder_in_parallel_equals_one_process(tmp_path: Path) -> None:
    """A batch's workers report what one process reports, in the same order, for a folder
    mixing credentials with files that are not credentials or are damaged."""
    import datetime as dt

    from microcred.verify import verify_paths, verify_paths_rendered

    key = generate_keypair()
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    inputs = [str(p) for p in _inputs(tmp_path, key.controller)]
    out = tmp_path / "out"
    code, _, err = _run(["sign", "--key", str(keyfile), "--created", CREATED,
                         "--out-dir", str(out), *inputs])  # fmt: skip
    assert code == 0, err
    (out / "c003.json").write_text('{"type": "VerifiableCredential", ', "utf-8")  # damaged
    (out / "c007.json").write_text('{"not": "a credential"}', "utf-8")  # skipped
    (out / "c011.json").write_text("[]", "utf-8")
    (out / "list.json").write_text(
        json.dumps({"type": ["VerifiableCredential", "BitstringStatusListCredential"]}), "utf-8"
    )  # a status list is an input, not a result
    (out / "d-image.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")  # a damaged image: reported
    nested = out / "n-nested"
    nested.mkdir()
    (nested / "x.json").write_text((out / "c001.json").read_text("utf-8"), "utf-8")
    now = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    here = [_summary(r) for r in verify_paths([out], now=now)]
    there = list(verify_paths_rendered([out], now=now, jobs=2, render=_summary))
    assert there == here
    shown = [Path(p).name for p, _, _ in here]
    assert "c003.json" in shown and "x.json" in shown and "d-image.png" in shown
    skipped = {"c007.json", "c011.json", "list.json"}
    assert not skipped & set(shown), sorted(skipped & set(shown))
    assert len(here) == COUNT - 2 + 2  # two not credentials; the image and a nested copy
