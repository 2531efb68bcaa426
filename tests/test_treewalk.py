"""treewalk.tree_entries lists what sorted(folder.rglob("*")) lists, in the same order."""

from __future__ import annotations

import os
import random
from pathlib import Path

from microcred.treewalk import tree_entries


def _tree(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    names = ["a", "a-b", "a.b", "a_b", "B", "b", "z9", "é", ".hidden", "a b"]
    folders = [root]
    for i in range(120):
        parent = rng.choice(folders)
        name = f"{rng.choice(names)}{i % 3 or ''}"
        target = parent / name
        if target.exists() or target.is_symlink():
            continue
        kind = rng.random()
        if kind < 0.3:
            target.mkdir()
            folders.append(target)
        elif kind < 0.9:
            target.write_text(str(i))
        elif kind < 0.95:
            target.symlink_to(rng.choice(folders))  # never followed
        else:
            target.symlink_to("missing")


def test_every_entry_in_rglob_order(tmp_path: Path) -> None:
    for seed in range(8):
        root = tmp_path / str(seed)
        root.mkdir()
        _tree(root, seed)
        expected = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*"))]
        got = [rel for rel, _ in tree_entries(root)]
        assert got == expected
        assert len(got) > 60
        for rel, entry in tree_entries(root):
            path = root / rel
            assert entry.path == os.fspath(path)
            assert entry.is_symlink() == path.is_symlink()
            assert entry.is_dir(follow_symlinks=False) == (path.is_dir() and not path.is_symlink())


def test_pruned_entries_and_what_is_under_them_are_left_out(tmp_path: Path) -> None:
    _tree(tmp_path, 3)
    pruned = {rel for rel, entry in tree_entries(tmp_path) if entry.is_dir() and "-" in rel}
    assert pruned
    got = [rel for rel, _ in tree_entries(tmp_path, lambda rel, _: rel in pruned)]
    expected = [
        rel
        for rel, _ in tree_entries(tmp_path)
        if not any(rel == p or rel.startswith(p + "/") for p in pruned)
    ]
    assert got == expected
