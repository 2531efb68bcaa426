"""``microcred build`` when the previous output stays, answered before click is loaded.

An unchanged rebuild is the check of site/unchanged.py (15 ms at 20 records) behind Python's
start-up and the command line's imports, of which click alone took 35-40 ms: a third of the
whole command (issue 12: an unchanged rebuild at most a tenth of a build). So the
``microcred`` command first reads the plainest spellings of ``build`` itself: ``-p/--project``
before or after it, ``--out``, ``--now``, ``--keep-source``, ``--engine``, each given once as
``--name VALUE`` or ``--name=VALUE``. With anything else (another command, ``--help``, a value
that looks like an option, a time it cannot read), or when the site must be built, or on any
error, it hands over to click, which parses the same words again and reports as always. What
it prints is what the click command prints (cli/_build_text.py). No click here.
"""

from __future__ import annotations

import datetime as dt
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


def kept_build_command(argv: Sequence[str]) -> int | None:
    """Run ``microcred build`` if ``argv`` asks for it plainly and the previous output stays:
    its lines written, 0 returned. None: nothing was written, click is to run the command."""
    found = _words(argv)
    if found is None:
        return None
    from microcred._util import TimestampError, parse_timestamp
    from microcred.errors import MicrocredError
    from microcred.site import ENGINES, kept_site

    engine = found.get("engine", "mkdocs")
    if engine not in ENGINES:
        return None
    try:
        text = found.get("now")
        now = (
            dt.datetime.now(dt.UTC).replace(microsecond=0)  # as cli._common.parse_now
            if text is None
            else parse_timestamp(text, field="--now")
        )
        keep = found.get("keep_source")
        result = kept_site(
            Path(found.get("project", ".")),
            Path(found["out"]) if "out" in found else None,
            now=now,
            engine=engine,
            keep_source=Path(keep) if keep is not None else None,
        )
    except (MicrocredError, TimestampError, OSError, ValueError):
        return None  # click runs the command and says what is wrong
    if result is None:
        return None
    from microcred.cli._build_text import build_lines

    said, warned = build_lines(result)
    for line in said:
        sys.stdout.write(line + "\n")
    for line in warned:
        sys.stderr.write(line + "\n")
    return 0
