"""One engine that reads a program folder and yields every problem, each with file and line.

Three doors, as in jsonschema: :func:`iter_problems` (as found), :func:`check_program` (all,
sorted) and :func:`load_program` (the validated :class:`~microcred.model.Program` or a
:class:`~microcred.errors.ProblemsError` carrying every problem).

Steps, per file: 1. read (regular file, UTF-8, no control characters); 2. parse (TOML, or YAML
front matter with YAML 1.2 core typing and a line per JSON path); 3. validate against the JSON
Schema; 4. build model objects, mapping each ``ModelError.field`` back to its line. Then across
files: 5. records against their briefs' rubrics; 6. briefs nobody uses; 7. portfolio names that
collide after case-folding and NFC normalisation (MC-66); 8. likely duplicate records.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred.errors import Problem, ProblemsError
from microcred.layout import BRIEFS_DIR, CONFIG_FILE, RECORDS_DIR
from microcred.model import SLUG_RE, Achievement, Issuer, ModelError, Program, Record, SiteSettings
from microcred.records.build import (
    Collector,
    build_achievement,
    build_program_settings,
    build_record,
    slugify,
)
from microcred.records.duplicates import Placed, duplicate_problems
from microcred.records.endorsements import read_endorsements
from microcred.records.frontmatter import SourceProblem, decode, parse_front_matter, read_text
from microcred.records.hints import flow_mapping_hints
from microcred.records.parsed import ParsedCache
from microcred.records.paths import Path_, format_path
from microcred.records.schema import suggest, validate
from microcred.records.tomlconf import TomlProblem, load_toml
from microcred.records.yamlsafe import Located

CONFIG = CONFIG_FILE
BRIEFS = BRIEFS_DIR
RECORDS = RECORDS_DIR


@dataclass
class Document:
    """One parsed front-matter file (exposed for the site, which re-renders bodies)."""

    rel: str
    slug: str
    located: Located
    body: str
    body_line: int

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.located.data
        return data


def _located_problems(rel: str, located: Located, items: list[tuple[Path_, str]]) -> list[Problem]:
    return [Problem(rel, located.line_of(path), format_path(path), msg) for path, msg in items]


def parse_document(kind: str, rel: str, data: bytes) -> tuple[Document | None, list[Problem]]:
    """Decode, split, parse and schema-check one front-matter file given as bytes.

    ``kind`` is ``"achievement"`` or ``"record"``. Returns the document when it conforms to
    the schema, and the problems found (never raises on any input).
    """
    try:
        located, parts = parse_front_matter(decode(data, rel), rel)
        return _checked(kind, rel, located, parts.body, parts.body_line)
    except SourceProblem as exc:
        return None, [exc.problem]
    except (RecursionError, MemoryError) as exc:
        return None, [
            Problem(
                rel,
                1,
                "",
                f"is too complex to check ({type(exc).__name__}); simplify its front matter",
            )
        ]


def _checked(
    kind: str, rel: str, located: Located, body: str, body_line: int
) -> tuple[Document | None, list[Problem]]:
    problems = _located_problems(rel, located, list(validate(kind, located.data)))
    slug = Path(rel).stem
    doc = Document(rel, slug, located, body, body_line)
    return (None if problems else doc), problems


class ProgramReader:
    """Reads one program folder; :meth:`problems` yields, then :attr:`program` is set if none."""

    def __init__(self, root: Path | str, parsed: ParsedCache | None = None) -> None:
        """``parsed``: front matter parsed and checked by an earlier run, taken by text."""
        self.root = Path(root)
        self.parsed = parsed
        self.program: Program | None = None
        self._briefs: dict[str, Achievement] = {}
        self._brief_docs: dict[str, Document] = {}
        self._brief_names: set[str] = set()
        self._records: list[tuple[Record, Document]] = []
        self._referenced: dict[str, list[str]] = {}
        self._records_unknown = False  # a record we could not read may use any brief
        self._settings: tuple[Issuer, SiteSettings] | None = None

    # ------------------------------------------------------------------ the engine

    def problems(self) -> Iterator[Problem]:
        if not self.root.is_dir():
            yield Problem(
                str(self.root),
                None,
                "",
                f"program folder not found (it should hold {CONFIG}, {BRIEFS}/ and {RECORDS}/)",
            )
            return
        found: list[Problem] = []
        for problem in self._config():
            found.append(problem)
            yield problem
        settings = self._settings
        for problem in (*self._folder(BRIEFS, "achievement"), *self._folder(RECORDS, "record")):
            found.append(problem)
            yield problem
        for problem in self._cross_checks():
            found.append(problem)
            yield problem
        slugs = [r.slug for r, _ in self._records]
        _, trouble = read_endorsements(self.root, briefs=self._brief_names, credentials=slugs)
        found += trouble
        yield from trouble
        if found or settings is None:
            return
        try:
            self.program = Program(
                root=str(self.root),
                issuer=settings[0],
                site=settings[1],
                achievements=tuple(self._briefs[s] for s in sorted(self._briefs)),
                records=tuple(r for r, _ in sorted(self._records, key=lambda x: x[0].slug)),
            )
        except ModelError as exc:  # pragma: no cover - file names already make slugs unique
            yield Problem(".", None, exc.field, exc.message)

    # ------------------------------------------------------------------ microcred.toml

    def _config(self) -> Iterator[Problem]:
        path = self.root / CONFIG
        if not path.exists() and not path.is_symlink():
            yield Problem(
                CONFIG,
                None,
                "",
                "file not found: every program needs one, with "
                "[issuer] name and url and [site] base_url (microcred init writes it)",
            )
            return
        try:
            text = read_text(path, CONFIG)
            kept = self.parsed.get("config", text) if self.parsed is not None else None
            located = load_toml(text) if kept is None else kept[0]
        except SourceProblem as exc:
            yield exc.problem
            return
        except TomlProblem as exc:
            yield Problem(CONFIG, exc.line, "", exc.message)
            return
        if kept is None:  # else: this text parsed and passed its schema before
            problems = _located_problems(CONFIG, located, list(validate("program", located.data)))
            if problems:
                yield from problems
                return
            if self.parsed is not None:
                self.parsed.put("config", text, located, "", 0)
        _note_passed(text)
        col = Collector()
        settings = build_program_settings(located.data, col)
        yield from _located_problems(CONFIG, located, col.problems)
        issuer_image = located.data["issuer"].get("image")
        yield from self._image(CONFIG, located, ("issuer", "image"), issuer_image)
        self._settings = settings

    # ------------------------------------------------------------------ folders

    def _folder(self, folder: str, kind: str) -> Iterator[Problem]:
        where = self.root / folder
        if not where.is_dir():
            self._records_unknown = self._records_unknown or kind == "record"
            what = (
                "one <slug>.md per brief"
                if kind == "achievement"
                else "one <slug>.md per internship record"
            )
            yield Problem(f"{folder}/", None, "", f"folder not found: create {folder}/ with {what}")
            return
        count = 0
        for entry in sorted(where.iterdir(), key=lambda p: p.name):
            name = entry.name
            rel = f"{folder}/{name}"
            if name.startswith(".") or (entry.is_dir() and not entry.is_symlink()):
                continue
            suffix = entry.suffix
            if suffix != ".md":
                if suffix.lower() in (".md", ".markdown"):
                    self._records_unknown = self._records_unknown or kind == "record"
                    yield Problem(
                        rel, None, "", f"rename it to {entry.stem}.md (only .md files are read)"
                    )
                continue
            count += 1
            yield from self._file(entry, rel, kind)
        if count == 0 and kind == "achievement":
            yield Problem(
                f"{folder}/",
                None,
                "",
                "no briefs: add achievements/<slug>.md with name, description, criteria and rubric",
            )

    def _file(self, path: Path, rel: str, kind: str) -> Iterator[Problem]:
        try:
            yield from self._file_checks(path, rel, kind)
        except (RecursionError, MemoryError) as exc:
            yield Problem(
                rel,
                1,
                "",
                f"is too complex to check ({type(exc).__name__}); simplify its front matter",
            )
        except Exception as exc:
            yield Problem(
                rel,
                1,
                "",
                f"could not be checked (internal error "
                f"{type(exc).__name__}: {exc}); please report this",
            )

    def _file_checks(self, path: Path, rel: str, kind: str) -> Iterator[Problem]:
        stem = path.stem
        try:
            text = read_text(path, rel)
            kept = self.parsed.get(kind, text) if self.parsed is not None else None
            if kept is None:
                located, parts = parse_front_matter(text, rel)
                body, body_line = parts.body, parts.body_line
            else:
                located, body, body_line = kept
        except SourceProblem as exc:
            yield exc.problem
            if kind == "achievement":
                self._brief_names.add(stem)
            else:
                self._records_unknown = True
            return
        if kind == "achievement":
            self._brief_names.add(stem)
        elif isinstance(located.data.get("achievement"), str):
            self._referenced.setdefault(located.data["achievement"], []).append(rel)
        good_name = bool(SLUG_RE.match(stem))
        if not good_name:
            better = slugify(stem) or "a-name"
            yield Problem(
                rel,
                1,
                "",
                f"file name {stem!r} is not a slug (lower-case letters, "
                f"digits and '-', at most 64); rename it to {better}.md",
            )
        if kept is None:
            doc, problems = _checked(kind, rel, located, body, body_line)
            if doc is not None and self.parsed is not None:
                self.parsed.put(kind, text, located, body, body_line)
        else:  # this text parsed and passed its schema before
            doc, problems = Document(rel, stem, located, body, body_line), []
        yield from flow_mapping_hints(text, problems)
        if doc is None or not good_name:
            return
        col = Collector()
        if kind == "achievement":
            brief = build_achievement(stem, doc.data, doc.body, rel, col)
            yield from _located_problems(rel, located, col.problems)
            yield from self._image(rel, located, ("image",), doc.data.get("image"))
            if brief is not None:
                self._briefs[stem] = brief
                self._brief_docs[stem] = doc
        else:
            record = build_record(stem, doc.data, doc.body, rel, col)
            yield from _located_problems(rel, located, col.problems)
            if record is not None:
                self._records.append((record, doc))

    def _image(self, rel: str, located: Located, path: Path_, value: Any) -> Iterator[Problem]:
        """A local image must be a regular file inside the program folder (MC-66)."""
        if not isinstance(value, str) or value.startswith("https://"):
            return
        target = self.root / value
        line, pointer = located.line_of(path), format_path(path)
        root = self.root.resolve()
        if not target.resolve().is_relative_to(root):
            yield Problem(rel, line, pointer, f"{value!r} points outside the program folder")
        elif target.is_symlink():
            yield Problem(
                rel,
                line,
                pointer,
                f"{value!r} is a symbolic link; put the image itself in the program folder",
            )
        elif not target.is_file():
            yield Problem(rel, line, pointer, f"{value!r} not found in the program folder")

    # ------------------------------------------------------------------ across files

    def _cross_checks(self) -> Iterator[Problem]:
        known = sorted(self._brief_names)
        for record, doc in self._records:
            yield from self._against_brief(record, doc, known)
        for slug, brief in sorted(self._briefs.items()):
            if not brief.open and slug not in self._referenced and not self._records_unknown:
                doc = self._brief_docs[slug]
                yield Problem(
                    doc.rel,
                    doc.located.line_of(("open",)),
                    "$.open",
                    "no record uses this brief; set open: true while it accepts "
                    "candidates, or remove the file",
                )
        yield from self._collisions()
        yield from duplicate_problems(
            Placed(r, d.rel, d.located.line_of(("candidate",))) for r, d in self._records
        )

    def _against_brief(self, record: Record, doc: Document, known: list[str]) -> Iterator[Problem]:
        def problem(path: Path_, message: str) -> Problem:
            return Problem(doc.rel, doc.located.line_of(path), format_path(path), message)

        if record.achievement not in self._brief_names:
            near = suggest(record.achievement, known)
            hint = f"did you mean {near!r}? " if near else ""
            yield problem(
                ("achievement",),
                f"unknown brief {record.achievement!r}; {hint}"
                f"known briefs: {', '.join(known) or 'none'}",
            )
            return
        brief = self._briefs.get(record.achievement)
        if brief is None:  # the brief has its own problems; do not guess at its rubric
            yield problem(
                ("achievement",),
                f"not checked against brief {record.achievement!r} (its rubric, levels and "
                "passing points) because that brief has errors: fix the brief, then run "
                "check again",
            )
            return
        rubric = brief.rubric
        valid = True
        for i, result in enumerate(record.results):
            criterion = rubric.criterion(result.criterion)
            if criterion is None:
                valid = False
                ids = [c.id for c in rubric.criteria]
                near = suggest(result.criterion, ids)
                hint = f"did you mean {near!r}? " if near else ""
                yield problem(
                    ("results", i, "criterion"),
                    f"{result.criterion!r} is not a criterion of brief {brief.slug!r}; "
                    f"{hint}its criteria: {', '.join(ids)}",
                )
            elif criterion.level(result.level) is None:
                valid = False
                ids = [lv.id for lv in criterion.levels]
                near = suggest(result.level, ids)
                hint = f"did you mean {near!r}? " if near else ""
                yield problem(
                    ("results", i, "level"),
                    f"{result.level!r} is not a level of criterion {criterion.id!r}; "
                    f"{hint}its levels: {', '.join(ids)}",
                )
        if record.status != "completed":
            return
        scored = {r.criterion for r in record.results}
        for criterion in rubric.criteria:
            if criterion.id not in scored:
                valid = False
                yield problem(
                    ("results",),
                    f"criterion {criterion.id!r} of brief "
                    f"{brief.slug!r} is not scored; add a result for it",
                )
        if valid and rubric.passing_points is not None:
            total = 0
            for result in record.results:
                crit = rubric.criterion(result.criterion)
                level = crit.level(result.level) if crit is not None else None
                total += level.points if level is not None else 0
            if total < rubric.passing_points:
                yield problem(
                    ("results",),
                    f"scores {total} of {rubric.max_points} points, "
                    f"below the brief's passing_points {rubric.passing_points}; a "
                    "completed record earns the credential, so it must pass",
                )

    def _collisions(self) -> Iterator[Problem]:
        """Two candidates must not share a portfolio page, even on case-insensitive disks."""
        owners: dict[str, tuple[str, str]] = {}
        for record, doc in sorted(self._records, key=lambda x: x[1].rel):
            slug = record.candidate.slug or record.slug
            key = unicodedata.normalize("NFC", slug).casefold()
            who = unicodedata.normalize("NFC", record.candidate.email).casefold()
            first = owners.setdefault(key, (who, doc.rel))
            if first[0] != who:
                yield Problem(
                    doc.rel,
                    doc.located.line_of(("candidate",)),
                    "$.candidate",
                    f"portfolio name {slug!r} is also used by {first[1]} for a "
                    "different candidate (another e-mail); set candidate.slug to "
                    "tell them apart",
                )


_PASSED: set[str] = set()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _note_passed(text: str) -> None:
    if len(_PASSED) >= 64:
        _PASSED.clear()
    _PASSED.add(_digest(text))


def config_passed(text: str) -> bool:
    """Did a ``microcred.toml`` with exactly this text pass the program schema in this
    process (a reader of one of its tables need not check it again)?"""
    return _digest(text) in _PASSED


def load_settings(
    root: Path | str, parsed: ParsedCache | None = None
) -> tuple[Issuer, SiteSettings]:
    """Only ``microcred.toml`` (issuer, identity, site), for commands that need no records.
    ``parsed``: take the file as an earlier run parsed and checked it, when its text is the
    same (it is never saved here)."""
    reader = ProgramReader(root, parsed)
    problems = sorted(set(reader._config()), key=_order)
    if problems or reader._settings is None:
        raise ProblemsError(problems)
    return reader._settings


def load_briefs(
    root: Path | str, parsed: ParsedCache | None = None
) -> tuple[Issuer, SiteSettings, tuple[Achievement, ...]] | None:
    """``microcred.toml`` and the briefs alone, without a record; None at the first problem.
    For work done ahead that needs only the briefs (the badges' pictures, site/ahead.py):
    never the program's word, which :func:`load_program` gives."""
    reader = ProgramReader(root, parsed)
    if next(reader._config(), None) is not None or reader._settings is None:
        return None
    if next(reader._folder(BRIEFS, "achievement"), None) is not None:
        return None
    issuer, site = reader._settings
    return issuer, site, tuple(reader._briefs[slug] for slug in sorted(reader._briefs))


def load_issuer_settings(root: Path | str) -> Issuer:
    """The issuer (with its identity) from ``microcred.toml``; ProblemsError if unusable."""
    return load_settings(root)[0]


def iter_problems(root: Path | str) -> Iterator[Problem]:
    """Every problem in the program folder, in the order found."""
    yield from ProgramReader(root).problems()


def check_program(root: Path | str) -> list[Problem]:
    """Every problem in the program folder, sorted by file, line and path (empty = valid)."""
    return sorted(set(iter_problems(root)), key=_order)


def load_program(root: Path | str, *, keep_parsed: bool = False) -> Program:
    """The validated program, or :class:`ProblemsError` listing every problem found. Front
    matter an earlier run parsed and checked is taken from the build cache
    (:mod:`microcred.records.parsed`); ``keep_parsed`` (issuing, building) keeps this run's
    there for the next."""
    reader = ProgramReader(root, ParsedCache(Path(root)))
    problems = sorted(set(reader.problems()), key=_order)
    if keep_parsed and reader.parsed is not None:
        reader.parsed.save()
    if problems or reader.program is None:
        raise ProblemsError(problems)
    return reader.program


def _order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.path, problem.line or 0, problem.pointer, problem.message)
