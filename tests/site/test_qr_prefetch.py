"""QR codes drawn ahead by a forked child are the codes the pages draw, and nothing a page
shows depends on whether, or how well, the child did its work."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred.issue import issue_program
from microcred.layout import credential_page
from microcred.records import load_settings
from microcred.site import build_site, images, qr_prefetch
from microcred.site.qr_prefetch import QR_LABEL, QrAhead


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("prefetch") / "program")
    issue_program(root, now=NOW, key=fixed_key())
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_child_draws_each_issued_credentials_page_code(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qr_prefetch, "FROM", 1)
    monkeypatch.setattr(images, "QR_CODES", {})
    drawn = QrAhead(issued, {}).codes()
    slugs = sorted(p.stem for p in (issued / "credentials").glob("*.json"))
    base_url = load_settings(issued)[1].base_url
    assert len(slugs) > 20 and len(drawn) >= len(slugs)
    for slug in slugs:
        key = images.qr_key(f"{base_url}{credential_page(slug)}", QR_LABEL)
        assert drawn[key] == images._qr_svg(f"{base_url}{credential_page(slug)}", QR_LABEL)
    assert images.QR_CODES == {}  # the child filled its own copy; the caller merges


def test_codes_already_known_are_not_sent_back(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qr_prefetch, "FROM", 1)
    first = QrAhead(issued, {}).codes()
    assert QrAhead(issued, first).codes() == {}


@pytest.mark.parametrize("child", ["draws ahead", "fails", "not started"])
def test_the_site_is_the_same_whatever_the_child_does(
    issued: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: str
) -> None:
    def build(name: str) -> dict[str, bytes]:
        project = shutil.copytree(issued, tmp_path / name / "program", symlinks=True)
        images.QR_CODES.clear()
        build_site(project, tmp_path / name / "site", now=NOW, key=fixed_key())
        return _tree(tmp_path / name / "site")

    monkeypatch.setattr(qr_prefetch, "FROM", 10**9)
    alone = build("alone")
    monkeypatch.setattr(qr_prefetch, "FROM", 1)
    asked: list[int] = []
    real = QrAhead.codes

    def codes(self: QrAhead) -> dict[str, str]:
        asked.append(1)
        return real(self)

    monkeypatch.setattr(QrAhead, "codes", codes)
    if child == "fails":

        def broken(root: Path, known: Any) -> dict[str, str]:
            raise RuntimeError("the child died")

        monkeypatch.setattr(qr_prefetch, "_draw", broken)
    elif child == "not started":
        monkeypatch.setattr(qr_prefetch, "fork_is_safe", lambda: False)
    assert build("ahead") == alone
    assert asked == [1]


def test_a_child_nobody_asks_is_stopped(issued: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qr_prefetch, "FROM", 1)
    ahead = QrAhead(issued, {})
    child = ahead._child
    assert child is not None
    ahead.close()
    assert not child.is_alive()
    assert ahead.codes() == {}
