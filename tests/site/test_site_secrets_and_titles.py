"""Issue 8 (smaller items): the build finds its secret key in any encoding, titles carry no
bidi override, and work folders of killed builds are removed."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from microcred.proof.keys import generate_keypair
from microcred.site.build import WORK_PREFIX, _remove_stale_work
from microcred.site.safety import find_secret_keys, plain_title, secret_needles


def _encodings(seed: bytes, multibase: str) -> dict[str, str]:
    pkcs8 = bytes.fromhex("302e020100300506032b657004220420") + seed
    return {
        "multibase": multibase,
        "hex": seed.hex(),
        "HEX": seed.hex().upper(),
        "base64": base64.b64encode(seed).decode(),
        "base64url": base64.urlsafe_b64encode(seed).decode().rstrip("="),
        "pem": "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(pkcs8).decode() + "\n",
        "wrapped": multibase[:30] + "\n   " + multibase[30:],
        "json-escaped": base64.b64encode(seed).decode().replace("/", "\\/"),
    }


def test_a_secret_pasted_into_a_narrative_is_found_in_every_encoding(tmp_path: Path) -> None:
    key = generate_keypair()
    assert key.secret_seed is not None and key.secret_key_multibase is not None
    needles = secret_needles([key.secret_seed])
    for name, text in _encodings(key.secret_seed, key.secret_key_multibase).items():
        page = tmp_path / name / "index.html"
        page.parent.mkdir()
        page.write_text(f"<p>My narrative: {text} and more</p>", encoding="utf-8")
        assert find_secret_keys(page.parent, needles) == [page], name
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "index.html").write_text(
        f"<p>{generate_keypair().secret_key_multibase}</p>", encoding="utf-8"
    )
    assert find_secret_keys(clean, needles) == []  # another key's bytes are not ours


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2066", "\u2067", "\u200f", "\u061c"])
def test_a_bidi_override_never_reaches_a_title(control: str) -> None:
    title = plain_title(f"Alice{control} Smith 😀")
    assert control not in title
    assert title == "Alice Smith 😀"
    assert plain_title("👩\u200d💻 Dev") == "👩\u200d💻 Dev"  # emoji sequences keep their ZWJ


def test_work_folders_of_killed_builds_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    killed = tmp_path / f"{WORK_PREFIX}killed"
    killed.mkdir()
    (killed / "pid").write_text(dead.stdout.strip())
    running = tmp_path / f"{WORK_PREFIX}running"
    running.mkdir()
    (running / "pid").write_text(str(os.getpid()))
    old = tmp_path / f"{WORK_PREFIX}old"
    old.mkdir()
    os.utime(old, (1, 1))
    starting = tmp_path / f"{WORK_PREFIX}starting"
    starting.mkdir()
    _remove_stale_work(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{WORK_PREFIX}running",
        f"{WORK_PREFIX}starting",
    ]


@pytest.mark.parametrize("profile", [".microcred/keys/key.json", "notes/.git/config", "link.md"])
def test_a_portfolio_profile_cannot_reach_a_hidden_folder(tmp_path: Path, profile: str) -> None:
    from microcred.errors import ConfigError
    from microcred.site.portfolio_read import load_settings

    (tmp_path / ".microcred" / "keys").mkdir(parents=True)
    (tmp_path / ".microcred" / "keys" / "key.json").write_text("{}")
    (tmp_path / "link.md").symlink_to(tmp_path / ".microcred" / "keys" / "key.json")
    (tmp_path / "microcred.toml").write_text(
        '[portfolio]\nname = "Alice"\nbase_url = "https://alice.example/"\n'
        f'profile = "{profile}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert "it would be published on the site" in info.value.message


def test_the_scan_memo_skips_only_contents_found_clean_for_the_same_keys(tmp_path: Path) -> None:
    from microcred.site import cache

    key = generate_keypair()
    assert key.secret_seed is not None and key.secret_key_multibase is not None
    needles = secret_needles([key.secret_seed])
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<p>nothing secret</p>", encoding="utf-8")
    (site / "b.html").write_text("<p>also fine</p>", encoding="utf-8")
    known: set[str] = set()
    seen: set[str] = set()
    assert find_secret_keys(site, needles, known, seen) == []
    assert len(known) == len(seen) == 2
    # a page changed to carry the key is a new content: scanned, found, never remembered
    (site / "b.html").write_text(f"<p>{key.secret_key_multibase}</p>", encoding="utf-8")
    seen.clear()
    assert find_secret_keys(site, needles, known, seen) == [site / "b.html"]
    assert len(seen) == 1
    # kept between builds for the same keys and the same microcred only
    project = tmp_path / "project"
    cache.save_clean_contents(project, needles, seen)
    assert cache.load_clean_contents(project, needles) == seen
    other = secret_needles([generate_keypair().secret_seed or b""])
    assert cache.load_clean_contents(project, other) == set()


def test_the_run_filter_finds_exactly_what_a_plain_search_finds() -> None:
    """``_holds_needle`` searches the text mapped to runs of the needles' alphabet: the same answers as
    searching the whole file (slashes unescaped, white space removed) for every needle."""
    import random
    import re

    from microcred.site.safety import _holds_needle

    needles = secret_needles([bytes(range(32)), bytes(range(100, 132))])

    def plain(data: bytes) -> bool:
        flat = re.sub(rb"\s+", b"", data.replace(b"\\/", b"/"))
        return any(needle in flat for needle in needles)

    rng = random.Random(7)
    separators = [b"", b" ", b"\n  ", b"\\n", b"\t", b"<", b"\\/", b"="]
    answers = set()
    for _ in range(3000):
        noise = bytes(rng.getrandbits(8) for _ in range(120))
        needle = rng.choice(needles)
        cut = rng.randint(0, len(needle))
        planted = needle[:cut] + rng.choice(separators) + needle[cut:].replace(b"/", b"\\/")
        data = noise[:60] + planted + noise[60:]
        answers.add(plain(data))
        assert _holds_needle(data, needles) == plain(data), data
    assert answers == {True, False}
