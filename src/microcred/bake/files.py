"""File-level baking for ``microcred bake`` / ``unbake``: pick PNG or SVG, check the input."""

from __future__ import annotations

from pathlib import Path

from microcred._util import loads_strict
from microcred.bake.png import bake_png, unbake_png
from microcred.bake.svg import bake_svg, unbake_svg
from microcred.errors import ConfigError, MicrocredError

MAX_INPUT_BYTES = 5_000_000


def _read(path: Path, what: str) -> bytes:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise ConfigError(f"{what} {path} is larger than {MAX_INPUT_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _kind(path: Path, data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    head = data[:2048].lstrip().lower()
    if path.suffix.lower() == ".svg" or head.startswith((b"<svg", b"<?xml")):
        return "svg"
    raise ConfigError(
        f"{path} is neither a PNG nor an SVG image",
        hint="only PNG and SVG badges can be baked (Open Badges 3.0)",
    )


def bake_file(credential: Path, image: Path) -> bytes:
    """The baked image bytes; the credential must be a JSON object (checked strictly)."""
    raw = _read(credential, "credential")
    try:
        value = loads_strict(raw)
    except MicrocredError as exc:
        raise ConfigError(f"{credential} is not valid JSON: {exc.message}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{credential} does not hold a JSON object (a credential)")
    text = raw.decode("utf-8")
    data = _read(image, "image")
    if _kind(image, data) == "png":
        return bake_png(data, text)
    try:
        svg = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{image} is not UTF-8 text") from None
    return bake_svg(svg, text).encode("utf-8")


def unbake_file(image: Path) -> str:
    data = _read(image, "image")
    if _kind(image, data) == "png":
        return unbake_png(data)
    return unbake_svg(data)
