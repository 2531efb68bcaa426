"""site/qr.py draws exactly the symbol the ``qrcode`` package draws, only faster."""

from __future__ import annotations

import random
import string

import numpy as np
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


def test_penalties_are_the_package_penalties() -> None:
    rng = random.Random(7)
    shapes = [np.zeros((21, 21), dtype=bool), np.ones((25, 25), dtype=bool)]
    for _ in range(200):
        size = rng.choice([21, 25, 33, 57])
        density = rng.random()
        shapes.append(
            np.array([[rng.random() < density for _ in range(size)] for _ in range(size)])
        )
    for modules in shapes:
        assert lost_point(modules) == package_lost_point(modules.tolist())


def test_penalties_of_a_stack_are_each_symbols_package_penalty() -> None:
    rng = random.Random(8)
    for size in (21, 25, 29, 45):
        stack = np.array(
            [
                [
                    [rng.random() < rng.choice([0.1, 0.5, 0.9]) for _ in range(size)]
                    for _ in range(size)
                ]
                for _ in range(8)
            ]
        )
        stack[3] = True  # one run across the whole symbol, next to others
        stack[4, -1] = True
        got = lost_points(stack)
        assert [int(p) for p in got] == [package_lost_point(m.tolist()) for m in stack]
