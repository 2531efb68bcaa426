"""What ``microcred verify`` does once its words are read: the options, the run, the lines
and the exit code. Used by the click command (cli/verify_cmd.py) and by the plain
``microcred verify [--json] PATH...`` that runs before click is loaded (cli/_quick.py), so the
two say exactly the same. No click here.

Exit codes (DESIGN section 4): 0 every credential valid (and trusted with --trust), 1 at least
one invalid, 2 usage error, 3 none invalid but at least one undecided or untrusted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from microcred.cli._ending import may_end_now
from microcred.cli._progress import stderr_progress
from microcred.errors import ConfigError, MicrocredError
from microcred.proof import parse_datetimestamp
from microcred.verify import (
    PinnedDocument,
    StatusSnapshot,
    VerificationReport,
    VerifyOptions,
    human_lines,
    is_jwk_document,
    jwks_from,
    load_did_document,
    load_jwks,
    load_status_list,
    read_json_file,
    user_contexts,
    verdict_word,
    verify_paths_rendered,
)

USAGE_ERROR = 2
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_at(text: str | None) -> dt.datetime:
    """--at: a dateTimeStamp, or a date meaning its start in UTC; default: now."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    candidate = f"{text}T00:00:00Z" if _DATE.fullmatch(text) else text
    try:
        return parse_datetimestamp(candidate, field="--at")
    except MicrocredError:
        raise ConfigError(
            f"--at {text!r} is not a date or a date-time with a time zone",
            hint="write it like 2026-05-01 or 2026-05-01T12:00:00Z",
        ) from None


Pinned = TypeVar("Pinned", PinnedDocument, StatusSnapshot)


def _pin_once(
    pinned: dict[str, Pinned], key: str, new: Pinned, option: str, what: str, one: str
) -> None:
    """``pinned[key] = new``, unless ``key`` is pinned already: which one counted would
    depend on the order of the options, so that is a usage error naming both."""
    if key in pinned:
        raise ConfigError(
            f"{option} {pinned[key].source} and {option} {new.source} are both {what} of "
            f"{key}; the verdict must not depend on which comes last",
            hint=f"give {one}",
        )
    pinned[key] = new


def verify_options(
    did_docs: tuple[Path, ...],
    status_lists: tuple[str, ...],
    trust_file: Path | None,
    recipient: str | None,
    strict: bool,
    jwk_files: tuple[Path, ...] = (),
    context_pairs: tuple[str, ...] = (),
) -> VerifyOptions:
    """Precedence: the trust file's pinned files, then --did-doc/--status-list, then a site's.

    A --did-doc file holding a JWK (or JWK Set) counts as --jwk: it pins a VC-JWT issuer key.
    """
    trust = None
    if trust_file is not None:
        from microcred.verify import load_trust_file  # only with --trust

        trust = load_trust_file(trust_file)
    docs: dict[str, PinnedDocument] = dict(trust.did_documents()) if trust else {}
    lists: dict[str, StatusSnapshot] = dict(trust.status_lists()) if trust else {}
    base = VerifyOptions(
        did_documents=docs, status_lists=lists, trust=trust, recipient=recipient, strict=strict
    )
    flag_docs: dict[str, PinnedDocument] = {}
    jwks = [pair for path in jwk_files for pair in load_jwks(path)]
    for path in did_docs:
        value = read_json_file(path, "DID document")
        if is_jwk_document(value):
            jwks += jwks_from(value, str(path))
            continue
        did, document = load_did_document(path)
        _pin_once(flag_docs, did, document, "--did-doc", "documents", "one document per DID")
    flag_lists: dict[str, StatusSnapshot] = {}
    for spec in status_lists:
        url, snapshot = load_status_list(spec)
        _pin_once(
            flag_lists,
            url,
            snapshot,
            "--status-list",
            "snapshots",
            "one snapshot per status list URL",
        )
    contexts = user_contexts(context_pairs)
    merged = base.merged(did_documents=flag_docs, status_lists=flag_lists)
    return replace(merged, jwks=tuple(jwks), contexts=contexts)


def json_lines(report: VerificationReport) -> tuple[str, list[str]]:
    """(verdict word, output lines) of one report; made in the verifying worker."""
    return verdict_word(report), [json.dumps(report.to_json(), ensure_ascii=True)]


def report_lines(report: VerificationReport) -> tuple[str, list[str]]:
    return verdict_word(report), human_lines(report)


def run_verify(
    paths: list[Path],
    *,
    as_json: bool,
    now: dt.datetime,
    options: VerifyOptions,
    jobs: int | None,
    say: Callable[[str], None],
    warn: Callable[[str], None],
) -> int:
    """Verify ``paths``; each report's lines through ``say``, the summary too (stderr's
    through ``warn``); the exit code."""
    counts = {"OK": 0, "FAIL": 0, "UNDECIDED": 0}  # no list of reports: a folder streams
    with stderr_progress("Verifying") as advance:
        found = verify_paths_rendered(
            paths,
            now=now,
            options=options,
            jobs=jobs,
            progress=advance,
            render=json_lines if as_json else report_lines,
        )
        for word, lines in found:
            counts[word] += 1
            if lines:
                say("\n".join(lines))
    total = sum(counts.values())
    if not total:
        warn("no credentials found in the paths given")
    elif not as_json:
        say(
            f"{total} credential(s): {counts['OK']} OK, {counts['FAIL']} FAIL, "
            f"{counts['UNDECIDED']} UNDECIDED"
        )
    may_end_now()  # every line is out and the workers are gone (the loop ran to its end)
    # exit_code's rule (DESIGN section 4) from the verdict words it agrees with.
    return 1 if counts["FAIL"] else 0 if total and total == counts["OK"] else 3
