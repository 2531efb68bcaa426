"""`microcred sign`: sign any VC 2.0 JSON-LD credential with a key file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from microcred.cli._common import parse_now, passphrase_from_env
from microcred.errors import ConfigError
from microcred.fsutil import atomic_write_text
from microcred.issue import dump_json, sign_document
from microcred.jsonld import loads_strict
from microcred.proof.keystore import load_keyfile_path

SUITE_CHOICES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


def _read(source: str) -> tuple[str, Any]:
    if source == "-":
        data = sys.stdin.buffer.read()
        return "<stdin>", loads_strict(data)
    path = Path(source)
    if not path.is_file():
        raise ConfigError("no such file", where=source, hint="check the path")
    return source, loads_strict(path.read_bytes())


def register(main: click.Group) -> None:
    @main.command("sign")
    @click.option("--key", "keyfile", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="KEYFILE: {publicKeyMultibase, secretKeyMultibase, controller, id}.")
    @click.option("--suite", type=click.Choice(SUITE_CHOICES), multiple=True,
                  help="Cryptosuite (repeat for a proof set). Default: eddsa-rdfc-2022.")
    @click.option("--created", metavar="ISO", help="Proof creation time (default: now).")
    @click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Write each signed FILE here (required for several files).")
    @click.option("--proof-array", is_flag=True,
                  help="Always emit `proof` as an array (default: as the reference implementation "
                  "does, an object for a single proof).")
    @click.argument("files", nargs=-1)
    def sign(keyfile: Path, suite: tuple[str, ...], created: str | None, out_dir: Path | None,
             proof_array: bool, files: tuple[str, ...]) -> None:
        """Sign FILE(s) (or '-' for stdin). One input goes to stdout unless --out-dir is given."""
        sources = list(files) or ["-"]
        if len(sources) > 1 and out_dir is None:
            raise click.UsageError("several files need --out-dir DIR")
        if "-" in sources and len(sources) > 1:
            raise click.UsageError("'-' (stdin) cannot be combined with other files")
        key = load_keyfile_path(keyfile, passphrase_from_env())
        if key.secret_seed is None:
            raise ConfigError("this key file has no secret key", where=str(keyfile),
                              hint="sign with the issuer's secret key file")
        when = parse_now(created, "--created")
        suites = suite or ("eddsa-rdfc-2022",)
        for source in sources:
            where, document = _read(source)
            if not isinstance(document, dict):
                raise ConfigError("a credential must be a JSON object", where=where)
            had_proofs = "proof" in document
            signed = sign_document(document, key, created=when, suites=suites)
            proofs = signed.get("proof")
            if (not proof_array and not had_proofs and isinstance(proofs, list)
                    and len(proofs) == 1):
                signed["proof"] = proofs[0]
            if out_dir is None:
                click.echo(dump_json(signed), nl=False)
            else:
                name = "stdin.json" if source == "-" else Path(source).name
                atomic_write_text(out_dir / name, dump_json(signed))
                click.echo(f"signed {where} -> {out_dir / name}", err=True)
