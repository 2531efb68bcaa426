"""Import vs verify on the same folder: N distinct signed credentials. Run by hand:

    python3 bench/import_scale.py                  # 10,000 credentials
    python3 bench/import_scale.py --sizes 2000 10000

Credentials are signed once (rdfc + jcs proof set, TEST-ONLY key of the adversarial corpus,
one in ten issued to another learner) into /tmp/microcred-bench-import-N and reused. For each
size it times ``microcred verify DIR --json`` and ``microcred import DIR --json`` into a fresh
SQLite registry, as separate processes, with /usr/bin/time for peak memory (the largest
single process: the importer or one of its verification workers). Figures go into
docs/benchmarks.md; the load average is printed because other work skews wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "registry"))

import regsupport as rs  # noqa: E402

CLI = [sys.executable, "-c", "from microcred.cli import console; console()"]


def _make(number: int) -> tuple[int, str]:
    recipient = rs.OTHER_LEARNER if number % 10 == 9 else rs.LEARNER
    cred = rs.credential(cid=number + 1, recipient=recipient, credits=1 + number % 3)
    return number, json.dumps(cred, indent=2)


def corpus(size: int) -> Path:
    folder = Path(tempfile.gettempdir()) / f"microcred-bench-import-{size}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        for number, text in pool.map(_make, range(size), chunksize=64):
            (folder / f"{number // 1000:02d}").mkdir(exist_ok=True)
            (folder / f"{number // 1000:02d}" / f"c{number:06d}.json").write_text(text)
    done.write_text("")
    print(f"signed {size} credentials in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def timed(args: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB of the largest process, output lines)."""
    with tempfile.NamedTemporaryFile("r") as stats:
        started = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", stats.name, *CLI, *args],
            capture_output=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - started
        peak = int(stats.read().strip().splitlines()[-1]) // 1024
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(proc.stderr.decode())
    return wall, peak, proc.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    sizes = parser.parse_args().sizes
    print(f"load average at start: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
    for size in sizes:
        folder = corpus(size)
        with tempfile.TemporaryDirectory() as scratch:
            db = Path(scratch) / "registry.db"
            verify = timed(["verify", "--json", "--at", rs.AT, str(folder)])
            imported = timed(
                ["import", "--registry", f"sqlite:///{db}", "--learner", rs.LEARNER,
                 "--term", "bench", "--at", rs.AT, "--json", str(folder)]
            )  # fmt: skip
            again = timed(
                ["import", "--registry", f"sqlite:///{db}", "--learner", rs.LEARNER,
                 "--term", "bench", "--at", rs.AT, "--json", str(folder)]
            )  # fmt: skip
            size_mb = db.stat().st_size / 2**20
        print(
            f"N={size}: verify {verify[0]:.1f} s ({verify[1]} MiB, {verify[2]} lines); "
            f"import {imported[0]:.1f} s ({imported[1]} MiB, {imported[2]} lines) = "
            f"{imported[0] / verify[0]:.2f}x verify; re-import {again[0]:.1f} s "
            f"({again[1]} MiB); registry {size_mb:.1f} MiB; "
            f"load average now {os.getloadavg()[0]:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
