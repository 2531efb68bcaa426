"""`microcred reset [--yes]`: clear what was issued under an identity that was never published."""

from __future__ import annotations

import sys

import click

from microcred.cli import Context
from microcred.cli._common import parse_now
from microcred.publish import apply_reset, plan_reset


def register(main: click.Group) -> None:
    @main.command("reset")
    @click.option("--yes", is_flag=True, help="Do it (without --yes, only say what it would do).")
    @click.pass_obj
    def reset(obj: Context, yes: bool) -> None:
        """After changing base_url or the issuer identity BEFORE publishing: remove the
        credentials and status lists issued under the old one (and set aside a did:web key
        of the old DID), so the next build issues afresh. Never use it on a published site:
        people may hold those credentials (revoke them instead)."""
        plan = plan_reset(obj.project)
        for path in plan.remove:
            click.echo(f"{'removing' if yes else 'would remove'} {path}")
        for path in plan.move_keys:
            click.echo(f"{'setting aside' if yes else 'would set aside'} {path} ({plan.reason})")
        if not yes:
            click.echo("nothing changed: run 'microcred reset --yes' to do it", err=True)
            sys.exit(1)
        moved = apply_reset(obj.project, plan, parse_now(None))
        if moved is not None:
            click.echo(f"old keys kept in {moved}; next: 'microcred keys new'")
        click.echo("next: 'microcred build' issues every credential again", err=True)
