"""`microcred registry transcript`: the school's CLR 2.0 transcript of a learner's recognised
credentials, signed by the school (docs/transcript.md).

    registry transcript --learner ID [--term T] --key KEYFILE [--policy FILE]
                        [--out FILE] [--html FILE] [--trust FILE] [--did-doc FILE]...
                        [--status-list [URL=]FILE]... [--by NAME] [--at ISO] [--json]
    registry transcript --revoke ID --key KEYFILE [--policy FILE] [--reason TEXT]
    registry transcript --list [--learner ID]

Without ``--out`` the signed transcript goes to stdout and every message to stderr.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from microcred.cli._common import parse_now, passphrase_from_env, verification_inputs
from microcred.cli.registry_cmd import open_registry, registry_group, registry_option
from microcred.errors import ConfigError
from microcred.fsutil import atomic_write_bytes, atomic_write_text
from microcred.proof import load_keyfile_path
from microcred.registry import (
    SchoolConfig,
    Transcript,
    issue_transcript,
    load_school,
    revoke_transcript,
)
from microcred.verify import printable

DEFAULT_POLICY = Path("policy.toml")


def school_config(policy: Path | None) -> SchoolConfig:
    """The ``[school]`` section of ``--policy`` (or ./policy.toml when present)."""
    if policy is None and DEFAULT_POLICY.is_file():
        policy = DEFAULT_POLICY
    if policy is None:
        return SchoolConfig.unconfigured(Path.cwd(), "(no policy file)", "no --policy given")
    return load_school(policy)


def _totals(transcript: Transcript) -> str:
    sums: dict[str, Decimal] = {}
    for item in transcript.included:
        rec = item.recognition
        if rec.credits is not None:
            unit = rec.unit or "credits"
            sums[unit] = sums.get(unit, Decimal(0)) + rec.credits
    return ", ".join(f"{format(v.normalize(), 'f')} {u}" for u, v in sums.items()) or "no credits"


def _summary(t: Transcript, out: Path | None, html: Path | None) -> dict[str, object]:
    return {
        "id": t.id,
        "row": t.row,
        "learner": t.learner,
        "term": t.term,
        "sha256": t.sha256,
        "issuer": t.signed["issuer"]["id"],
        "credentials": [i.recognition.credential_id for i in t.included],
        "credits": _totals(t),
        "left_out": [
            {"row": x.row, "credential_id": x.credential_id, "reason": x.reason} for x in t.left_out
        ],
        "out": str(out) if out else None,
        "html": str(html) if html else None,
        "status_list": str(t.status_list) if t.status_list else None,
    }


def _report(t: Transcript, config: SchoolConfig, out: Path | None, html: Path | None) -> None:
    def echo(text: str) -> None:
        click.echo(text, err=True)  # messages go to stderr; stdout may carry the transcript

    count = len(t.included)
    echo(
        f"transcript {t.id} for {printable(t.learner, 80)} (registry transcript {t.row}): "
        f"{count} credential(s), {_totals(t)}; signed by {t.signed['issuer']['id']}"
    )
    for item in t.included:
        echo(f"  INCLUDED  row {item.row}: {printable(item.line, None)}")
    for left in t.left_out:
        what = printable(left.credential_id or "?", 120)
        echo(f"  LEFT OUT  row {left.row} ({what}): {printable(left.reason, None)}")
    if t.left_out:
        echo(
            "  these no longer verify: run `microcred registry reverify` (with fresh status "
            "lists) so the registry records it"
        )
    if out:
        echo(f"  wrote {out} (sha256 {t.sha256})")
    if html:
        echo(f"  wrote {html}")
    file = str(out) if out else "TRANSCRIPT.json"
    web = str(t.signed["issuer"]["id"]).startswith("did:web:")
    flags = "--did-doc SCHOOL-DID.json " if web else ""
    if t.status_list and config.status_list:
        echo(f"  status list: publish {t.status_list} at {config.status_list}")
        flags += f"--status-list {config.status_list}={t.status_list} "
    echo(f"  check: microcred verify {flags}{file}  (add the issuers' status lists, if any)")
    for warning in config.warnings:
        echo(f"  note: {warning}")


def _list(registry_url: str | None, learner: str | None, as_json: bool) -> None:
    with open_registry(registry_url) as registry:
        items = registry.transcripts(learner)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=True))
        return
    if not items:
        click.echo("no transcript issued" + (f" for {learner}" if learner else ""))
    for item in items:
        click.echo(
            f"{item['id']:>5}  {item['status']:<8} {item['issued_at']}  "
            f"{printable(item['learner'], 40)}  {item['credential_id']}  sha256 {item['sha256']}"
            f"  by {printable(item['issued_by'] or '-', 40)}"
        )


def register(main: click.Group) -> None:
    del main  # the command belongs to the registry group

    @registry_group.command("transcript")
    @registry_option
    @click.option("--learner", metavar="ID", help="The learner (as the registry knows them).")
    @click.option("--term", metavar="TERM", help="Only this term (the transcript is partial).")
    @click.option(
        "--key",
        "key_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="KEYFILE",
        help="The school's signing key file (MICROCRED_KEY_PASSPHRASE if encrypted).",
    )
    @click.option(
        "--policy",
        "policy_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar="MICROCRED_POLICY",
        metavar="FILE",
        help="Policy file with the [school] section (default ./policy.toml when present).",
    )
    @click.option(
        "-o",
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Write the signed transcript here (default: stdout).",
    )
    @click.option(
        "--html",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Also write a one-page HTML transcript for people (printable).",
    )
    @verification_inputs(
        trust_help="Trust list for re-verifying (its pinned DID documents and status lists).",
        at_help="Issue as of this time (default: now).",
    )
    @click.option("--by", metavar="NAME", help="Who issues (recorded; default: your user name).")
    @click.option("--revoke", "revoke_ref", metavar="ID", help="Revoke a transcript (row or id).")
    @click.option("--reason", metavar="TEXT", help="Why (with --revoke; kept in the status log).")
    @click.option("--list", "list_only", is_flag=True, help="List the transcripts issued.")
    @click.option("--json", "as_json", is_flag=True, help="A JSON summary on stdout.")
    def transcript(
        registry_url: str | None,
        learner: str | None,
        term: str | None,
        key_file: Path | None,
        policy_file: Path | None,
        out: Path | None,
        html: Path | None,
        did_docs: tuple[Path, ...],
        status_lists: tuple[str, ...],
        jwk_files: tuple[Path, ...],
        context_pairs: tuple[str, ...],
        trust_file: Path | None,
        at_text: str | None,
        by: str | None,
        revoke_ref: str | None,
        reason: str | None,
        list_only: bool,
        as_json: bool,
    ) -> None:
        """A CLR 2.0 transcript of the learner's accepted credentials, signed by the school."""
        from microcred.cli.import_cmd import default_by, verify_options

        if list_only:
            _list(registry_url, learner, as_json)
            return
        if key_file is None:
            raise click.UsageError("--key KEYFILE (the school's signing key) is required")
        now = parse_now(at_text, "--at")
        config = school_config(policy_file)
        key = load_keyfile_path(key_file, passphrase_from_env())
        who = by or default_by() or "unknown"
        if revoke_ref is not None:
            with open_registry(registry_url) as registry:
                entry, path = revoke_transcript(
                    registry, config, key, revoke_ref, now=now, by=who, reason=reason
                )
            if as_json:
                click.echo(json.dumps({**entry, "status_list": str(path)}, ensure_ascii=True))
            else:
                click.echo(
                    f"transcript {entry['id']} ({entry['credential_id']}) revoked; publish "
                    f"{path} at {config.status_list}"
                )
            return
        if not learner:
            raise click.UsageError("--learner ID is required (or use --revoke / --list)")
        if as_json and out is None:
            raise click.UsageError("--json prints a summary: write the transcript with --out FILE")
        if out is not None and html is not None and out.resolve() == html.resolve():
            raise ConfigError("--out and --html name the same file")
        for target in (out, html):  # checked before anything is signed or recorded
            if target is not None and not target.resolve().parent.is_dir():
                raise ConfigError(
                    f"cannot write {target}: folder {target.resolve().parent} does not exist",
                    hint="create it first; no transcript was issued",
                )
        options, _ = verify_options(
            trust_file, did_docs, status_lists, None, jwk_files, context_pairs
        )
        with open_registry(registry_url) as registry:
            done = issue_transcript(
                registry, config, key, learner=learner, term=term, now=now, options=options, by=who
            )
        if out is not None:
            atomic_write_bytes(out, done.content)
        else:
            sys.stdout.buffer.write(done.content)
            sys.stdout.flush()
        if html is not None:
            from microcred.site import render_transcript_html

            lines = {i.recognition.sha256: i.line for i in done.included}
            page = render_transcript_html(
                done.signed,
                lines=lines,
                verify_page=config.verify_page,
                file_name=out.name if out else "transcript.json",
                content=done.content,
            )
            atomic_write_text(html, page)
        if as_json:
            click.echo(json.dumps(_summary(done, out, html), ensure_ascii=True))
        else:
            _report(done, config, out, html)
