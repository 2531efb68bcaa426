"""Third-party credentials (1EdTech validator samples, DCC's reference-stack fixtures): no
RDF-preserving rewrite improves microcred's verdict (issue 8). Generator: tests/verify/rewrites.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from microcred.verify import VerifyOptions, check_credential
from microcred.verify.pinned import load_status_list

from .test_examples import AT, STATUS_SNAPSHOTS

CASES = (
    "1edtech-validator/negative/ob30-err-expired.json",
    "1edtech-validator/ob30-bitstring-revoked.json",
    "1edtech-validator/ob30-endorsement-valid.json",
    "1edtech-validator/clr20-simple.json",
    "1edtech-validator/ob30-simple-ed25519signature2020-vcdm1.json",
    "dcc/v1-eddsa-rdfc-2022-didkey-vcdm1.json",
    "dcc/v2-eddsa-rdfc-2022-didkey-revoked-index8.json",
    "dcc/v2-eddsa-rdfc-2022-didkey-validstatus-index7-expired.json",
    "dcc/v2-ed25519signature2020-didkey.json",
)


def _rewrites() -> ModuleType:
    name = "microcred_test_rewrites"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "verify" / "rewrites.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def examples(standards: Path) -> Path:
    return standards / "examples"


@pytest.fixture(scope="module")
def options(standards: Path) -> VerifyOptions:
    lists = dict(
        load_status_list(f"{url}={standards / rel}") for url, rel in STATUS_SNAPSHOTS.items()
    )
    return VerifyOptions(status_lists=lists)


@pytest.mark.parametrize("name", CASES)
def test_third_party_verdicts_never_improve(
    name: str, examples: Path, options: VerifyOptions
) -> None:
    rewrites = _rewrites()
    document = json.loads((examples / name).read_text(encoding="utf-8"))
    original = check_credential(document, now=AT, options=options)
    found = list(rewrites.rdf_rewrites(document))
    assert len(found) > 10, [label for label, _ in found]
    worse = []
    for label, rewritten in found:
        why = rewrites.not_better(original, check_credential(rewritten, now=AT, options=options))
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse
