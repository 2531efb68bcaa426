"""`microcred keys new|list|rotate|revoke|export`: the issuer's Ed25519 keys."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from microcred._util import format_timestamp
from microcred.cli import Context
from microcred.cli._common import parse_now, passphrase_from_env
from microcred.errors import ConfigError
from microcred.fsutil import atomic_write_text
from microcred.issue import read_index
from microcred.keyring import KeyRing
from microcred.layout import CONFIG_FILE, PRIVATE_DIR
from microcred.records import load_issuer_settings


def _passphrase(ask: bool) -> str | None:
    env = passphrase_from_env()
    if env:
        return env
    if ask:
        value: str = click.prompt(
            "Passphrase for the new key", hide_input=True, confirmation_prompt=True
        )
        return value
    return None


def _write_did_document(root: Path, ring: KeyRing) -> Path | None:
    doc = ring.did_document()
    if doc is None:
        return None
    target = root / PRIVATE_DIR / "did.json"
    atomic_write_text(target, json.dumps(doc, indent=2) + "\n")
    return target


def _signed_by(root: Path) -> dict[str, list[tuple[str, str]]]:
    """Key id -> [(record slug, proof created)] from the issue index."""
    out: dict[str, list[tuple[str, str]]] = {}
    for slug, entry in read_index(root).items():
        vm, issued = entry.get("verificationMethod"), entry.get("issued")
        if isinstance(vm, str) and isinstance(issued, str):
            out.setdefault(vm, []).append((slug, issued))
    return out


def _explain_revocation(root: Path, key_id: str, since: dt.datetime) -> None:
    cutoff = format_timestamp(since)
    signed = _signed_by(root).get(key_id, [])
    after = [slug for slug, issued in signed if issued >= cutoff]
    click.echo(
        f"revoked {key_id} from {cutoff}: {len(signed) - len(after)} badge(s) it signed before "
        f"then still verify; {len(after)} signed since then no longer do"
    )
    if after:
        click.echo("'microcred issue' (or build) re-signs those with the active key: same ids")


def register(main: click.Group) -> None:
    @main.group("keys")
    def keys() -> None:
        """Manage the issuer's signing keys (.microcred/keys/, mode 0600, never committed)."""

    @keys.command("new")
    @click.option(
        "--did-web", "kind", flag_value="did-web", help="Key for the did:web in microcred.toml."
    )
    @click.option(
        "--did-key", "kind", flag_value="did-key", help="Self-contained did:key identity."
    )
    @click.option(
        "--passphrase",
        "ask",
        is_flag=True,
        help="Encrypt the secret with a passphrase (or set MICROCRED_KEY_PASSPHRASE).",
    )
    @click.option("--now", "now_text", metavar="ISO", hidden=True)
    @click.pass_obj
    def new(obj: Context, kind: str | None, ask: bool, now_text: str | None) -> None:
        """Create the program's issuer key."""
        identity = load_issuer_settings(obj.project).identity
        if kind is not None and kind != identity.kind:
            raise ConfigError(
                f"microcred.toml says the identity is {identity.kind}, not {kind}",
                where=str(obj.project / CONFIG_FILE),
                hint=f'set [identity] kind = "{kind}" there first (and did = ... for did:web)',
            )
        ring = KeyRing(obj.project)
        entry = ring.new_key(identity, now=parse_now(now_text), passphrase=_passphrase(ask))
        click.echo(f"created {entry.id}")
        click.echo(f"secret key: {entry.file} (mode 0600; back it up; never commit it)")
        doc_path = _write_did_document(obj.project, ring)
        if doc_path is not None:
            click.echo(f"DID document: {doc_path} (the site publishes it at the did:web URL)")

    @keys.command("list")
    @click.pass_obj
    def list_(obj: Context) -> None:
        """Show every key: active, retired (still verifies old badges) or revoked."""
        entries = KeyRing(obj.project).entries()
        if not entries:
            click.echo("no keys yet: run 'microcred keys new'")
            return
        signed = _signed_by(obj.project)
        for e in entries:
            extra = ""
            if e.retired:
                extra += f" retired {e.retired}"
            if e.revoked:
                extra += f" revoked since {e.revoked}"
            lock = " (passphrase)" if e.encrypted else ""
            count = len(signed.get(e.id, []))
            click.echo(
                f"{e.status:8} {e.id}  created {e.created}{extra}{lock}; signed {count} "
                "credential(s)"
            )

    @keys.command("rotate")
    @click.option("--passphrase", "ask", is_flag=True, help="Encrypt the new secret.")
    @click.option(
        "--compromised-since",
        metavar="ISO",
        help="Also mark the old key revoked from this instant (badges it signed since then fail; "
        "'microcred issue' re-signs them with the new key).",
    )
    @click.option("--now", "now_text", metavar="ISO", hidden=True)
    @click.pass_obj
    def rotate(
        obj: Context, ask: bool, compromised_since: str | None, now_text: str | None
    ) -> None:
        """Retire the active key (it stays in the DID document) and create a new one."""
        identity = load_issuer_settings(obj.project).identity
        ring = KeyRing(obj.project)
        old = ring.active()
        since = parse_now(compromised_since, "--compromised-since") if compromised_since else None
        entry = ring.rotate(
            identity, now=parse_now(now_text), passphrase=_passphrase(ask), compromised_since=since
        )
        _write_did_document(obj.project, ring)
        click.echo(f"new active key {entry.id}")
        if since is None:
            click.echo(f"retired {old.id}: still published, so every badge it signed verifies")
        else:
            _explain_revocation(obj.project, old.id, since)
        click.echo("next: 'microcred build' and publish the site (it carries the DID document)")

    @keys.command("revoke")
    @click.argument("key_id")
    @click.option(
        "--since",
        metavar="ISO",
        required=True,
        help="When the key was compromised: badges it signed after this fail.",
    )
    @click.pass_obj
    def revoke(obj: Context, key_id: str, since: str) -> None:
        """Mark a retired key as compromised from --since on."""
        ring = KeyRing(obj.project)
        entry = ring.revoke(key_id, since=parse_now(since, "--since"))
        _write_did_document(obj.project, ring)
        assert entry.revoked is not None
        _explain_revocation(obj.project, entry.id, parse_now(entry.revoked, "--since"))
        click.echo("next: 'microcred build' and publish the site (it carries the DID document)")

    @keys.command("export")
    @click.option("--secret", is_flag=True, help="Include the secret key (for CI secrets).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
    @click.pass_obj
    def export(obj: Context, secret: bool, output: Path | None) -> None:
        """Print the active key as a KEYFILE (public by default)."""
        ring = KeyRing(obj.project)
        if secret:
            pair = ring.load_active_secret(passphrase=passphrase_from_env())
            data = pair.to_secret_json()
        else:
            entry = ring.active()
            data = {
                "publicKeyMultibase": entry.public_key_multibase,
                "controller": entry.controller,
                "id": entry.id,
            }
        text = json.dumps(data, indent=2) + "\n"
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(output, text, mode=0o600 if secret else 0o644)
