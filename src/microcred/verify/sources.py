"""Finding the credentials behind the paths a user gives ``verify``.

* a file named explicitly is always reported, even when it is not JSON (a failed ``parse``);
* ``.png`` / ``.svg`` files are unbaked (one ``openbadgecredential`` chunk / element);
* a directory is walked recursively (sorted, symlinks and dot-folders not followed); JSON that
  is not a verifiable credential (a search index, a DID document, a status list) and images
  without a credential are skipped;
* a folder holding ``microcred-site.json`` is a built microcred site: exactly the credentials
  its manifest lists are verified, with the site's own DID documents and status lists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from microcred.bake import BakeError, NotBakedError, unbake_png, unbake_svg
from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.strictjson import loads_strict
from microcred.verify.checks.parse import MAX_BYTES
from microcred.verify.context import types_of
from microcred.verify.engine import check_credential
from microcred.verify.options import VerifyOptions
from microcred.verify.pinned import (
    PinnedDocument,
    StatusSnapshot,
    read_json_file,
    status_snapshot_from,
)
from microcred.verify.report import PARSING_ERROR, Finding, VerificationReport

SITE_MANIFEST = "microcred-site.json"
SITE_VERSION = 1
IMAGE_SUFFIXES = (".png", ".svg")
SCANNED_SUFFIXES = (".json", ".jsonld", *IMAGE_SUFFIXES)
MAX_IMAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One credential to verify: its text (or why it could not be read) and any site options."""

    path: str
    raw: bytes | str | None
    read_error: Finding | None = None
    options: VerifyOptions | None = None


def _error(path: str, detail: str, code: str = PARSING_ERROR) -> Source:
    return Source(path, None, Finding(code, detail))


def _read(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ConfigError(f"the file is larger than {limit} bytes; refusing to read it")
    return data


def _load(path: Path, shown: str, *, explicit: bool) -> Source | None:
    """The credential text in ``path``; None (skip) for non-credentials found by a walk."""
    suffix = path.suffix.lower()
    try:
        data = _read(path, MAX_IMAGE_BYTES if suffix in IMAGE_SUFFIXES else MAX_BYTES)
    except ConfigError as exc:
        return _error(shown, exc.message)
    except OSError as exc:
        return _error(shown, f"cannot read the file: {exc.strerror or exc}")
    if suffix in IMAGE_SUFFIXES:
        try:
            text = unbake_png(data) if suffix == ".png" else unbake_svg(data)
        except NotBakedError as exc:
            return _error(shown, exc.diagnostics()) if explicit else None
        except BakeError as exc:
            return _error(shown, exc.diagnostics(), exc.code)
        return Source(shown, text.encode("utf-8", "surrogatepass"))
    if explicit or _maybe_credential(data):
        return Source(shown, data)
    return None


def _maybe_credential(data: bytes) -> bool:
    """Is a JSON file found by a directory walk a credential worth reporting?

    Unparseable files that mention ``VerifiableCredential`` are reported (a damaged or hostile
    credential must not vanish from the output); status lists are inputs, not results.
    """
    try:
        value = loads_strict(data, max_bytes=MAX_BYTES)
    except MicrocredError:
        return b"VerifiableCredential" in data
    if not isinstance(value, Mapping):
        return False
    types = types_of(value.get("type"))
    return "VerifiableCredential" in types and "BitstringStatusListCredential" not in types


def _inside(root: Path, rel: Any) -> Path | None:
    """``root / rel`` if ``rel`` is a relative path that stays inside ``root``, else None."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return None
    candidate = Path(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        return None
    full = root / candidate
    try:
        full.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    return full


def _manifest_problem(data: Any) -> str | None:
    if not isinstance(data, Mapping):
        return "must be a JSON object"
    if data.get("microcred_site") != SITE_VERSION:
        return f"microcred_site must be {SITE_VERSION}"
    credentials = data.get("credentials")
    if not isinstance(credentials, list) or not all(isinstance(c, str) for c in credentials):
        return "credentials must be an array of relative paths"
    for key in ("did_documents", "status_lists"):
        value = data.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            return f"{key} must map identifiers to relative paths"
    if "built_at" in data and not isinstance(data["built_at"], str):
        return "built_at must be a date-time string"
    return None


def _site(root: Path, shown: str, options: VerifyOptions) -> Iterator[Source]:
    """Every credential a built site lists, with the site's own DID documents and lists."""
    manifest = f"{shown.rstrip('/')}/{SITE_MANIFEST}"
    try:
        data = read_json_file(root / SITE_MANIFEST, "site manifest")
    except ConfigError as exc:
        yield _error(manifest, exc.message)
        return
    problem = _manifest_problem(data)
    if problem:
        yield _error(manifest, f"not a usable microcred site manifest: {problem}")
        return
    built_at = data.get("built_at")
    docs: dict[str, PinnedDocument] = {}
    lists: dict[str, StatusSnapshot] = {}
    for did, rel in dict(data.get("did_documents", {})).items():
        path = _inside(root, rel)
        if path is None:
            yield _error(manifest, f"did_documents[{did!r}]: {rel!r} is not a path inside the site")
            continue
        try:
            docs[did] = PinnedDocument(
                read_json_file(path, "DID document"), f"{shown.rstrip('/')}/{rel}"
            )
        except ConfigError as exc:
            yield _error(f"{shown.rstrip('/')}/{rel}", exc.message)
    for url, rel in dict(data.get("status_lists", {})).items():
        path = _inside(root, rel)
        if path is None:
            yield _error(manifest, f"status_lists[{url!r}]: {rel!r} is not a path inside the site")
            continue
        try:
            value = read_json_file(path, "status list")
            key, snap = status_snapshot_from(value, f"{shown.rstrip('/')}/{rel}", url, built_at)
            lists[key] = snap
        except ConfigError as exc:
            yield _error(f"{shown.rstrip('/')}/{rel}", exc.message)
    site_options = options.merged(did_documents=docs, status_lists=lists)
    for rel in data["credentials"]:
        where = f"{shown.rstrip('/')}/{rel}"
        path = _inside(root, rel)
        if path is None:
            yield _error(where, "the manifest lists a path outside the site folder")
            continue
        source = _load(path, where, explicit=True)
        if source is not None:
            yield Source(source.path, source.raw, source.read_error, site_options)


def _walk(root: Path, shown: str, options: VerifyOptions) -> Iterator[Source]:
    if (root / SITE_MANIFEST).is_file():
        yield from _site(root, shown, options)
        return
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        yield _error(shown, f"cannot list the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        child = Path(entry.path)
        child_shown = str(Path(shown) / entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(child, child_shown, options)
        elif entry.is_file(follow_symlinks=False) and child.suffix.lower() in SCANNED_SUFFIXES:
            source = _load(child, child_shown, explicit=False)
            if source is not None:
                yield source


def discover(paths: Iterable[Path], options: VerifyOptions | None = None) -> Iterator[Source]:
    """Every credential under ``paths``, in order (explicit files always, folders recursively)."""
    opts = options or VerifyOptions()
    for path in paths:
        shown = str(path)
        if path.is_dir():
            yield from _walk(path, shown, opts)
        elif path.exists():
            source = _load(path, shown, explicit=True)
            if source is not None:
                yield source
        else:
            yield _error(shown, "no such file or folder")


def verify_paths(
    paths: Iterable[Path],
    *,
    now: datetime,
    options: VerifyOptions | None = None,
    loader: OfflineLoader | None = None,
) -> Iterator[VerificationReport]:
    """One report per credential found under ``paths`` (see the module docstring)."""
    opts = options or VerifyOptions()
    for source in discover(paths, opts):
        yield check_credential(
            source.raw if source.raw is not None else b"",
            now=now,
            options=source.options or opts,
            path=source.path,
            read_error=source.read_error,
            loader=loader,
        )
