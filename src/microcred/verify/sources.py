"""Finding the credentials behind the paths a user gives ``verify``.

* a file named explicitly is always reported, even when it is not JSON (a failed ``parse``);
* ``.png`` / ``.svg`` files are unbaked (one ``openbadgecredential`` chunk / element);
* a directory is walked recursively (sorted, symlinks and dot-folders not followed); JSON that
  is not a verifiable credential (a search index, a DID document, a status list) and images
  without a credential are skipped;
* a folder holding ``microcred-site.json`` is a built microcred site: exactly the credentials
  its manifest lists are verified, with the site's own status lists and only those of its DID
  documents the folder is authoritative for (a did:web whose document URL lies under the
  manifest's ``base_url``, at the path the site serves it from) or whose sha256 the trust file
  pins. Everything else a folder ships is ignored, and the report says so; a file named inside
  a built site folder is verified with that folder's manifest under the same rules.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.strictjson import loads_strict
from microcred.layout import SITE_MANIFEST as SITE_MANIFEST
from microcred.layout import ManifestError, SiteManifest
from microcred.proof.didweb import did_web_to_url
from microcred.verify.checks.parse import MAX_BYTES
from microcred.verify.context import types_of
from microcred.verify.engine import check_credential
from microcred.verify.options import VerifyOptions
from microcred.verify.pinned import (
    PinnedDocument,
    StatusSnapshot,
    did_document_from,
    read_json_file,
    read_json_file_digest,
    status_snapshot_from,
)
from microcred.verify.report import PARSING_ERROR, Finding, VerificationReport

IMAGE_SUFFIXES = (".png", ".svg")
JWT_SUFFIXES = (".jwt", ".jws")
"""VC-JWT files (a compact JWS as text), as OB 3.0 names them."""
SCANNED_SUFFIXES = (".json", ".jsonld", *JWT_SUFFIXES, *IMAGE_SUFFIXES)
MAX_IMAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One credential to verify: its text (or why it could not be read) and any site options."""

    path: str
    raw: bytes | str | None
    read_error: Finding | None = None
    options: VerifyOptions | None = None
    note: str = ""
    """Where the verification's documents came from (a site folder's manifest), for the report."""


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
        from microcred.bake import BakeError, NotBakedError, unbake_png, unbake_svg  # images only

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
    credential must not vanish from the output); status lists are inputs, not results. A
    compact JWS (a VC-JWT, in a .jwt/.jws file) is reported too.
    """
    from microcred.proof.jwt import is_compact_jws  # folder walks only

    text = data.strip()
    # A compact JWS starts with base64url; JSON with a bracket (no decoding for those)
    if (text[:1].isalnum() or text[:1] in (b"_", b"-")) and is_compact_jws(
        text.decode("ascii", "replace")
    ):
        return True
    # The plain parser first (a sixth of the strict one's time): when its value is worth
    # reporting and the bytes name VerifiableCredential, the strict answer is yes too (parsed,
    # it is the same value; unparseable, the bytes decide). Anything else asks the strict one.
    if b"VerifiableCredential" in data:
        try:
            if _worth_reporting(json.loads(data)):  # noqa: TID251 (triage only, see above)
                return True
        except (ValueError, RecursionError):
            pass
    try:
        value = loads_strict(data, max_bytes=MAX_BYTES)
    except MicrocredError:
        return b"VerifiableCredential" in data
    return _worth_reporting(value)


def _worth_reporting(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    types = types_of(value.get("type"))
    if "BitstringStatusListCredential" in types or "StatusList2021Credential" in types:
        return False
    if "VerifiableCredential" in types:
        return True
    # A credential whose type was edited must not vanish from a folder walk: anything shaped
    # like one (a context and a proof or a credentialSubject) is reported and fails there.
    return "@context" in value and ("proof" in value or "credentialSubject" in value)


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


def authoritative(did: str, base_url: Any, rel: str) -> bool:
    """Is a site at ``base_url`` the place ``did``'s document is served from, at ``rel``?"""
    if not isinstance(base_url, str) or not base_url.startswith("https://"):
        return False
    if not base_url.endswith("/") or not did.startswith("did:web:"):
        return False
    try:
        url = did_web_to_url(did)
    except MicrocredError:
        return False
    return url.startswith(base_url) and url[len(base_url) :] == rel


def _site_documents(
    root: Path, shown: str, data: Mapping[str, Any], options: VerifyOptions
) -> tuple[dict[str, PinnedDocument], list[str], list[Source], dict[str, str]]:
    """(usable documents, notes on ignored ones, errors, DID -> copy the folder is not
    authoritative for) among a site's DID documents."""
    docs: dict[str, PinnedDocument] = {}
    notes: list[str] = []
    unused: dict[str, str] = {}
    errors: list[Source] = []
    manifest = f"{shown.rstrip('/')}/{SITE_MANIFEST}"
    base_url = data.get("base_url")
    trust = options.trust
    for did, rel in dict(data.get("did_documents", {})).items():
        path = _inside(root, rel)
        where = f"{shown.rstrip('/')}/{rel}"
        if path is None:
            errors.append(
                _error(manifest, f"did_documents[{did!r}]: {rel!r} is not a path inside the site")
            )
            continue
        try:
            value, digest = read_json_file_digest(path, "DID document")
            doc_did, pinned = did_document_from(value, where, digest)
        except ConfigError as exc:
            errors.append(_error(where, exc.message))
            continue
        pinned = replace(pinned, chosen=False)
        if doc_did != did:
            notes.append(f"{where} is not used: it is the document of {doc_did}, not {did}")
        elif authoritative(did, base_url, rel) or (
            trust is not None and trust.pinned_by_digest(did, pinned)
        ):
            docs[did] = pinned
        else:
            unused[did] = where
            notes.append(
                f"{where} is not used for {did}: a folder is evidence only for the did:web its "
                f"base_url {base_url!r} serves; pin this document (--did-doc, or "
                "did_document_sha256 in your trust file) if you trust it"
            )
    return docs, notes, errors, unused


def _site(root: Path, shown: str, options: VerifyOptions) -> Iterator[Source]:
    """Every credential a built site lists, with the site's own status lists and those of its
    DID documents it is authoritative for (or the trust file pins)."""
    site_options = yield from _site_options(root, shown, options)
    if site_options is None:
        return
    merged, note, listed = site_options
    for rel in listed:
        where = f"{shown.rstrip('/')}/{rel}"
        path = _inside(root, rel)
        if path is None:
            yield _error(where, "the manifest lists a path outside the site folder")
            continue
        source = _load(path, where, explicit=True)
        if source is not None:
            yield Source(source.path, source.raw, source.read_error, merged, note)


def _site_options(
    root: Path, shown: str, options: VerifyOptions
) -> Generator[Source, None, tuple[VerifyOptions, str, list[str]] | None]:
    """The options a site folder adds (yielding its errors), and the note saying so."""
    manifest = f"{shown.rstrip('/')}/{SITE_MANIFEST}"
    try:
        data = read_json_file(root / SITE_MANIFEST, "site manifest")
    except ConfigError as exc:
        yield _error(manifest, exc.message)
        return None
    try:
        listed = SiteManifest.from_json(data).credentials
    except ManifestError as exc:
        yield _error(manifest, f"not a usable microcred site manifest: {exc}")
        return None
    docs, notes, errors, unused = _site_documents(root, shown, data, options)
    yield from errors
    lists: dict[str, StatusSnapshot] = {}
    for url, rel in dict(data.get("status_lists", {})).items():
        path = _inside(root, rel)
        if path is None:
            yield _error(manifest, f"status_lists[{url!r}]: {rel!r} is not a path inside the site")
            continue
        try:
            value = read_json_file(path, "status list")
            # No fetched_at: freshness comes from the list's signed dates, never from built_at.
            key, snap = status_snapshot_from(value, f"{shown.rstrip('/')}/{rel}", url)
            lists[key] = snap
        except ConfigError as exc:
            yield _error(f"{shown.rstrip('/')}/{rel}", exc.message)
    note = f"documents from the site folder {shown} (its manifest {SITE_MANIFEST})"
    if notes:
        note += "; " + "; ".join(notes)
    merged = options.merged(did_documents=docs, status_lists=lists)
    merged = replace(merged, site_unused={**unused, **merged.site_unused})
    return merged, note, list(listed)


def _enclosing_site(path: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest folder above ``path`` holding a site manifest, if any (at most 8 levels).
    ``known``: the answer for each (resolved) folder already asked in this run: files named
    one by one from one folder (a shell glob names hundreds) look up the tree once."""
    try:
        folder = path.resolve().parent  # a link's target's folder: the site it lies in
    except OSError:
        return None
    if known is not None and folder in known:
        return known[folder]
    start, found = folder, None
    for _ in range(8):
        if (folder / SITE_MANIFEST).is_file():
            found = folder
            break
        if folder.parent == folder:
            break
        folder = folder.parent
    if known is not None:
        known[start] = found
    return found


_SiteOptions = tuple[VerifyOptions, str, list[str]] | None


def _explicit_file(
    path: Path,
    options: VerifyOptions,
    sites: dict[Path, _SiteOptions],
    folders: dict[Path, Path | None],
) -> Iterator[Source]:
    """A file named on the command line; inside a built site folder, with that site's
    documents (under the authority rules) and a note saying so. ``sites``: the site
    folders met so far in this run, each read (and its errors reported) once, so files of
    one site share one options object (one chunk, status lists checked once per worker);
    ``folders``: the site each folder met so far lies in."""
    shown = str(path)
    source = _load(path, shown, explicit=True)
    if source is None:
        return
    site = _enclosing_site(path, folders)
    if site is None or source.read_error is not None:
        yield source
        return
    if site in sites:
        site_options = sites[site]
    else:
        site_options = yield from _site_options(site, str(site), options)
        sites[site] = site_options
    if site_options is None:
        yield source
        return
    merged, note, _ = site_options
    yield Source(source.path, source.raw, None, merged, note)


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
    sites: dict[Path, _SiteOptions] = {}
    folders: dict[Path, Path | None] = {}
    for path in paths:
        shown = str(path)
        if path.is_dir():
            yield from _walk(path, shown, opts)
        elif path.exists():
            yield from _explicit_file(path, opts, sites, folders)
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
        yield with_source_note(check_source(source, now, opts, loader), source.note)


def check_source(
    source: Source,
    now: datetime,
    options: VerifyOptions,
    loader: OfflineLoader | None = None,
) -> VerificationReport:
    """One discovered source through the engine: its bytes (or why they could not be read),
    its path, and the options it brings (a site folder's pins) before the caller's."""
    return check_credential(
        source.raw if source.raw is not None else b"",
        now=now,
        options=source.options or options,
        path=source.path,
        read_error=source.read_error,
        loader=loader,
    )


def with_source_note(report: VerificationReport, note: str) -> VerificationReport:
    """The report with ``note`` (where its documents came from) on its ``parse`` check."""
    if not note:
        return report
    checks = tuple(
        replace(c, note="; ".join(x for x in (c.note, note) if x)) if c.id == "parse" else c
        for c in report.checks
    )
    return replace(report, checks=checks)
