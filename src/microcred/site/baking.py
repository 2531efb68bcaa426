"""Moved to :mod:`microcred.bake.files`; this name keeps old imports working."""

from microcred.bake.files import MAX_INPUT_BYTES, bake_file, unbake_file

__all__ = ["MAX_INPUT_BYTES", "bake_file", "unbake_file"]
