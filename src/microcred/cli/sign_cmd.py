"""`microcred sign`: sign any VC 2.0 JSON-LD credential with a key file."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from microcred.cli._common import parse_now, passphrase_from_env
from microcred.cli._ending import may_end_now
from microcred.cli._parallel import ordered_map
from microcred.cli._progress import stderr_progress
from microcred.errors import ConfigError, MicrocredError
from microcred.fsutil import atomic_write_batch
from microcred.issue import sign_document
from microcred.jsonld import OfflineLoader, loader_with_contexts, loads_strict
from microcred.jsonld import reference_json as reference_json
from microcred.proof import load_keyfile_path

SUITE_CHOICES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


def _read(source: str) -> tuple[str, Any]:
    if source == "-":
        data = sys.stdin.buffer.read()
        return "<stdin>", loads_strict(data)
    path = Path(source)
    if not path.is_file():
        raise ConfigError("no such file", where=source, hint="check the path")
    return source, loads_strict(path.read_bytes())


def extra_context_loader(pairs: tuple[str, ...], folder: Path | None) -> OfflineLoader | None:
    """``--context URL=FILE`` pairs and ``--contexts-dir`` (or ``MICROCRED_CONTEXTS_DIR``)."""
    if folder is None and os.environ.get("MICROCRED_CONTEXTS_DIR"):
        folder = Path(os.environ["MICROCRED_CONTEXTS_DIR"])
    files: dict[str, Path] = {}
    for pair in pairs:
        url, sep, file = pair.partition("=")
        if not sep or not url.startswith(("https://", "http://")) or not file:
            raise click.UsageError(f"--context {pair!r}: write it as URL=FILE")
        files[url] = Path(file)
    return loader_with_contexts(files, folder)


def register(main: click.Group) -> None:
    @main.command("sign")
    @click.option(
        "--key",
        "keyfile",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="KEYFILE: {publicKeyMultibase, secretKeyMultibase, controller, id}.",
    )
    @click.option(
        "--suite",
        type=click.Choice(SUITE_CHOICES),
        multiple=True,
        help="Cryptosuite (repeat for a proof set). Default: eddsa-rdfc-2022.",
    )
    @click.option("--created", metavar="ISO", help="Proof creation time (default: now).")
    @click.option(
        "--out-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Write each signed FILE here (required for several files).",
    )
    @click.option(
        "--proof-array",
        is_flag=True,
        help="Always emit `proof` as an array (default: as the reference implementation "
        "does, an object for a single proof).",
    )
    @click.option(
        "--context",
        "contexts",
        multiple=True,
        metavar="URL=FILE",
        help="Pin an extra JSON-LD context from a local file (never fetched).",
    )
    @click.option(
        "--contexts-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder with a contexts.json map (URL -> file) of extra local contexts.",
    )
    @click.option(
        "--jobs",
        type=click.IntRange(min=1),
        metavar="N",
        help="Worker processes for many files (default: every core).",
    )
    @click.argument("files", nargs=-1)
    def sign(
        keyfile: Path,
        suite: tuple[str, ...],
        created: str | None,
        out_dir: Path | None,
        proof_array: bool,
        contexts: tuple[str, ...],
        contexts_dir: Path | None,
        jobs: int | None,
        files: tuple[str, ...],
    ) -> None:
        """Sign FILE(s) (or '-' for stdin; a FOLDER: every .json file directly in it, for
        batches too large for a command line). One input goes to stdout unless --out-dir is
        given."""
        sources = _expand_folders(files, out_dir) or ["-"]
        if (len(sources) > 1 or len(sources) < len(files)) and out_dir is None:
            raise click.UsageError("several files need --out-dir DIR")
        if "-" in sources and len(sources) > 1:
            raise click.UsageError("'-' (stdin) cannot be combined with other files")
        key = load_keyfile_path(keyfile, passphrase_from_env())
        if key.secret_seed is None:
            raise ConfigError(
                "this key file has no secret key",
                where=str(keyfile),
                hint="sign with the issuer's secret key file",
            )
        when = parse_now(created, "--created")
        suites = suite or ("eddsa-rdfc-2022",)
        loader = extra_context_loader(contexts, contexts_dir)
        _BATCH.clear()
        _BATCH.update(
            key=key, when=when, suites=suites, loader=loader, proof_array=proof_array, out=out_dir
        )
        bar = stderr_progress("Signing", len(sources), stdout_free=out_dir is not None)
        try:
            with bar if len(sources) > 1 else nullcontext() as advance:
                outcomes = ordered_map(_sign_chunk, sources, jobs=jobs, warm=_sign_one)
                for outcome in outcomes:
                    for line in outcome.notes:
                        click.echo(f"note: {line}", err=True)
                    if outcome.error is not None:
                        raise MicrocredError(outcome.error[0], code=outcome.error[1])
                    if outcome.text is not None:
                        click.echo(outcome.text, nl=False)
                    elif advance is None:  # with a bar on the terminal, no line per file
                        click.echo(outcome.done, err=True)
                    if advance is not None:
                        advance(1)
            may_end_now()  # every file is written and the workers are gone
        finally:
            _BATCH.clear()


def _expand_folders(args: tuple[str, ...], out_dir: Path | None) -> list[str]:
    """Each folder argument as the .json files directly in it, in name order."""
    sources: list[str] = []
    for arg in args:
        folder = Path(arg)
        if arg == "-" or not folder.is_dir():
            sources.append(arg)
            continue
        if out_dir is None:
            raise click.UsageError(f"signing the folder {arg} needs --out-dir DIR")
        if out_dir.resolve() == folder.resolve():
            raise click.UsageError(
                f"--out-dir {out_dir} is the folder being signed: the signed files would "
                "replace the unsigned ones; choose another folder"
            )
        sources += sorted(str(p) for p in folder.iterdir() if p.suffix == ".json" and p.is_file())
    return sources


@dataclass
class _Outcome:
    notes: list[str]
    text: str | None = None
    done: str = ""
    error: tuple[str, str] | None = None  # (diagnostics, code): plain data crosses processes
    write: tuple[Path, dict[str, Any]] | None = None


_BATCH: dict[str, Any] = {}
"""What every file of one ``sign`` run shares; set before workers fork, so they inherit it."""


def _sign_one(source: str) -> _Outcome:
    batch = _BATCH
    notes: list[str] = []
    try:
        where, document = _read(source)
        if not isinstance(document, dict):
            raise ConfigError("a credential must be a JSON object", where=where)
        had_proofs = "proof" in document
        signed = sign_document(
            document,
            batch["key"],
            created=batch["when"],
            suites=batch["suites"],
            loader=batch["loader"],
            warn=notes.append,
        )
        proofs = signed.get("proof")
        single = not had_proofs and isinstance(proofs, list) and len(proofs) == 1
        if single and not batch["proof_array"]:
            signed["proof"] = signed["proof"][0]
        out_dir: Path | None = batch["out"]
        if out_dir is None:
            return _Outcome(notes, text=reference_json(signed))
        name = "stdin.json" if source == "-" else Path(source).name
        target = out_dir / name
        return _Outcome(notes, done=f"signed {where} -> {target}", write=(target, signed))
    except MicrocredError as exc:
        # Relayed as its text: the parent stops at the first failing file, in input order.
        if exc.where is None:
            exc.where = "<stdin>" if source == "-" else source
        return _Outcome(notes, error=(exc.diagnostics(), exc.code))


def _sign_chunk(sources: list[str]) -> list[_Outcome]:
    """Sign up to the first failure (as one process would), then write the chunk's files
    with one flush (fsutil.atomic_write_batch)."""
    outcomes: list[_Outcome] = []
    for source in sources:
        outcomes.append(_sign_one(source))
        if outcomes[-1].error is not None:
            break
    files = [(o.write[0], reference_json(o.write[1]).encode()) for o in outcomes if o.write]
    try:
        atomic_write_batch(files)
    except OSError as exc:  # reported like the group reports it, for the first file here
        where = f"{exc.filename}: " if exc.filename else ""
        first = next(i for i, o in enumerate(outcomes) if o.write)
        outcomes = [*outcomes[:first], _Outcome([], error=(f"{where}{exc.strerror}", "OSError"))]
    for outcome in outcomes:
        outcome.write = None  # written; nothing big goes back to the parent
    return outcomes
