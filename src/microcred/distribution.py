"""Where this microcred came from, as a pip requirement others can install the same way.

``microcred init`` writes it into the generated workflow and README, and pages name it in
their "verify it yourself" commands, so a program is never told to install a package that is
not where this one came from. Read from the installed distribution's metadata
(``direct_url.json``, PEP 610): installed from an index -> ``microcred==<version>``; from a
git URL -> ``microcred @ git+<url>@<commit>``; from a wheel or sdist URL -> that URL; from a
local checkout -> its git ``origin`` and commit when it has one, else the version pin (with
``portable`` False: it may not be published, so set ``MICROCRED_PACKAGE`` in the workflow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from microcred._util import loads_strict
from microcred.errors import MicrocredError

_SAFE = re.compile(r"^[A-Za-z0-9@:/._+=~%, -]{1,300}$")
_ORIGIN = re.compile(r'\[remote "origin"\][^\[]*?\burl\s*=\s*(\S+)', re.DOTALL)


@dataclass(frozen=True)
class InstallSource:
    requirement: str  # what goes after `pip install`
    portable: bool  # True when another machine (a CI runner) can install it


def _git_checkout(folder: Path) -> str | None:
    """``git+<origin>@<commit>`` of a local checkout, read from its .git folder."""
    git = folder / ".git"
    try:
        config = (git / "config").read_text(encoding="utf-8")
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref: "):
            ref = git / head[5:]
            commit = ref.read_text(encoding="utf-8").strip() if ref.is_file() else ""
        else:
            commit = head
    except OSError:
        return None
    origin = _ORIGIN.search(config)
    if origin is None or not re.fullmatch(r"[0-9a-f]{40}", commit):
        return None
    url = origin.group(1)
    if url.startswith("git@") and ":" in url:  # scp-like syntax: git@host:owner/repo.git
        host, path = url[4:].split(":", 1)
        url = f"https://{host}/{path}"
    if not url.startswith("https://"):
        return None
    return f"microcred @ git+{url}@{commit}"


def install_source() -> InstallSource:
    """How to install the microcred that is running now."""
    try:
        dist = metadata.distribution("microcred")
        text = dist.read_text("direct_url.json")
    except (metadata.PackageNotFoundError, OSError):
        return InstallSource("microcred", False)
    pinned = InstallSource(f"microcred=={dist.version}", True)
    if not text:
        return pinned  # from an index (PyPI or a mirror): the released version
    try:
        info = loads_strict(text)
    except MicrocredError:
        return InstallSource(pinned.requirement, False)
    url = str(info.get("url", ""))
    found: InstallSource | None = None
    if isinstance(info.get("vcs_info"), dict) and url.startswith("https://"):
        vcs = info["vcs_info"]
        commit = vcs.get("commit_id") or vcs.get("requested_revision") or ""
        found = InstallSource(f"microcred @ {vcs.get('vcs', 'git')}+{url}@{commit}", True)
    elif "archive_info" in info and url.startswith("https://"):
        found = InstallSource(f"microcred @ {url}", True)
    elif url.startswith("file://"):
        path = Path(unquote(urlsplit(url).path))
        checkout = _git_checkout(path) if path.is_dir() else None
        found = (
            InstallSource(checkout, True)
            if checkout
            else InstallSource(
                f"microcred @ {url}" if path.is_file() else pinned.requirement, False
            )
        )
    if found is None or not _SAFE.match(found.requirement):
        return InstallSource(pinned.requirement, False)
    return found


@cache
def install_source_once() -> InstallSource:
    """:func:`install_source`, read once per process (every credential page names it)."""
    return install_source()
