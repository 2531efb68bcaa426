"""``endorsements/*.md``: who endorses what, read with the same located errors as records.

Each file's front matter names the endorser (``name``, ``kind``, optional ``url``,
``description``, and their own ``did`` + ``key_file``), what they endorse (``credential``:
a record's slug, ``achievement``: a brief's slug, or ``issuer: true``) and the ``date``;
the Markdown body is the comment. Problems come back as ``path:line: $.path: message``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from microcred.errors import Problem, ProblemsError
from microcred.layout import ENDORSEMENTS_DIR
from microcred.model import SLUG_RE, ModelError
from microcred.model.endorsements import Endorsement, Endorser
from microcred.records.frontmatter import SourceProblem, parse_front_matter, read_text
from microcred.records.paths import Path_, format_path
from microcred.records.schema import parse_date, suggest, validate
from microcred.records.yamlsafe import Located


def _problem(rel: str, located: Located, path: Path_, message: str) -> Problem:
    return Problem(rel, located.line_of(path), format_path(path), message)


def _build(
    stem: str, rel: str, located: Located, body: str
) -> tuple[Endorsement | None, list[Problem]]:
    data: dict[str, Any] = located.data
    problems = [_problem(rel, located, p, m) for p, m in validate("endorsement", data)]
    if problems:
        return None, problems
    raw = data["endorser"]
    try:
        endorser = Endorser(
            name=raw["name"],
            kind=raw["kind"],
            url=raw.get("url"),
            description=raw.get("description"),
            did=raw.get("did"),
            key_file=raw.get("key_file"),
        )
    except ModelError as exc:
        return None, [_problem(rel, located, ("endorser", *_tail(exc.field)), exc.message)]
    target = data["endorses"]
    if not target or (target.get("issuer") is False and len(target) == 1):
        return None, [
            _problem(
                rel,
                located,
                ("endorses",),
                "name what is endorsed: credential: <record slug>, achievement: <brief slug> "
                "or issuer: true",
            )
        ]
    kind, value = next(iter(target.items()))
    day = parse_date(data["date"])
    assert day is not None  # the schema checked the format
    if not body.strip():
        return None, [
            Problem(rel, None, "", "the endorsement's comment (the text below ---) is empty")
        ]
    try:
        endorsement = Endorsement(
            slug=stem,
            endorser=endorser,
            target_kind=kind,
            target="" if kind == "issuer" else value,
            date=dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC),
            comment=body.strip(),
            source=rel,
        )
    except ModelError as exc:
        return None, [_problem(rel, located, _tail(exc.field), exc.message)]
    return endorsement, []


def _tail(field: str) -> Path_:
    parts = [p for p in field.removeprefix("$").split(".") if p]
    return tuple(parts)


def read_endorsements(
    root: Path, *, briefs: Iterable[str], credentials: Iterable[str]
) -> tuple[list[Endorsement], list[Problem]]:
    """Every endorsement in ``root/endorsements/`` and every problem (none = all usable).

    ``briefs`` are the brief slugs; ``credentials`` the record slugs (a withdrawn record's
    credential stays published until revoked, so it may still be endorsed).
    """
    folder = root / ENDORSEMENTS_DIR
    if not folder.is_dir():
        return [], []
    known_briefs, known_records = sorted(briefs), sorted(credentials)
    found: list[Endorsement] = []
    problems: list[Problem] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.is_dir() or entry.suffix != ".md":
            continue
        rel = f"{ENDORSEMENTS_DIR}/{entry.name}"
        if not SLUG_RE.match(entry.stem):
            problems.append(Problem(rel, 1, "", "file name is not a slug; rename it"))
            continue
        try:
            located, parts = parse_front_matter(read_text(entry, rel), rel)
        except SourceProblem as exc:
            problems.append(exc.problem)
            continue
        endorsement, trouble = _build(entry.stem, rel, located, parts.body)
        problems += trouble
        if endorsement is None:
            continue
        kind, target = endorsement.target_kind, endorsement.target
        pool = known_records if kind == "credential" else known_briefs
        if kind != "issuer" and target not in pool:
            near = suggest(target, pool)
            what = "record" if kind == "credential" else "brief"
            hint = f"; did you mean {near!r}?" if near else ""
            problems.append(
                _problem(rel, located, ("endorses", kind), f"no {what} {target!r}{hint}")
            )
            continue
        key_file = endorsement.endorser.key_file
        if key_file is not None and not _resolve(root, key_file).is_file():
            problems.append(
                _problem(
                    rel,
                    located,
                    ("endorser", "key_file"),
                    f"key file {key_file!r} not found (relative paths start at the program "
                    "folder); the endorser signs with their own key",
                )
            )
            continue
        found.append(endorsement)
    return found, problems


def _resolve(root: Path, name: str) -> Path:
    path = Path(name).expanduser()
    return path if path.is_absolute() else root / path


def key_file_path(root: Path, endorsement: Endorsement) -> Path | None:
    name = endorsement.endorser.key_file
    return None if name is None else _resolve(root, name)


def load_endorsements(
    root: Path, *, briefs: Iterable[str], credentials: Iterable[str]
) -> list[Endorsement]:
    """The endorsements, or :class:`ProblemsError` listing every problem."""
    found, problems = read_endorsements(root, briefs=briefs, credentials=credentials)
    if problems:
        raise ProblemsError(problems)
    return found
