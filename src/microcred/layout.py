"""Where things live: the one owner of microcred's file layout.

So far: the site templates folder (shared by the site renderer and ``microcred init``).
"""

from __future__ import annotations

import os
from pathlib import Path

from microcred.errors import ConfigError


def template_dir() -> Path:
    """``site_template/``: $MICROCRED_SITE_TEMPLATE, packaged data, or the source checkout."""
    override = os.environ.get("MICROCRED_SITE_TEMPLATE")
    candidates = [Path(override)] if override else []
    here = Path(__file__).resolve()
    candidates += [here.parent / "site" / "_template", here.parents[2] / "site_template"]
    for candidate in candidates:
        if (candidate / "mkdocs.yml.j2").is_file():
            return candidate
    raise ConfigError(
        "the site templates (site_template/) were not found",
        hint="reinstall microcred, or set MICROCRED_SITE_TEMPLATE to the site_template folder",
    )
