"""site/keyahead.py: the key decrypted on a thread is the key the build would load itself,
what goes wrong is reported where the key is asked for, and no thread outlives the ask (the
build forks its workers only when it runs alone)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sitehelpers import NOW, copy_example

from microcred._util import fork_is_safe
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.site import build_site, keyahead
from microcred.site.keyahead import KeyAhead, active_key

PASSPHRASE = "a passphrase for the test"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("keyahead") / "program")
    KeyRing(root).new_key(Identity("did-key"), now=NOW, passphrase=PASSPHRASE)
    return root


def test_the_key_from_the_thread_is_the_key_ring_s(program: Path) -> None:
    expected = KeyRing(program).load_active_secret(passphrase=PASSPHRASE)
    ahead = KeyAhead(program, PASSPHRASE)
    got = ahead.result()
    assert got is not None and got.secret_seed == expected.secret_seed
    assert ahead.result() is got  # asked again: the same answer, no second derivation
    assert threading.active_count() == 1 and fork_is_safe()


def test_a_key_that_cannot_be_loaded_is_none(program: Path) -> None:
    assert KeyAhead(program, "not the passphrase").result() is None
    assert active_key(program, "not the passphrase") is None


def test_what_the_thread_raised_is_raised_by_result(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(root: Path, passphrase: str | None) -> None:
        raise RuntimeError("a bug in loading the key")

    monkeypatch.setattr(keyahead, "active_key", broken)
    ahead = KeyAhead(program, PASSPHRASE)
    ahead.close()  # waits, raises nothing
    assert threading.active_count() == 1
    with pytest.raises(RuntimeError, match="a bug in loading the key"):
        ahead.result()


def test_a_build_with_an_encrypted_key_signs_with_it_and_forks_its_workers(
    program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key came from the thread (no second derivation) and the build's workers forked
    (the thread had been joined before)."""
    derived: list[str] = []
    real = keyahead.active_key

    def counted(root: Path, passphrase: str | None) -> object:
        derived.append(threading.current_thread().name)
        return real(root, passphrase)

    monkeypatch.setattr(keyahead, "active_key", counted)
    from microcred.site import build as builder

    monkeypatch.setattr(builder, "active_key", counted)
    forked: list[bool] = []
    import microcred.site.pages.parallel as pages

    real_safe = pages.fork_is_safe

    def safe() -> bool:
        forked.append(real_safe())
        return forked[-1]

    monkeypatch.setattr(pages, "fork_is_safe", safe)
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pages, "cpu_count", lambda: 2)  # asked even on a one-CPU machine
    result = build_site(program, tmp_path / "site", now=NOW, passphrase=PASSPHRASE)
    assert result.credentials > 0 and result.issued  # signed with the program's key
    assert derived == ["microcred-key"]  # once, on the thread
    assert forked and all(forked)
    assert threading.active_count() == 1
