"""Moved to :mod:`microcred.scaffold` (``microcred init``); this name keeps old imports working."""

from microcred.scaffold import did_web_for, scaffold

__all__ = ["did_web_for", "scaffold"]
