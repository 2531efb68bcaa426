"""``microcred build`` when the previous output stays, and a plain ``microcred verify``,
answered before click is loaded.

An unchanged rebuild is the check of site/unchanged.py (15 ms at 20 records) behind Python's
start-up and the command line's imports, of which click alone took 35-40 ms: a third of the
whole command (issue 12: an unchanged rebuild at most a tenth of a build). So the
``microcred`` command first reads the plainest spellings of ``build`` itself: ``-p/--project``
before or after it, ``--out``, ``--now``, ``--keep-source``, ``--engine``, each given once as
``--name VALUE`` or ``--name=VALUE``. With anything else (another command, ``--help``, a value
that looks like an option, a time it cannot read), or when the site must be built, or on any
error, it hands over to click, which parses the same words again and reports as always. What
it prints is what the click command prints (cli/_build_text.py). No click here.

``microcred verify [--json] PATH...`` (the one-file verify an employer runs, a folder of
badges) is read the same way: ``--json`` and paths that exist, nothing else; the run is the
click command's own (cli/_verify_run.py), its errors said as the group says them
(cli/_guard.py). Click's import was 31 M of a one-file verify's 477 M instructions.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

_VALUED = {"--out": "out", "--now": "now", "--keep-source": "keep_source", "--engine": "engine"}
_PROJECT = ("-p", "--project")


def _words(argv: Sequence[str]) -> dict[str, str] | None:
    """The options of a plain ``build`` command line, or None when click should read it."""
    found: dict[str, str] = {}
    command = False
    i = 0
    while i < len(argv):
        word = argv[i]
        name, eq, value = word.partition("=")
        if word == "build" and not command:
            command = True
            i += 1
            continue
        key = "project" if name in _PROJECT else _VALUED.get(name) if command else None
        if key is None or (eq and name == "-p"):
            return None  # another command, a flag, a positional word: click's to read
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
        if not value or value.startswith("-") or key in found:
            return None
        found[key] = value
        i += 1
    return found if command else None


def _verify_words(argv: Sequence[str]) -> tuple[bool, list[Path]] | None:
    """(--json given, the paths) of a plain ``verify`` command line, or None."""
    if not argv or argv[0] != "verify":
        return None
    as_json, paths = False, []
    for word in argv[1:]:
        if word == "--json" and not as_json:
            as_json = True
        elif word.startswith("-") or not word or not Path(word).exists():
            return None  # an option, a second --json, a path click is to refuse
        else:
            paths.append(Path(word))
    return (as_json, paths) if paths else None


def verify_command(argv: Sequence[str]) -> int | None:
    """Run ``microcred verify`` if ``argv`` is plain: its lines written, its exit code
    returned. None: nothing was written, click is to run the command."""
    words = _verify_words(argv)
    if words is None:
        return None
    from microcred.cli._guard import guarded
    from microcred.cli._verify_run import parse_at, run_verify, verify_options
    from microcred.errors import MicrocredError

    try:
        now = parse_at(None)
        options = verify_options((), (), None, None, False)
    except MicrocredError:
        return None  # click runs it and says what is wrong
    as_json, paths = words

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()  # as click.echo: a line is out when it is said

    def warn(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return guarded(
        lambda: run_verify(
            paths, as_json=as_json, now=now, options=options, jobs=None, say=say, warn=warn
        ),
        warn,
    )


def kept_build_command(argv: Sequence[str]) -> int | None:
    """Run ``microcred build`` if ``argv`` asks for it plainly and the previous output stays:
    its lines written, 0 returned. None: nothing was written, click is to run the command."""
    found = _words(argv)
    if found is None:
        return None
    from microcred.cli._when import parse_now
    from microcred.errors import MicrocredError
    from microcred.site import ENGINES, kept_site

    engine = found.get("engine", "mkdocs")
    if engine not in ENGINES:
        return None
    try:
        now = parse_now(found.get("now"))
        keep = found.get("keep_source")
        result = kept_site(
            Path(found.get("project", ".")),
            Path(found["out"]) if "out" in found else None,
            now=now,
            engine=engine,
            keep_source=Path(keep) if keep is not None else None,
        )
    except (MicrocredError, OSError, ValueError):
        return None  # click runs the command and says what is wrong
    if result is None:
        return None
    from microcred.cli._build_text import build_lines
    from microcred.cli._ending import may_end_now

    said, warned = build_lines(result)
    for line in said:
        sys.stdout.write(line + "\n")
    for line in warned:
        sys.stderr.write(line + "\n")
    may_end_now()  # as the click command: the output is in place, nothing else runs
    return 0
