"""Credential pages written by forked workers are the serial ones, byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred._util import fork_is_safe
from microcred.errors import ConfigError
from microcred.site import images, render_source
from microcred.site.pages import parallel
from microcred.site.tree import Tree


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_forked_pages_equal_serial_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fork_is_safe()
    project = copy_example(tmp_path / "program")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10**9)
    images.QR_CODES.clear()
    serial_report, _, _ = render_source(project, tmp_path / "serial", now=NOW, key=fixed_key())

    pools: list[Any] = []
    original = parallel.ProcessPoolExecutor

    class Counted(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    images.QR_CODES.clear()  # the workers draw every QR code; the parent must learn them
    forked_report, _, _ = render_source(project, tmp_path / "forked", now=NOW, key=fixed_key())

    assert len(pools) == 2  # the credential pages, then the people's pages
    assert forked_report.pages == serial_report.pages
    assert forked_report.manifest == serial_report.manifest
    assert _tree(tmp_path / "forked") == _tree(tmp_path / "serial")
    assert len(images.QR_CODES) >= 40
    # the digests of what the workers wrote come back: every file, as it is on disk
    assert forked_report.files == serial_report.files
    on_disk = _tree(tmp_path / "forked")
    assert sorted(forked_report.files) == sorted(on_disk)
    for rel, (size, digest) in forked_report.files.items():
        assert (size, digest) == (len(on_disk[rel]), hashlib.sha256(on_disk[rel]).hexdigest())


def test_a_collision_across_workers_is_refused_as_a_serial_build_refuses_it(
    tmp_path: Path,
) -> None:
    tree = Tree(tmp_path)
    tree.write("credentials/a.json", "{}")
    with pytest.raises(ConfigError, match="share the path"):
        tree.claim("credentials/A.json")


def test_a_failing_worker_leaves_the_serial_build_to_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    calls: list[str] = []

    class Ctx:
        def __init__(self) -> None:
            self.tree = Tree(tmp_path)
            self.report = type("R", (), {"pages": []})()

    def render(ctx: Any, record: str, credential: Any) -> str:
        calls.append(record)
        if record == "bad":
            raise ConfigError("the bad record cannot be rendered")
        ctx.tree.write(f"{record}.json", "{}")
        return f"{record}.json"

    jobs = [("a", {}), ("bad", {}), ("c", {})]
    with pytest.raises(ConfigError, match="cannot be rendered"):
        parallel.write_pages(Ctx(), jobs, render)
    assert calls[-2:] == ["a", "bad"]  # raised here, in this process, by the serial pass
