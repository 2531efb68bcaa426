"""Per-credential cost of signing (eddsa-rdfc-2022 + eddsa-jcs-2022) and of a full offline verify.

Run by hand: ``python bench/sign_verify.py [N]``. Prints median and p90 milliseconds. Not a test:
machines are noisy, so targets are checked here, never asserted in the suite.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from microcred.issue import sign_document
from microcred.jsonld import canonicalize, default_loader
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.publish import prepare_publication
from microcred.verify import VerifyOptions, check_credential

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def _stats(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"median {statistics.median(ms):7.2f} ms   p90 {ms[int(len(ms) * 0.9) - 1]:7.2f} ms"


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(REPO / "examples" / "northwind-microinternships", root)
        KeyRing(root).new_key(Identity("did-key"), now=NOW)
        pub = prepare_publication(root, now=NOW)
        key = KeyRing(root).load_active_secret()
        creds = list(pub.credentials.values())
        loader = default_loader()
        unsigned = [{k: v for k, v in c.items() if k != "proof"} for c in creds]

        canon, sign, verify = [], [], []
        for i in range(n):
            doc = unsigned[i % len(unsigned)]
            t = time.perf_counter()
            canonicalize(doc, loader)
            canon.append(time.perf_counter() - t)
            t = time.perf_counter()
            sign_document(doc, key, created=NOW)
            sign.append(time.perf_counter() - t)
        options = VerifyOptions()
        for i in range(n):
            slug = sorted(pub.credentials)[i % len(creds)]
            raw = (root / "credentials" / f"{slug}.json").read_bytes()
            t = time.perf_counter()
            report = check_credential(raw, now=NOW, options=options)
            verify.append(time.perf_counter() - t)
            assert report.checks[3].outcome == "passed"
        print(f"credentials: {len(creds)} distinct, {n} iterations each phase")
        print(f"RDFC canonicalize (document)       {_stats(canon)}")
        print(f"sign (data-loss + rdfc + jcs)      {_stats(sign)}")
        print(f"verify (9 checks, no status list)  {_stats(verify)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
