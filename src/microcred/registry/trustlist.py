"""The school's trust list: verify's trust file, with problems located as ``file:line``.

``since`` / ``until`` (dates or date-times) bound when an issuer's credentials are accepted: a
credential issued (``validFrom``) outside that period needs review. Verify's trust module
checks them itself (its ``issuer_trust`` check fails, and the import asks for review); with an
older verify that does not know them, they are read here and removed before verify parses the
rest, so a plain verify trust file stays valid either way.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from microcred._util import format_timestamp, parse_date, parse_record_datetime
from microcred.errors import ConfigError, MicrocredError, Problem, ProblemsError
from microcred.verify.pinned import read_json_file
from microcred.verify.trust import TrustedIssuer, TrustStore, parse_trust

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_WHERE = re.compile(r"\$\.issuers\[(\d+)\](?:\.([A-Za-z_]+))?")
_VERIFY_KNOWS_DATES = {"since", "until"} <= {f.name for f in dataclasses.fields(TrustedIssuer)}


@dataclass(frozen=True)
class Window:
    """When an issuer is trusted; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    def problem(self, issued: str | None) -> str | None:
        """Why a credential issued at ``issued`` falls outside the window, or None."""
        if self.since is None and self.until is None:
            return None
        when = _parse(issued) if issued else None
        if when is None:
            return "the trust list limits this issuer by date, but the issue date is unknown"
        if self.since is not None and when < self.since:
            return (
                f"issued {issued}, before the trust list accepts this issuer ({_show(self.since)})"
            )
        if self.until is not None and when >= self.until:
            return (
                f"issued {issued}, after the trust list stopped accepting it ({_show(self.until)})"
            )
        return None


def _show(value: datetime) -> str:
    return format_timestamp(value)  # UTC: a bound may be written with another offset


def _parse(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    day = parse_date(text) if _DATE.match(text) else None
    if day is not None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return parse_record_datetime(text)  # a time zone is required


def _issuer_lines(text: str) -> list[int]:
    """Line of each element of the top-level ``issuers`` array (best effort)."""
    decoder = json.JSONDecoder()
    match = re.search(r'"issuers"\s*:\s*\[', text)
    if match is None:
        return []
    pos, lines = match.end(), []
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
    return lines


def _line(text: str, where: str) -> int:
    match = _WHERE.search(where)
    lines = _issuer_lines(text)
    if match is None or int(match.group(1)) >= len(lines):
        return 1
    line = lines[int(match.group(1))]
    key = match.group(2)
    if key:
        rest = text.split("\n")[line - 1 :]
        for offset, body in enumerate(rest):
            if f'"{key}"' in body:
                return line + offset
    return line


def load_trust_list(path: Path) -> tuple[TrustStore, dict[str, Window]]:
    """The trust store verify uses plus each issuer's acceptance window."""
    source = str(path)
    data = read_json_file(path, "trust file")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    problems: list[Problem] = []
    windows: dict[str, Window] = {}
    cleaned = copy.deepcopy(data)
    items = cleaned.get("issuers") if isinstance(cleaned, Mapping) else None
    for number, item in enumerate(
        items if isinstance(items, list) and not _VERIFY_KNOWS_DATES else []
    ):
        if not isinstance(item, dict):
            continue
        ends: dict[str, datetime | None] = {}
        for key in ("since", "until"):
            raw = item.pop(key, None)
            if raw is None:
                ends[key] = None
                continue
            value = raw if isinstance(raw, datetime) else _parse(raw)
            if value is None:
                where = f"$.issuers[{number}].{key}"
                problems.append(
                    Problem(
                        source,
                        _line(text, where),
                        where,
                        f"{raw!r} is not a date (write 2026-01-31 or 2026-01-31T00:00:00Z)",
                    )
                )
            ends[key] = value.astimezone(UTC) if value is not None else None
        if isinstance(item.get("did"), str) and (ends["since"] or ends["until"]):
            windows[item["did"]] = Window(ends["since"], ends["until"])
    if problems:
        raise ProblemsError(problems)
    try:
        store = parse_trust(cleaned, source, path.parent)
    except ConfigError as exc:
        found = _WHERE.search(exc.message)
        pointer = found.group(0) if found else "$"
        message = (
            exc.message.split(": ", 2)[-1] if exc.message.startswith("trust file") else exc.message
        )
        hint = f" ({exc.hint})" if exc.hint else ""
        raise ProblemsError(
            [Problem(source, _line(text, pointer), pointer, f"{message}{hint}")]
        ) from None
    except MicrocredError:
        raise
    return store, windows
