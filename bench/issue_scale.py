"""Issue time at scale: N generated records, 1 signing process vs all cores. Run by hand:

    python3 bench/issue_scale.py                 # 200 and 2000 records, 1 and N workers
    python3 bench/issue_scale.py --sizes 200 --workers 1 2

For each size and worker count: a fresh program (the example's records plus generated ones),
a first issue (everything signed), then a re-run (nothing changes). Figures go into
docs/lifecycle.md. The load average and CPU seconds (main process, pool workers) are printed
because other work on the machine skews wall times; on idle cores the pool's wall time is
about the main process's CPU plus the workers' CPU divided by the worker count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lifecycle"))

from lchelpers import make_program  # noqa: E402

from microcred.issue import issue_program  # noqa: E402
from microcred.keyring import KeyRing  # noqa: E402
from microcred.model import Identity  # noqa: E402

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def run_once(size: int, workers: int, scratch: Path) -> tuple[float, float, float, float, int]:
    """(wall s, parent CPU s, workers' CPU s, unchanged re-run wall s, credentials signed)."""
    root = make_program(scratch / f"p{size}-{workers}", keep=None, bulk=max(0, size - 12))
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    cpu_before = _cpu()
    started = time.perf_counter()
    first = issue_program(root, now=NOW, workers=workers)
    cold = time.perf_counter() - started
    cpu_after = _cpu()
    started = time.perf_counter()
    again = issue_program(root, now=NOW + dt.timedelta(days=1), workers=workers)
    warm = time.perf_counter() - started
    assert again.issued == [], "an unchanged program was re-signed"
    shutil.rmtree(root)
    own, kids = (cpu_after[i] - cpu_before[i] for i in (0, 1))
    return cold, own, kids, warm, len(first.issued)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, nargs="+", default=sorted({1, cores}))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {cores} cores, load {os.getloadavg()[0]:.1f}")
    header = (
        "records",
        "workers",
        "signed",
        "issue s",
        "cred/s",
        "cpu main",
        "cpu pool",
        "re-run s",
    )
    print(" ".join(f"{h:>8}" for h in header))
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as tmp:
        for size in args.sizes:
            for workers in args.workers:
                cold, own, kids, warm, signed = run_once(size, workers, Path(tmp))
                row = (size, workers, signed, f"{cold:.1f}", f"{signed / cold:.1f}")
                row += (f"{own:.1f}", f"{kids:.1f}", f"{warm:.2f}")
                print(" ".join(f"{v:>8}" for v in row), flush=True)
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":  # the signing pool re-imports this module (spawn)
    main()
