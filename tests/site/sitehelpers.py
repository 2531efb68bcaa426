"""Shared helpers for the site tests and scripts/regen_golden_site.py (no pytest imports)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

from microcred.proof.didkey import did_key_from_public
from microcred.proof.keys import KeyPair, multikey_from_public, public_key_from_seed

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
GOLDEN = REPO / "tests" / "site" / "golden"
NOW = dt.datetime(2026, 11, 1, 12, 0, 0, tzinfo=dt.UTC)


def fixed_key(label: str = "microcred site tests") -> KeyPair:
    """A did:key issuer key from a fixed seed: same DID and ids on every run."""
    seed = hashlib.sha256(label.encode()).digest()
    public = public_key_from_seed(seed)
    did = did_key_from_public(public)
    return KeyPair(public, seed, did, f"{did}#{multikey_from_public(public)}")


def copy_example(dest: Path) -> Path:
    """The example program, without anything a previous issue run left behind; endorsers get
    keys from fixed seeds (as the issuer does) so their DIDs are the same on every run."""
    shutil.copytree(
        EXAMPLE,
        dest,
        ignore=shutil.ignore_patterns(".microcred", "credentials", "status", "site"),
    )
    seed_endorser_keys(dest)
    return dest


def seed_endorser_keys(root: Path) -> None:
    from microcred.issue.endorse import endorser_key_path
    from microcred.proof.keystore import save_keyfile

    for source in sorted((root / "endorsements").glob("*.md")):
        match = re.search(r"^endorser:\n  name: (.+)$", source.read_text("utf-8"), re.MULTILINE)
        if match is None:
            continue
        path = endorser_key_path(root, match.group(1).strip())
        if not path.exists():
            save_keyfile(path, fixed_key(f"endorser {match.group(1).strip()}"))


# Values that change on every issue run (fresh salts, random status indexes, signatures over
# them) or every build (the build time): replaced before comparing with the golden files.
_VOLATILE_JSON = re.compile(
    r'("(?:salt|identityHash|statusListIndex|encodedList|proofValue|created|builtAt|checkedAt|built_at|'
    r'retrieved|validFrom)"\s*:\s*)"[^"]*"'
)
_VOLATILE_TEXT = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    (re.compile(r"sha256\$[0-9a-f]{64}"), "sha256$<hash>"),
    (re.compile(r"z[1-9A-HJ-NP-Za-km-z]{85,90}"), "<proofValue>"),
    (re.compile(r"(-\d+\.json)#\d+"), r"\1#<index>"),  # a status entry's id names its index
    (re.compile(r"\bindex \d+\)"), "index <index>)"),  # ... and the report's status note
]


def normalise_text(text: str) -> str:
    text = _VOLATILE_JSON.sub(r'\1"<volatile>"', text)
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def png_without_text_chunks(png: bytes) -> bytes:
    """The PNG's bytes minus its iTXt/tEXt/zTXt chunks (where a credential is baked)."""
    out, at = [png[:8]], 8
    while at + 8 <= len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        kind = png[at + 4 : at + 8]
        if kind not in (b"iTXt", b"tEXt", b"zTXt"):
            out.append(png[at : at + 12 + length])
        at += 12 + length
    return b"".join(out)


def normalised_source(source: Path) -> dict[str, str]:
    """Relative path -> normalised text for every text file of a generated site source.

    Binary files (PNG) and baked SVGs (the credential inside carries signatures) are reduced
    to what is stable: PNGs to 'png <size>' and their digest once the baked chunk is dropped.
    """
    from microcred import bake

    out: dict[str, str] = {}
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(source).as_posix()
        data = path.read_bytes()
        if rel.endswith(".png"):
            try:
                inner = normalise_text(bake.unbake_png(data)).encode()
                baked = f"baked credential {hashlib.sha256(inner).hexdigest()}"
            except Exception:  # not baked: a plain badge picture
                baked = "not baked"
            image = hashlib.sha256(png_without_text_chunks(data)).hexdigest()
            out[rel] = f"png image {image}, {baked}\n"
        else:
            out[rel] = normalise_text(data.decode("utf-8"))
    return out


# --------------------------------------------------------------------------- hostile program

XSS = (
    '</script><script>alert("xss-script")</script><img src=x onerror=alert("xss-img")>'
    '<svg onload=alert("xss-svg")></svg>"\'><b id="injected">x</b>'
    "[click](javascript:alert('xss-link')) <javascript:alert('xss-auto')>"
)
XSS_URL = "https://x.example/'onmouseover='alert(1)'/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"


def write_xss_program(root: Path, base_url: str = "https://xss.example.org/program/") -> Path:
    """A program with script, event handlers, javascript: links and </script> breakouts in
    every text field of its issuer, its brief and its records."""
    import yaml

    def md(front: dict[str, object], body: str) -> str:
        return (
            "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body
        )

    root.mkdir(parents=True)
    (root / "achievements").mkdir()
    (root / "records").mkdir()
    (root / "microcred.toml").write_text(
        "[issuer]\n"
        f"name = {json_str('Issuer ' + XSS[:150])}\n"
        f"url = {json_str(XSS_URL)}\n"
        f"description = {json_str('# search' + chr(10) + XSS)}\n"
        'email = "hostile@xss.example.org"\n\n'
        "[site]\n"
        f"base_url = {json_str(base_url)}\n"
        f"title = {json_str('Title ' + XSS[:150])}\n",
        encoding="utf-8",
    )
    level = {"name": "L " + XSS[:150], "description": "D " + XSS}
    brief = {
        "name": "Brief " + XSS[:150],
        "achievementType": "Assignment",
        "description": "Desc " + XSS,
        "criteria": "# config\n" + XSS,
        "rubric": {
            "criteria": [
                {
                    "id": "quality",
                    "name": "Q " + XSS[:150],
                    "description": "C " + XSS,
                    "levels": [
                        {"id": "low", "points": 1, **level},
                        {"id": "high", "points": 2, **level},
                    ],
                },
            ]
        },
        "skills": [
            {
                "name": "S " + XSS[:150],
                "framework": "F " + XSS[:150],
                "url": XSS_URL,
                "code": "<script>alert(1)</script>",
            }
        ],
        "credits": {"amount": 1, "unit": "U </script><script>alert(1)</script>"[:80]},
        "expected_hours": 10,
        "stipend": {"amount": 100, "currency": "EUR", "period": "total"},
        "task": "Task " + XSS,
        "tags": ["<script>alert(1)</script>", '"><b id="injected">x</b>'],
        "version": "<b>1</b>",
    }
    (root / "achievements" / "hostile-brief.md").write_text(md(brief, "Body " + XSS), "utf-8")
    # Same candidate id, different dates: otherwise `check` rightly calls it a duplicate.
    for slug, consent, start, end in (
        ("hostile-consenting", True, "2026-03-02", "2026-03-13"),
        ("hostile-private", False, "2026-03-16", "2026-03-27"),
    ):
        record = {
            "candidate": {
                "name": "Name " + XSS[:150],
                "email": f"{slug}@xss.example.org",
                "id": XSS_URL,
                "consent_publish": consent,
            },
            "achievement": "hostile-brief",
            "start_date": start,
            "end_date": end,
            "hours": 10,
            "mentor": {"name": "Mentor " + XSS[:150], "role": "Role " + XSS[:150]},
            "results": [{"criterion": "quality", "level": "high", "comment": "Comment " + XSS}],
            "evidence": [
                {
                    "url": XSS_URL,
                    "name": "Evidence " + XSS[:150],
                    "narrative": "Narrative " + XSS,
                    "genre": "G " + XSS[:100],
                }
            ],
            "status": "completed",
        }
        (root / "records" / f"{slug}.md").write_text(md(record, "Record body " + XSS), "utf-8")
    return root


def json_str(value: str) -> str:
    import json

    return json.dumps(value)


def png_pixels(png: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB/RGBA PNG (all five filter types): (width, height, channels, pixels).

    Enough for Chromium screenshots; lets the tests check a screenshot is not one colour
    without Pillow.
    """
    import struct
    import zlib

    at, idat, header = 8, [], b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat.append(data)
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    if depth != 8 or colour not in (2, 6):
        raise ValueError("only 8-bit RGB/RGBA PNGs are supported")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        out += line
        previous = line
    return width, height, channels, bytes(out)
