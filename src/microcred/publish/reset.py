"""``microcred reset``: start issuing again after an identity change that was never published.

Issued credentials name the issuer, the site's URLs and status indexes; once the issuer DID or
``base_url`` changes, every later run rightly refuses to replace them (people may hold them).
When they were only ever built locally (a placeholder address, a wrong repository name), this
clears exactly that state so the next build starts clean:

* the credentials and status folders (``layout.STATE_DIRS``: issued credentials, the issue
  index, status state and signed lists) are removed;
* for a did:web identity, the key ring and its keys are moved into
  ``.microcred/keys/reset-<time>/`` (keys stay in the git-ignored keys folder, nothing secret is
  deleted), so ``microcred keys new`` can make a key for the new DID; a did:key identity keeps
  its key (the DID is the key).

Records, briefs, endorsement sources and microcred.toml are never touched.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from microcred._util import loads_strict
from microcred.errors import ConfigError, MicrocredError
from microcred.layout import (
    CREDENTIALS_DIR,
    KEYRING_FILE,
    KEYS_DIR,
    PRIVATE_DIR,
    STATUS_DIR,
)
from microcred.records import load_issuer_settings


@dataclass
class ResetPlan:
    remove: list[Path] = field(default_factory=list)  # folders/files deleted
    move_keys: list[Path] = field(default_factory=list)  # moved into keys/reset-<time>/
    reason: str = ""


def plan_reset(root: Path) -> ResetPlan:
    """What ``reset`` would do; raises when there is nothing issued to reset."""
    identity = load_issuer_settings(root).identity
    plan = ResetPlan()
    for name in (CREDENTIALS_DIR, STATUS_DIR):
        if (root / name).exists():
            plan.remove.append(root / name)
    did_doc = root / PRIVATE_DIR / "did.json"
    if identity.kind == "did-web":
        ring = root / KEYRING_FILE
        controllers: set[str] = set()
        if ring.is_file():
            try:
                data = loads_strict(ring.read_bytes())
                keys = data.get("keys", []) if isinstance(data, dict) else []
                controllers = {str(k.get("controller")) for k in keys if isinstance(k, dict)}
            except (MicrocredError, OSError):
                controllers = {"(unreadable)"}
        if controllers and controllers != {identity.did}:
            plan.move_keys.append(ring)
            if did_doc.is_file():
                plan.move_keys.append(did_doc)
            plan.reason = (
                f"the key ring belongs to {', '.join(sorted(controllers))}, "
                f"microcred.toml now says {identity.did}"
            )
    if not plan.remove and not plan.move_keys:
        raise ConfigError(
            "nothing to reset: no credentials or status lists were issued here",
            where=str(root),
        )
    return plan


def apply_reset(root: Path, plan: ResetPlan, now: dt.datetime) -> Path | None:
    """Carry out ``plan``; returns where old keys were moved (or None)."""
    moved_to = None
    if plan.move_keys:
        moved_to = root / KEYS_DIR / f"reset-{now.strftime('%Y%m%dT%H%M%SZ')}"
        moved_to.mkdir(parents=True, exist_ok=False)
        keys = root / KEYS_DIR
        for path in sorted(keys.iterdir()) if keys.is_dir() else []:
            if path.is_file():
                shutil.move(str(path), moved_to / path.name)
        for path in plan.move_keys:
            shutil.move(str(path), moved_to / path.name)
    for path in plan.remove:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return moved_to
