"""`microcred bake CRED.json IMAGE -o OUT` / `microcred unbake IMAGE [-o OUT.json]`."""

from __future__ import annotations

from pathlib import Path

import click

from microcred.bake import bake_file, unbake_file
from microcred.errors import ConfigError
from microcred.fsutil import atomic_write_bytes


def register(main: click.Group) -> None:
    @main.command("bake")
    @click.argument("credential", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
    @click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="The baked image to write (.png or .svg, like IMAGE).",
    )
    def bake(credential: Path, image: Path, out: Path) -> None:
        """Put an Open Badges 3.0 credential into a PNG or SVG badge image."""
        if out.exists() and out.resolve() == image.resolve():
            raise ConfigError("-o must not be the input image", hint="write to a new file")
        atomic_write_bytes(out, bake_file(credential, image))
        click.echo(f"baked {credential} into {out}")

    @main.command("unbake")
    @click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
    @click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the credential JSON here (default: standard output).",
    )
    def unbake(image: Path, out: Path | None) -> None:
        """Take the Open Badges 3.0 credential out of a baked PNG or SVG image."""
        text = unbake_file(image)
        if out is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            atomic_write_bytes(out, text.encode("utf-8"))
            click.echo(f"wrote {out}", err=True)
