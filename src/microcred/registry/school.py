"""The ``[school]`` section of the policy file: who signs transcripts, and how.

```toml
[school]
name = "Rhine College"                       # required: the transcript's issuer name
url = "https://rhine.example/"               # optional: the school's home page
did = "did:web:rhine.example"                # the school's DID: any other key is refused
learner = "id"                               # id (student id) | email-hash | email
status_list = "https://rhine.example/status/transcripts-1.json"   # optional: revocable
status_dir = "transcript-status"             # list state + signed list (relative to this file)
verify_page = "https://rhine.example/verify.html"                  # optional: QR target
```

Every problem is reported at once as ``file:line: $.school.key: message``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from microcred.credential.clr import LEARNER_MODES, LearnerMode, School
from microcred.errors import Problem, ProblemsError
from microcred.registry.policy import read_policy_file

KEYS = {
    "name": "the school's name, shown as the transcript's issuer",
    "url": "the school's home page (https://…)",
    "description": "one sentence about the school",
    "did": "the school's DID (did:web:… or did:key:…); a key of any other DID is refused",
    "learner": "how the learner is named: id (student id), email-hash or email",
    "status_list": "https URL where the school publishes its transcript status list",
    "status_dir": "folder for the status list state and signed list (relative to this file)",
    "verify_page": "https URL of a microcred verify.html for the QR code on the HTML page",
}
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")


@dataclass(frozen=True)
class SchoolConfig:
    school: School
    configured_did: str | None
    learner_mode: LearnerMode
    status_list: str | None
    status_dir: Path
    verify_page: str | None
    source: str
    warnings: tuple[str, ...] = ()

    @classmethod
    def unconfigured(cls, base: Path, source: str, why: str) -> SchoolConfig:
        """No ``[school]`` section: the school is named by its key's DID, nothing is pinned."""
        return cls(
            school=School(did="", name=""),
            configured_did=None,
            learner_mode="id",
            status_list=None,
            status_dir=base / "transcript-status",
            verify_page=None,
            source=source,
            warnings=(
                f"{why}: the transcript names the school by its DID only, is not revocable and "
                "any key is accepted on first use; add a [school] section (docs/transcript.md)",
            ),
        )


def _lines(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if m := _HEADER.match(line):
            table = m.group(1)
            out.setdefault(table, number)
        elif table == "school" and (m := _KEY.match(line)):
            out.setdefault(f"school.{m.group(1)}", number)
    return out


def _https(value: str) -> bool:
    return value.startswith("https://") and len(value) > len("https://") and " " not in value


def parse_school(data: Mapping[str, Any], source: str, lines: Mapping[str, int]) -> SchoolConfig:
    problems: list[Problem] = []

    def bad(key: str | None, message: str) -> None:
        where = f"school.{key}" if key else "school"
        line = lines.get(where) or lines.get("school") or 1
        problems.append(Problem(source, line, f"$.{where}", message))

    raw = data.get("school")
    if raw is None:
        return SchoolConfig.unconfigured(
            Path(source).resolve().parent, source, f"{source} has no [school] section"
        )
    if not isinstance(raw, Mapping):
        bad(None, "must be a [school] table")
        raise ProblemsError(problems)
    for key in raw:
        if key not in KEYS:
            bad(key, f"unknown key {key!r} (known keys: {', '.join(KEYS)})")
    values: dict[str, str] = {}
    for key in KEYS:
        if key in raw:
            value = raw[key]
            if not isinstance(value, str) or not value.strip():
                bad(key, f"must be a non-empty string ({KEYS[key]})")
            else:
                values[key] = value.strip()
    if "name" not in raw:
        bad(None, 'missing name: add name = "…" (the transcript names the school as its issuer)')
    for key in ("url", "status_list", "verify_page"):
        if key in values and not _https(values[key]):
            bad(key, f"{values[key]!r} must be an https:// URL")
    if "status_list" in values and "#" in values["status_list"]:
        bad("status_list", "a status list URL has no #fragment")
    did = values.get("did")
    if did is not None and not did.startswith(("did:web:", "did:key:")):
        bad("did", f"{did!r} must be a did:web: or did:key: identifier")
    mode = values.get("learner", "id")
    if mode not in LEARNER_MODES:
        bad("learner", f"{mode!r} is not one of {', '.join(LEARNER_MODES)}")
    if problems:
        raise ProblemsError(problems)
    base = Path(source).resolve().parent
    return SchoolConfig(
        school=School(
            did=did or "",
            name=values["name"],
            url=values.get("url"),
            description=values.get("description"),
        ),
        configured_did=did,
        learner_mode=cast(LearnerMode, mode),
        status_list=values.get("status_list"),
        status_dir=base / values.get("status_dir", "transcript-status"),
        verify_page=values.get("verify_page"),
        source=source,
    )


def load_school(path: Path) -> SchoolConfig:
    """The ``[school]`` section of the policy file at ``path`` (every problem at once)."""
    data, text = read_policy_file(path)
    return parse_school(data, str(path), _lines(text))
