"""Badge pictures and QR codes, made here so the build needs neither Pillow nor the network.

* :func:`badge_png` draws a simple round badge and encodes it with zlib + struct: a baked
  PNG needs a PNG to bake into, and an issuer may not have one.
* :func:`qr_svg` turns the ``qrcode`` package's module matrix into one SVG path.
* :func:`check_issuer_svg` / :func:`check_png` vet issuer-provided images before they are
  published from the site's own origin (an SVG with script would run there).
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import math
import re
import struct
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from microcred.errors import ConfigError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 2_000_000
_SVG_FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "set",
        "animate",
        "animatetransform",
        "animatemotion",
        "image",
        "use",
        "style",
        "a",
        "feimage",
    }
)


def badge_colours(seed: str) -> tuple[str, str]:
    """A stable (main, dark) colour pair for a brief, from its slug."""
    hue = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:2], "big") / 65536
    main = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    dark = colorsys.hls_to_rgb(hue, 0.25, 0.6)
    return _hex(main), _hex(dark)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    """Minimal RGBA PNG (filter 0 on every row)."""
    if len(rgba) != width * height * 4:
        raise ValueError("pixel buffer does not match the image size")
    stride = width * 4
    raw = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=64)
def badge_png(seed: str, size: int = 200) -> bytes:
    """A round badge with a ring and a check mark, coloured from ``seed``.

    Pixels near an edge are supersampled 4x for smooth edges; the rest take one sample.
    """
    main, dark = badge_colours(seed)
    fg, ring, white = _rgb(main), _rgb(dark), (255, 255, 255)
    c = (size - 1) / 2
    r_out, r_ring, r_in = size * 0.48, size * 0.44, size * 0.40
    seg = [((0.30, 0.52), (0.44, 0.66)), ((0.44, 0.66), (0.71, 0.36))]
    seg_px = [((a[0] * size, a[1] * size), (b[0] * size, b[1] * size)) for a, b in seg]
    thick = size * 0.055

    box = (
        0.30 * size - thick - 2,
        0.36 * size - thick - 2,
        0.71 * size + thick + 2,
        0.66 * size + thick + 2,
    )

    def in_box(px: float, py: float) -> bool:
        return box[0] <= px <= box[2] and box[1] <= py <= box[3]

    def colour_at(px: float, py: float) -> tuple[int, int, int] | None:
        d = math.hypot(px - c, py - c)
        if d > r_out:
            return None
        if d > r_in:
            return ring if d <= r_ring else fg
        if in_box(px, py) and min(_segment_distance(px, py, a, b) for a, b in seg_px) <= thick:
            return white
        return fg

    buf = bytearray(size * size * 4)
    samples = ((-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25))
    for y in range(size):
        for x in range(size):
            d = math.hypot(x - c, y - c)
            if d > r_out + 1:
                continue
            near_circle = min(abs(d - r_out), abs(d - r_ring), abs(d - r_in)) < 1.0
            near_mark = (
                in_box(x, y)
                and abs(min(_segment_distance(x, y, a, b) for a, b in seg_px) - thick) < 1.0
            )
            points = samples if near_circle or near_mark else ((0.0, 0.0),)
            acc = [0, 0, 0]
            hits = 0
            for sx, sy in points:
                colour = colour_at(x + sx, y + sy)
                if colour is not None:
                    acc[0] += colour[0]
                    acc[1] += colour[1]
                    acc[2] += colour[2]
                    hits += 1
            if hits:
                i = (y * size + x) * 4
                buf[i : i + 4] = bytes(
                    (acc[0] // hits, acc[1] // hits, acc[2] // hits, 255 * hits // len(points))
                )
    return encode_png(size, size, bytes(buf))


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def wrap_words(text: str, width: int = 16, lines: int = 3) -> list[str]:
    """Greedy word wrap for badge captions; the last line ends with '…' if cut."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        word = word if len(word) <= width else word[: width - 1] + "…"
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
            continue
        out.append(current)
        current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = (out[-1][: width - 1]).rstrip() + "…"
    return [line for line in out if line] or ["Badge"]


def qr_matrix(data: str) -> list[list[bool]]:
    from microcred.site.qr import qr_matrix as drawn  # the QR package only when a code is drawn

    matrix: list[list[bool]] = drawn(data)
    return matrix


_DARK_RUN = re.compile(rb"\x01+")
QR_CODES: dict[str, str] = {}  # qr_key -> SVG; the build fills it from its cache (site/cache.py)


def qr_key(data: str, label: str) -> str:
    return hashlib.sha256(f"{data}\0{label}".encode("utf-8", "surrogatepass")).hexdigest()


def qr_svg(data: str, *, label: str = "QR code") -> str:
    """A self-contained SVG QR code (one path, crisp edges, no external references)."""
    key = qr_key(data, label)
    known = QR_CODES.get(key)
    if known is None:
        known = QR_CODES[key] = _qr_svg(data, label)
    return known


def _qr_svg(data: str, label: str) -> str:
    matrix = qr_matrix(data)
    n = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        for run in _DARK_RUN.finditer(bytes(row)):  # each run of dark modules, one rectangle
            start, end = run.span()
            parts.append(f"M{start} {y}h{end - start}v1h-{end - start}z")
    label = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" class="mc-qr" '
        f'role="img" aria-label="{label}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )


# --------------------------------------------------------------------------- issuer images


def check_png(data: bytes, where: str) -> bytes:
    if not data.startswith(PNG_SIGNATURE) or len(data) > MAX_IMAGE_BYTES:
        raise ConfigError(
            f"{where}: not a PNG file under {MAX_IMAGE_BYTES} bytes",
            hint="use a .png or .svg badge image, or remove 'image' to get a generated one",
        )
    return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def check_issuer_svg(data: bytes, where: str) -> str:
    """Parse with DTDs forbidden and refuse anything that could run or fetch (MC-68b)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ConfigError(f"{where}: SVG is larger than {MAX_IMAGE_BYTES} bytes")
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several unrelated types
        raise ConfigError(f"{where}: not a well-formed SVG without a DTD ({exc})") from exc
    if _local(root.tag) != "svg":
        raise ConfigError(f"{where}: the root element is <{_local(root.tag)}>, not <svg>")
    for el in root.iter():
        name = _local(el.tag)
        if name in _SVG_FORBIDDEN_TAGS:
            raise ConfigError(
                f"{where}: SVG element <{name}> is not allowed in a badge image",
                hint="export a plain SVG without scripts, links or embedded images",
            )
        for attr, value in el.attrib.items():
            attr_name = _local(attr)
            if attr_name.startswith("on") or attr_name in ("href", "style"):
                raise ConfigError(f"{where}: SVG attribute {attr_name!r} is not allowed")
            if re.search(r"url\s*\(\s*['\"]?(?!#)", value, re.IGNORECASE):
                raise ConfigError(f"{where}: SVG attribute {attr_name!r} refers outside the file")
    text = data.decode("utf-8")
    return re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", text)


def read_issuer_image(root: Path, ref: str, where: str) -> tuple[str, bytes] | None:
    """Load a program-relative badge image safely; None for https images (not fetched)."""
    if ref.startswith("https://"):
        return None
    rel = Path(ref)
    if rel.is_absolute() or ".." in rel.parts or any(p.startswith(".") for p in rel.parts):
        raise ConfigError(
            f"{where}: image {ref!r} must be a path inside the program folder",
            hint="no absolute paths, '..' or hidden folders",
        )
    path = root / rel
    if path.is_symlink() or not path.is_file():
        raise ConfigError(f"{where}: image {ref!r} is not a regular file in the program folder")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".png":
        return "png", check_png(data, where)
    if suffix == ".svg":
        return "svg", check_issuer_svg(data, where).encode("utf-8")
    raise ConfigError(f"{where}: image {ref!r} must be a .png or .svg file")
