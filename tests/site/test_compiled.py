"""site/compiled.py: compiled templates kept in a private cache folder, keyed by settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from microcred import sealed
from microcred.site import compiled

SOURCE = {"t.j2": "{% if x %}\n  yes {{ x }}\n{% endif %}\nend\n"}


@pytest.fixture
def folder(tmp_path: Path, user_cache: Callable[[str], None]) -> Path:
    user_cache(str(tmp_path / "cache"))
    return tmp_path / "cache" / "jinja"


def _env(**settings: bool) -> Environment:
    env = Environment(loader=DictLoader(SOURCE), **settings)
    compiled.use_compiled(env)
    return env


def test_a_template_is_compiled_once_then_loaded(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _env().get_template("t.j2").render(x=1)
    assert len(list(folder.iterdir())) == 1
    assert folder.stat().st_mode & 0o777 == 0o700
    compiled_now: list[str] = []
    real = Environment.compile

    def counting(self: Environment, *args: object, **kwargs: object) -> object:
        compiled_now.append("x")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counting)
    assert _env().get_template("t.j2").render(x=1) == first
    assert compiled_now == []  # loaded from the folder, not compiled again


def test_settings_that_change_the_code_never_share_it(folder: Path) -> None:
    plain = _env().get_template("t.j2").render(x=1)
    trimmed = _env(trim_blocks=True, lstrip_blocks=True).get_template("t.j2").render(x=1)
    assert plain == "\n  yes 1\n\nend" and trimmed == "  yes 1\nend"
    assert len(list(folder.iterdir())) == 2
    # each again, now that both are in the folder: still its own output
    assert _env().get_template("t.j2").render(x=1) == plain
    assert _env(trim_blocks=True, lstrip_blocks=True).get_template("t.j2").render(x=1) == trimmed


def test_a_folder_others_may_write_to_is_not_used(folder: Path) -> None:
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    env = _env()
    assert env.bytecode_cache is None
    assert env.get_template("t.j2").render(x=2).strip().startswith("yes 2")
    assert list(folder.iterdir()) == []


def test_an_empty_setting_turns_the_cache_off(user_cache: Callable[[str], None]) -> None:
    user_cache("")
    assert _env().bytecode_cache is None


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(compiled.ENV_CACHE_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert sealed.user_cache_root() == tmp_path / "microcred"
    compiled.cache_folder.cache_clear()
    try:
        assert compiled.cache_folder() == str(tmp_path / "microcred" / "jinja")
    finally:
        compiled.cache_folder.cache_clear()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as XDG says
    assert sealed.user_cache_root() == Path.home() / ".cache" / "microcred"
