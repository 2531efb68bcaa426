"""`microcred import` (DESIGN section 4): verify third-party credentials into the school's registry.

One line per source (``--json``: one object per source), then a summary. Sources that are not
credentials are listed as skipped with the reason. Exit 0 when the import completed (whatever
the verdicts), 1 on a usage, policy, trust or database error (nothing is imported then).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import cast

import click

from microcred.cli._common import progress_bar, verification_inputs
from microcred.cli._verify_run import parse_at
from microcred.errors import MicrocredError
from microcred.registry import (
    ImportRequest,
    Outcome,
    Policy,
    Registry,
    Window,
    import_sources,
    load_policy,
    load_trust_list,
)
from microcred.verify import (
    PinnedDocument,
    StatusSnapshot,
    VerifyOptions,
    load_did_document,
    load_jwks,
    load_status_list,
    printable,
    user_contexts,
)

_WORD = {"accepted": "ACCEPTED", "rejected": "REJECTED", "needs_review": "REVIEW"}


def default_by() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def verify_options(
    trust_file: Path | None,
    did_docs: tuple[Path, ...],
    status_lists: tuple[str, ...],
    recipient: str | None,
    jwk_files: tuple[Path, ...] = (),
    context_pairs: tuple[str, ...] = (),
) -> tuple[VerifyOptions, dict[str, Window]]:
    """Trust list (with its pinned files) first, then --did-doc / --status-list; --jwk and
    --context pin keys and contexts as in verify."""
    trust, windows = load_trust_list(trust_file) if trust_file else (None, {})
    docs: dict[str, PinnedDocument] = dict(trust.did_documents()) if trust else {}
    lists: dict[str, StatusSnapshot] = dict(trust.status_lists()) if trust else {}
    base = VerifyOptions(did_documents=docs, status_lists=lists, trust=trust, recipient=recipient)
    merged = base.merged(
        did_documents=dict(load_did_document(p) for p in did_docs),
        status_lists=dict(load_status_list(s) for s in status_lists),
    )
    jwks = tuple(pair for path in jwk_files for pair in load_jwks(path))
    return replace(merged, jwks=jwks, contexts=user_contexts(context_pairs)), windows


def _amount(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return f"{text} {printable(unit, 40)}" if unit else text


def human_lines(outcome: Outcome) -> list[str]:
    path = printable(outcome.path, None)
    if outcome.status == "skipped":
        return [f"SKIPPED   {path}: {printable(outcome.reasons[0], None)}"]
    ident = f"  ({printable(outcome.credential_id, None)})" if outcome.credential_id else ""
    if outcome.status == "already_imported":
        return [f"ALREADY   {path}{ident}: {printable(outcome.reasons[0], None)}"]
    word = _WORD.get(outcome.verdict or "", "?")
    credits = _amount(outcome.credits, outcome.credit_unit)
    lines = [f"{word:<9} {path}{ident}{'  ' + credits if credits else ''}"]
    lines += [f"    {printable(r, None)}" for r in outcome.reasons]
    return lines


def register(main: click.Group) -> None:
    from microcred.cli import registry_cmd

    registry_cmd.register(main)

    @main.command("import")
    @registry_cmd.registry_option
    @verification_inputs(
        trust_help="The school's trust list (verify's trust file; optional since/until per issuer)."
    )
    @click.option(
        "--policy",
        "policy_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Credit policy (TOML). Without it, credits are recorded as the issuer states them.",
    )
    @click.option("--learner", metavar="ID", help="The learner (id or e-mail the school knows).")
    @click.option("--term", metavar="TERM", help="The term the credits count for.")
    @click.option("--by", metavar="NAME", help="Who is importing (default: your user name).")
    @click.option("--dry-run", is_flag=True, help="Decide and report, but record nothing.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per source, per line.")
    @click.option("--workers", type=click.IntRange(min=1), help="Verification processes.")
    @click.argument(
        "sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
    )
    def import_(
        registry_url: str | None,
        did_docs: tuple[Path, ...],
        status_lists: tuple[str, ...],
        jwk_files: tuple[Path, ...],
        context_pairs: tuple[str, ...],
        trust_file: Path | None,
        at_text: str | None,
        policy_file: Path | None,
        learner: str | None,
        term: str | None,
        by: str | None,
        dry_run: bool,
        as_json: bool,
        workers: int | None,
        sources: tuple[Path, ...],
    ) -> None:
        """Verify credentials (files, baked images, folders, site folders) and record verdicts.

        Each credential is accepted, rejected (invalid, revoked, someone else's, policy) or
        needs_review (untrusted issuer, expired, status unknown offline, over a cap...).
        """
        now = parse_at(at_text)
        # Every file is checked before the registry is touched: on any problem nothing is imported.
        policy = load_policy(policy_file) if policy_file else Policy.default()
        learner = learner.strip() if learner and learner.strip() else None
        options, windows = verify_options(
            trust_file, did_docs, status_lists, learner, jwk_files, context_pairs
        )
        request = ImportRequest(
            paths=list(sources),
            policy=policy,
            now=now,
            options=options,
            windows=windows,
            learner=learner,
            term=term,
            by=by or default_by(),
            dry_run=dry_run,
            workers=workers,
            recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
        counts: Counter[str] = Counter()
        credits: dict[str, float] = {}
        with Registry.open(registry_url) as registry, progress_bar("importing") as update:
            for outcome in import_sources(
                registry, request, lambda n, item: update(n, cast(int, None), item)
            ):
                key = outcome.verdict if outcome.status == "added" else outcome.status
                counts[key or "skipped"] += 1
                if outcome.status == "added" and outcome.verdict == "accepted":
                    unit = outcome.credit_unit or "credits"
                    credits[unit] = credits.get(unit, 0.0) + (outcome.credits or 0.0)
                if as_json:
                    click.echo(json.dumps(outcome.to_json(), ensure_ascii=True))
                else:
                    for line in human_lines(outcome):
                        click.echo(line)
            shown = registry.shown
        if not as_json:
            total = sum(counts.values())
            parts = [
                f"{counts[k]} {k.replace('_', ' ')}"
                for k in ("accepted", "rejected", "needs_review", "already_imported", "skipped")
                if counts[k]
            ]
            earned = ", ".join(f"{v:g} {printable(u, 40)}" for u, v in sorted(credits.items()))
            click.echo(f"{total} source(s): {', '.join(parts) or 'nothing found'}")
            if earned:
                click.echo(f"credits accepted: {earned}")
            state = "dry run: nothing recorded" if dry_run else "recorded"
            click.echo(f"registry {shown}: {state}")
        if not counts:
            raise MicrocredError("no credentials found in the sources given")
