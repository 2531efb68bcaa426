"""`microcred revoke CREDENTIAL [--suspend|--reinstate] [--reason TEXT] [--by NAME]`."""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path
from typing import cast

import click

from microcred.cli import Context
from microcred.cli._common import parse_now, passphrase_from_env
from microcred.errors import ConfigError
from microcred.publish import Action, change_status


def who_am_i(project: Path) -> str:
    """Who made the change, for the audit log: git's user.name, else the login name."""
    try:
        out = subprocess.run(
            ["git", "config", "user.name"],
            cwd=project if project.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        name = out.stdout.strip()
        if out.returncode == 0 and name:
            return name
    except (OSError, subprocess.SubprocessError):
        pass
    for variable in ("USER", "USERNAME", "LOGNAME"):
        if os.environ.get(variable, "").strip():
            return os.environ[variable].strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def register(main: click.Group) -> None:
    @main.command("revoke")
    @click.argument("credential")
    @click.option("--suspend", "action", flag_value="suspend", help="Suspend instead (reversible).")
    @click.option(
        "--reinstate",
        "action",
        flag_value="reinstate",
        help="Lift a suspension (a revocation cannot be lifted).",
    )
    @click.option("--reason", metavar="TEXT", help="Why, for the log (committed; may be shown).")
    @click.option("--by", "by", metavar="NAME", help="Who, for the log (default: git user.name).")
    @click.option("--now", "now_text", metavar="ISO", hidden=True)
    @click.pass_obj
    def revoke(
        obj: Context,
        credential: str,
        action: str | None,
        reason: str | None,
        by: str | None,
        now_text: str | None,
    ) -> None:
        """Revoke a credential (permanent), or suspend / reinstate it.

        CREDENTIAL is the credential's id (urn:uuid:…), its .json file or its record slug.
        The change and who/when/why go into status/<purpose>.json; the status list is
        re-signed. Rebuild and publish the site for verifiers to see it.
        """
        who = (by if by is not None else who_am_i(obj.project)).strip()
        if not who:
            raise ConfigError("--by must name who made the change")
        change = change_status(
            obj.project,
            credential,
            action=cast(Action, action or "revoke"),
            who=who,
            now=parse_now(now_text),
            reason=reason,
            passphrase=passphrase_from_env(),
        )
        label = change.credential_id + (f" ({change.slug})" if change.slug else "")
        done = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}
        if not change.changed:
            state = "not suspended" if change.action == "reinstate" else done[change.action]
            click.echo(f"{label} is already {state}; nothing changed")
            return
        click.echo(
            f"{done[change.action]} {label} at {change.when} by {change.who}"
            f" ({change.purpose} index {change.index}; logged in {change.state_file})"
        )
        for path in change.resigned:
            click.echo(f"re-signed {path}")
        if change.note:
            click.echo(f"note: {change.note}", err=True)
        click.echo("next: 'microcred build' and publish the site so verifiers see the change")
