#!/usr/bin/env python3
"""One benchmark harness for issue 12: microcred against the reference, whole processes.

    python bench/run.py                       # 400 credentials vs the reference, 3 rounds,
                                              # plus a 300-record program (issue, build)
    python bench/run.py --n 400 --rounds 5 --scale 1000 10000 --json out.json
    python bench/run.py --only sign verify one --no-reference

Sections (each row: median wall time over the rounds, peak RSS of the process):

* ``sign`` / ``verify`` / ``one``: N fresh random OB 3.0 credentials (the interop generator,
  tests/interop/interop_credgen.py, seeded), signed with ``microcred sign --out-dir`` and
  verified with ``microcred verify --json FOLDER``; ``one`` is a one-file ``microcred verify``
  (cold start). The reference JS implementation (tests/interop/js, node) does the same work
  on the same credentials in one process per batch, with the same contexts. Runs alternate
  (reference first in odd rounds, microcred first in even ones), so load changes hit both.
* ``inproc``: per-credential sign and verify inside one Python process (no start-up).
* ``issue`` / ``build`` / ``mkdocs`` / ``rebuild-one`` / ``rebuild-none`` / ``verify-site`` /
  ``import``: a generated program of each --scale size (bench/site_scale.py's records):
  ``microcred issue``, ``microcred build --keep-source``, bare ``mkdocs build`` of that kept
  source, a rebuild after one record changed, a rebuild with nothing changed, a batch verify of
  the credentials, and ``microcred import`` when the command exists. ``rebuild-later``: then
  another record changed and the build an hour later (a page names its check's moment, so
  the pages of unchanged credentials are still carried over).
* ``build-fresh``: ``microcred build --keep-source`` of a copy of the generated program that
  nothing was issued for (the build signs and verifies every credential itself), and bare
  ``mkdocs build`` of that kept source (``mkdocs-fresh``).

Prints a table and the machine (cores, load average before and after); ``--json`` writes every
sample. Benchmarks, never tests: timings are recorded in docs/benchmarks.md, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
JS = REPO / "tests" / "interop" / "js"
sys.path[:0] = [str(REPO / "tests" / "interop"), str(REPO / "bench"), str(REPO / "tests" / "site")]

CREATED = "2026-03-04T05:06:07Z"
AT = "2026-06-01"
MC = [sys.executable, "-c", "from microcred.cli import console; console()"]


# --- running one process --------------------------------------------------------------------


def timed(
    cmd: Sequence[str],
    *,
    stdin: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one whole process."""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as fin, open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(
            list(cmd),
            stdin=fin,
            stdout=devnull,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in ok:
        raise SystemExit(
            f"{' '.join(cmd[:4])}... exited {code}: {err[-2000:].decode('utf-8', 'replace')}"
        )
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def node() -> str | None:
    found = shutil.which("node")
    if found and (JS / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return found
    return None


# --- the 400-credential comparison --------------------------------------------------------


def make_credentials(folder: Path, count: int, seed: str) -> tuple[Path, dict[str, Any]]:
    """``count`` random unsigned OB 3.0 credentials in folder/in, and a did:key key file."""
    from interop_credgen import make_specs

    from microcred.proof.keys import KeyPair, multikey_from_public, public_key_from_seed

    secret = random.Random(seed).randbytes(32)
    public = public_key_from_seed(secret)
    multikey = multikey_from_public(public)
    did = f"did:key:{multikey}"
    key = KeyPair(public, secret, did, f"{did}#{multikey}")
    keyfile = folder / "key.json"
    folder.mkdir(parents=True, exist_ok=True)
    keyfile.write_text(json.dumps(key.to_secret_json()), "utf-8")
    keyfile.chmod(0o600)
    inputs = folder / "in"
    if inputs.exists():  # a kept --work folder: same seed, same credentials; start clean
        shutil.rmtree(inputs)
    inputs.mkdir(parents=True)
    made, index = 0, 0
    while made < count:
        batch = make_specs(f"{seed}/{index}", 64, lambda *_: did)
        index += 1
        for spec in batch:
            if made == count:
                break
            doc = _portable(spec.document)
            if "OpenBadgeCredential" not in doc.get("type", []):
                continue
            (inputs / f"c{made:06d}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
            made += 1
    return keyfile, key.to_secret_json()


def _portable(value: Any) -> Any:
    """As a JavaScript tool writes JSON: whole floats without '.0', no -0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _portable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v) for v in value]
    return value


def reference_requests(folder: Path, secret: dict[str, Any]) -> dict[str, Path]:
    """The reference's batch requests (one node process each), with the shipped contexts."""
    from interop_support import load_shipped_contexts

    contexts = load_shipped_contexts()
    unsigned = [json.loads(p.read_text("utf-8")) for p in sorted((folder / "in").iterdir())]
    signed = [json.loads(p.read_text("utf-8")) for p in sorted((folder / "out").iterdir())]
    files = {
        "sign": {
            "op": "batch",
            "defaults": {"contexts": contexts},
            "requests": [
                {
                    "op": "sign",
                    "suite": "eddsa-rdfc-2022",
                    "document": d,
                    "key": secret,
                    "created": CREATED,
                }
                for d in unsigned
            ],
        },
        "verify": {
            "op": "batch",
            "defaults": {"contexts": contexts},
            "requests": [{"op": "verify", "document": d} for d in signed],
        },
        "one": {"op": "verify", "document": signed[0], "contexts": contexts},
    }
    paths = {}
    for name, request in files.items():
        paths[name] = folder / f"ref-{name}.json"
        paths[name].write_text(json.dumps(request, ensure_ascii=False), "utf-8")
    return paths


def check_reference_agrees(folder: Path, requests: dict[str, Path], js: str) -> str:
    """The reference signs byte-identical proofs and verifies microcred's: say so, or why not."""
    proc = subprocess.run(
        [js, str(JS / "harness.mjs")],
        stdin=requests["sign"].open("rb"),
        capture_output=True,
        cwd=JS,
        check=True,
    )
    answers = json.loads(proc.stdout)["responses"]
    ours = [json.loads(p.read_text("utf-8")) for p in sorted((folder / "out").iterdir())]
    same = sum(
        a.get("signed", {}).get("proof") == o.get("proof")
        for a, o in zip(answers, ours, strict=True)
    )
    proc = subprocess.run(
        [js, str(JS / "harness.mjs")],
        stdin=requests["verify"].open("rb"),
        capture_output=True,
        cwd=JS,
        check=True,
    )
    verified = sum(bool(a.get("verified")) for a in json.loads(proc.stdout)["responses"])
    return f"identical proofs {same}/{len(ours)}; reference verifies {verified}/{len(ours)}"


def _compile_bytecode() -> None:
    """Time microcred as installed: pip compiles the package's bytecode at install time, but
    an editable install under PYTHONDONTWRITEBYTECODE would recompile ~200 modules per process
    (about 0.15 s, more than a one-file verify needs). compileall writes it regardless."""
    import compileall

    import microcred

    compileall.compile_dir(Path(microcred.__file__).parent, quiet=1)


def compare(
    work: Path, n: int, rounds: int, jobs: int | None, only: set[str], use_reference: bool
) -> tuple[list[dict[str, Any]], str]:
    folder = work / f"creds-{n}"
    _compile_bytecode()
    keyfile, secret = make_credentials(folder, n, f"bench-{n}")
    files = sorted(p.name for p in (folder / "in").iterdir())
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    sign_cmd = [
        *MC,
        "sign",
        "--key",
        str(keyfile),
        "--created",
        CREATED,
        *jobs_args,
        "--out-dir",
        str(folder / "out"),
        # the files by name, as the independent check passes them; a large batch as its
        # folder (a command line cannot hold 100,000 names)
        *((f"in/{f}" for f in files) if n <= 5000 else ["in"]),
    ]
    timed(sign_cmd, cwd=folder)  # the credentials every verifier reads
    js = node() if use_reference else None
    requests = reference_requests(folder, secret) if js else {}
    agreement = check_reference_agrees(folder, requests, js) if js else "reference not run"
    one_file = folder / "out" / files[0]
    ours: dict[str, Callable[[], dict[str, float]]] = {
        "sign": lambda: timed(sign_cmd, cwd=folder),
        "verify": lambda: timed(
            [*MC, "verify", "--json", "--at", AT, *jobs_args, str(folder / "out")], ok=(0, 1, 3)
        ),
        "one": lambda: timed([*MC, "verify", "--at", AT, str(one_file)], ok=(0, 1, 3)),
    }
    rows = []
    for name, run in ours.items():
        if name not in only:
            continue
        mc_samples, ref_samples = [], []
        for index in range(rounds):
            reference = (
                (
                    lambda name=name: timed(
                        [js, str(JS / "harness.mjs")], stdin=requests[name], cwd=JS
                    )
                )
                if js
                else None
            )
            order = [reference, run] if index % 2 == 0 else [run, reference]
            for step in order:
                if step is None:
                    continue
                sample = step()
                (ref_samples if step is reference else mc_samples).append(sample)
        rows.append(_row(name, n, mc_samples, ref_samples))
    return rows, agreement


def _row(
    name: str, n: int, mc: list[dict[str, float]], ref: list[dict[str, float]]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "what": name,
        "n": n,
        "wall": statistics.median(s["wall"] for s in mc),
        "cpu": statistics.median(s["cpu"] for s in mc),
        "rss_mb": max(s["rss_mb"] for s in mc),
        "samples": mc,
    }
    if ref:
        row["ref_wall"] = statistics.median(s["wall"] for s in ref)
        row["ref_rss_mb"] = max(s["rss_mb"] for s in ref)
        row["ref_cpu"] = statistics.median(s["cpu"] for s in ref)
        row["ref_samples"] = ref
        # Throughput ratio for batches; for one file, our time as a share of theirs.
        row["ratio"] = (
            row["ref_wall"] / row["wall"] if name != "one" else row["wall"] / row["ref_wall"]
        )
    return row


# --- in process --------------------------------------------------------------------------


def in_process(work: Path, n: int) -> list[dict[str, Any]]:
    import datetime as dt

    from microcred.issue.sign import sign_document
    from microcred.jsonld.strictjson import loads_strict
    from microcred.proof.keystore import load_keyfile_path
    from microcred.verify import VerifyOptions, check_credential

    folder = work / f"creds-{n}"
    key = load_keyfile_path(folder / "key.json", None)
    docs = [loads_strict(p.read_bytes()) for p in sorted((folder / "in").iterdir())]
    raws = [p.read_bytes() for p in sorted((folder / "out").iterdir())]
    when = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    rows = []
    for name, items, one in (
        (
            "inproc-sign",
            docs,
            lambda d: sign_document(d, key, created=when, suites=("eddsa-rdfc-2022",)),
        ),
        ("inproc-verify", raws, lambda r: check_credential(r, now=now, options=VerifyOptions())),
    ):
        one(items[0])  # warm: contexts processed once per run
        cpu, started = time.process_time(), time.perf_counter()
        for item in items:
            one(item)
        wall = (time.perf_counter() - started) / len(items)
        rows.append(
            {
                "what": name,
                "n": len(items),
                "wall": wall,
                "cpu": (time.process_time() - cpu) / len(items),
                "rss_mb": 0.0,
            }
        )
    return rows


# --- programs at scale -------------------------------------------------------------------


def scale(work: Path, size: int, jobs: int | None, only: set[str]) -> list[dict[str, Any]]:
    from site_scale import generate

    from microcred import layout

    root = work / f"program-{size}"
    generate(root, size)
    # The example's endorsements name the example's own records, which are not generated.
    shutil.rmtree(root / layout.ENDORSEMENTS_DIR, ignore_errors=True)
    env = {"MICROCRED_KEY_PASSPHRASE": "bench only"}
    at = ["--now", "2026-11-01T12:00:00Z"]
    rows: list[dict[str, Any]] = []

    def add(what: str, sample: dict[str, float]) -> None:
        rows.append({"what": what, "n": size, **sample, "samples": [sample]})

    timed([*MC, "-p", str(root), "keys", "new"], env=env)
    if "build-fresh" in only:  # before anything is issued: a copy the build issues itself
        fresh = work / f"fresh-{size}"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(root, fresh)
        kept, out = work / f"kept-fresh-{size}", work / f"site-fresh-{size}"
        for folder in (kept, out):
            shutil.rmtree(folder, ignore_errors=True)
        command = [*MC, "-p", str(fresh), "build", *at, "--out", str(out)]
        add("build-fresh", timed([*command, "--keep-source", str(kept)], env=env))
        bare = work / f"bare-fresh-{size}"
        shutil.rmtree(bare, ignore_errors=True)
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(kept / "mkdocs.yml")]
        add("mkdocs-fresh", timed([*mkdocs, "-d", str(bare)]))
    issued = timed([*MC, "-p", str(root), "issue", *at], env=env)  # every later step needs it
    if "issue" in only:
        add("issue", issued)
    if "build" in only:
        kept, out = work / f"kept-{size}", work / f"site-{size}"
        build = [*MC, "-p", str(root), "build", *at, "--out", str(out), "--keep-source", str(kept)]
        add("build", timed(build, env=env))
        bare = work / f"bare-{size}"
        add(
            "mkdocs",
            timed(
                [
                    sys.executable,
                    "-m",
                    "mkdocs",
                    "build",
                    "-q",
                    "-f",
                    str(kept / "mkdocs.yml"),
                    "-d",
                    str(bare),
                ]
            ),
        )
        add("rebuild-none", timed(build, env=env))
        record = sorted((root / "records").glob("*.md"))[size // 2]
        record.write_text(record.read_text("utf-8").replace("Solid work", "Solid, careful work"))
        add("rebuild-one", timed(build, env=env))
        if "rebuild-later" in only:  # another record changed, and the clock moved on an hour
            record = sorted((root / "records").glob("*.md"))[size // 3]
            text = record.read_text("utf-8")
            record.write_text(text.replace("Solid work", "Solid, careful work"))
            later = [*build]
            later[later.index(at[1])] = "2026-11-01T13:00:00Z"
            add("rebuild-later", timed(later, env=env))
    if "verify-site" in only:
        folder = root / "credentials"
        jobs_args = ["--jobs", str(jobs)] if jobs else []
        add("verify-site", timed([*MC, "verify", "--json", *jobs_args, str(folder)], ok=(0, 1, 3)))
    if "import" in only and _has_import():
        registry = f"sqlite:///{work / f'registry-{size}.db'}"
        command = [*MC, "import", "--registry", registry, "--json", str(root / "credentials")]
        add("import", timed(command, ok=(0, 1, 2, 3)))
    return rows


def _has_import() -> bool:
    proc = subprocess.run([*MC, "import", "--help"], capture_output=True, check=False)
    return proc.returncode == 0


# --- report ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": len(os.sched_getaffinity(0)),
        "load_before": os.getloadavg(),
    }
    js = shutil.which("node")
    if js:
        info["node"] = subprocess.run(
            [js, "--version"], capture_output=True, text=True
        ).stdout.strip()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split()[1]
        info["memory_gb"] = round(int(mem) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def table(rows: list[dict[str, Any]]) -> str:
    """Wall and CPU seconds (ms per credential in process), peak RSS, the reference's figures;
    ratio: reference wall / ours for batches (throughput), ours / reference for one file."""
    head = ("what", "n", "wall s", "cpu s", "rss MB", "ref s", "ref cpu", "ratio")
    lines = [f"{head[0]:<14}" + "".join(f"{h:>9}" for h in head[1:])]
    for r in rows:
        inproc = r["what"].startswith("inproc")
        wall = f"{r['wall'] * 1000:.2f}ms" if inproc else f"{r['wall']:.3f}"
        cpu = f"{r['cpu'] * 1000:.2f}ms" if inproc else f"{r['cpu']:.2f}"
        ref = f"{r['ref_wall']:.3f}" if "ref_wall" in r else "-"
        ref_cpu = f"{r['ref_cpu']:.2f}" if "ref_cpu" in r else "-"
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else "-"
        cells = (r["n"], wall, cpu, f"{r['rss_mb']:.0f}", ref, ref_cpu, ratio)
        lines.append(f"{r['what']:<14}" + "".join(f"{c:>9}" for c in cells))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="credentials for sign/verify/one")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per row")
    parser.add_argument("--scale", type=int, nargs="*", default=[300], help="program sizes")
    parser.add_argument("--jobs", type=int, help="--jobs for microcred (default: every core)")
    parser.add_argument(
        "--only",
        nargs="+",
        default=["sign", "verify", "one", "inproc", "issue", "build", "verify-site", "import"],
        help="sections to run",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the JS reference")
    parser.add_argument("--json", type=Path, help="write every sample here")
    parser.add_argument("--work", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    only = set(args.only)
    info = machine()
    print(f"machine: {info}", flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="mc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    agreement = "not run"
    try:
        if only & {"sign", "verify", "one", "inproc"}:
            found, agreement = compare(
                work, args.n, args.rounds, args.jobs, only, not args.no_reference
            )
            rows += found
            print(table(rows), flush=True)
            if "inproc" in only:
                rows += in_process(work, args.n)
        for size in args.scale:
            if only & {"issue", "build", "build-fresh", "verify-site", "import"}:
                rows += scale(work, size, args.jobs, only)
                print(table(rows[-9:]), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = os.getloadavg()
    print()
    print(table(rows))
    print(f"reference agreement: {agreement}")
    print(f"load average before {info['load_before']}, after {info['load_after']}")
    for r in rows:
        if r["what"] == "build":
            bare = next((x for x in rows if x["what"] == "mkdocs" and x["n"] == r["n"]), None)
            for again in ("rebuild-none", "rebuild-one", "rebuild-later"):
                other = next((x for x in rows if x["what"] == again and x["n"] == r["n"]), None)
                if other:
                    print(f"{again} at {r['n']}: {other['wall'] / r['wall']:.0%} of the full build")
            if bare:
                print(f"build at {r['n']}: {r['wall'] / bare['wall']:.2f}x bare mkdocs")
        if r["what"] == "build-fresh":
            bare = next((x for x in rows if x["what"] == "mkdocs-fresh" and x["n"] == r["n"]), None)
            if bare:
                print(
                    f"build without a prior issue at {r['n']}: "
                    f"{r['wall'] / bare['wall']:.2f}x bare mkdocs"
                )
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "agreement": agreement, "rows": rows}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
