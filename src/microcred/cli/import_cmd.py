"""`microcred import` (see ../shared/DESIGN.md section 4)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Not built yet: the command is added by the issue that delivers it."""
    del main
