"""site/qr.py draws exactly the symbol the ``qrcode`` package draws, only faster."""

from __future__ import annotations

import random
import string

import pytest
import qrcode
from qrcode.util import lost_point as package_lost_point

from microcred.site.qr import _QRCode, lost_point, lost_points, qr_matrix

LEVELS = [
    qrcode.constants.ERROR_CORRECT_L,
    qrcode.constants.ERROR_CORRECT_M,
    qrcode.constants.ERROR_CORRECT_Q,
    qrcode.constants.ERROR_CORRECT_H,
]
ALPHABETS = [
    string.ascii_letters + string.digits + "/:.-_?=&%#",
    string.digits,
    string.ascii_uppercase + " $%*+-./:",
    "ÄéΩ中文 😀",
]


def _package(data: str, level: int) -> tuple[list[list[bool]], int]:
    code = qrcode.QRCode(error_correction=level, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix(), code.mask_pattern


def test_random_data_at_every_level_gives_the_package_symbol() -> None:
    rng = random.Random(2026)
    masks = set()
    for _ in range(160):
        size = rng.choice([1, 7, 30, 90, 250, 500])
        alphabet = rng.choice(ALPHABETS)
        data = "".join(rng.choice(alphabet) for _ in range(size))
        level = rng.choice(LEVELS)
        try:
            expected, _ = _package(data, level)
        except ValueError:  # too long for any version at this level
            continue
        drawn = qr_matrix(data, error_correction=level)
        assert drawn == expected, (data, level)
        masks.add(sum(map(sum, drawn)))
    assert len(masks) > 100  # different symbols, not one repeated


def test_every_version_places_its_data_as_the_package_does() -> None:
    rng = random.Random(40)
    for version in range(1, 41):
        level = LEVELS[version % 4]
        data = "".join(rng.choice(ALPHABETS[0]) for _ in range(rng.randrange(1, 7)))
        ours, theirs = (
            _QRCode(version=version, error_correction=level),
            qrcode.QRCode(version=version, error_correction=level),
        )
        for code in (ours, theirs):
            code.add_data(data)
            code.make(fit=False)
        assert ours.get_matrix() == theirs.get_matrix(), version
        for mask in (0, 5):  # a given mask, too: no search, the data placed once
            ours.makeImpl(False, mask)
            theirs.makeImpl(False, mask)
            assert ours.modules == theirs.modules, (version, mask)


@pytest.mark.parametrize("length", [2332, 2400, 5000])
def test_data_too_long_for_any_version_raises_what_the_package_raises(length: int) -> None:
    data = "x" * length
    with pytest.raises(Exception) as theirs:  # the package decides which
        _package(data, qrcode.constants.ERROR_CORRECT_M)
    with pytest.raises(type(theirs.value)):
        qr_matrix(data)
    assert isinstance(theirs.value, ValueError)  # what callers catch


@pytest.mark.parametrize("url", ["https://example.org/credentials/c-1/", "urn:uuid:" + "7" * 36])
def test_site_urls(url: str) -> None:
    assert qr_matrix(url) == _package(url, qrcode.constants.ERROR_CORRECT_M)[0]


def _random_symbol(rng: random.Random, size: int, density: float) -> list[list[bool]]:
    return [[rng.random() < density for _ in range(size)] for _ in range(size)]


def test_penalties_are_the_package_penalties() -> None:
    rng = random.Random(7)
    shapes = [[[False] * 21 for _ in range(21)], [[True] * 25 for _ in range(25)]]
    for _ in range(200):
        shapes.append(_random_symbol(rng, rng.choice([21, 25, 33, 57]), rng.random()))
    for modules in shapes:
        assert lost_point(modules) == package_lost_point(modules)


def test_penalties_on_every_pattern_the_rules_count() -> None:
    """Runs along the edges and across a whole line, 2x2 blocks at the corners, finder-like
    patterns at both ends of a line, in rows and in columns: each line of the symbol is one
    stretch of an integer, so a count may not leak from one line into the next."""
    rng = random.Random(9)
    for size in (21, 25, 29):
        for _ in range(40):
            modules = _random_symbol(rng, size, rng.choice([0.2, 0.5, 0.8]))
            line = rng.randrange(size)
            pattern = [True, False, True, True, True, False, True, False, False, False, False]
            if rng.random() < 0.5:
                pattern.reverse()
            start = rng.choice([0, size - len(pattern)])
            for k, dark in enumerate(pattern):
                if rng.random() < 0.5:
                    modules[line][start + k] = dark
                else:
                    modules[start + k][line] = dark
            for row in rng.sample(range(size), 3):  # whole lines of one colour
                modules[row] = [rng.random() < 0.5] * size
            for corner in ((0, 0), (0, size - 2), (size - 2, 0), (size - 2, size - 2)):
                dark = rng.random() < 0.5
                for i in range(2):
                    for j in range(2):
                        modules[corner[0] + i][corner[1] + j] = dark
            assert lost_point(modules) == package_lost_point(modules)


def test_penalties_of_a_stack_are_each_symbols_package_penalty() -> None:
    rng = random.Random(8)
    for size in (21, 25, 29, 45):
        stack = [
            _random_symbol(rng, size, rng.choice([0.1, 0.5, 0.9])) for _ in range(8)
        ]
        stack[3] = [[True] * size for _ in range(size)]  # one run across the whole symbol
        stack[4][-1] = [True] * size
        assert lost_points(stack) == [package_lost_point(m) for m in stack]


def test_drawing_a_code_imports_no_numpy() -> None:
    """Importing numpy cost a build's drawing child 0.1 s, more than its codes."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from microcred.site.images import qr_svg\n"
        "qr_svg('https://example.org/credentials/c-1/')\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
