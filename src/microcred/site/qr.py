"""QR codes with the ``qrcode`` package's own encoding, and its mask choice computed at once.

The ``qrcode`` package picks the mask (ISO/IEC 18004 section 7.8.3: the one whose penalty is
lowest) by drawing the whole symbol eight times and scoring each in pure Python: about 8 ms a
code, a fifth of a cold site build (issue 12). Here the symbol is drawn once; the other seven
masked symbols follow by XOR on the data modules (test mode leaves format and version
modules light in every one), and the four penalty rules are counted with numpy, exactly as
``qrcode.util.lost_point`` counts them. The symbol is then drawn with the chosen mask by the
package itself, so the matrix is the package's; tests/site/test_qr.py compares the two on
random and real data.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import qrcode
from numpy.lib.stride_tricks import sliding_window_view

_FINDER_LIKE = (
    np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool),
    np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool),
)


@cache
def _masks(size: int) -> list[Any]:
    i, j = np.indices((size, size))
    return [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    ]


def _run_points(modules: Any) -> int:
    """Rule 1, along rows: each run of five or more same-coloured modules scores length - 2."""
    rows, size = modules.shape
    edges = np.ones((rows, size + 1), dtype=bool)
    edges[:, 1:size] = modules[:, 1:] != modules[:, :-1]
    lengths = np.diff(np.flatnonzero(edges.ravel()))
    long_runs = lengths[lengths >= 5]
    return int((long_runs - 2).sum())


def _finder_points(modules: Any) -> int:
    """Rule 3, along rows: 40 for each 1:1:3:1:1 pattern with four light modules beside it."""
    if modules.shape[1] < 11:
        return 0
    windows = sliding_window_view(modules, 11, axis=1)
    found = (windows == _FINDER_LIKE[0]).all(-1) | (windows == _FINDER_LIKE[1]).all(-1)
    return 40 * int(found.sum())


def lost_point(modules: Any) -> int:
    """``qrcode.util.lost_point`` of a boolean matrix (the same four rules, the same sums)."""
    size = modules.shape[0]
    points = _run_points(modules) + _run_points(modules.T)
    top_left = modules[:-1, :-1]
    same = (
        (top_left == modules[:-1, 1:])
        & (top_left == modules[1:, :-1])
        & (top_left == modules[1:, 1:])
    )
    points += 3 * int(same.sum())
    points += _finder_points(modules) + _finder_points(modules.T)
    percent = float(int(modules.sum())) / (size**2)
    points += int(abs(percent * 100 - 50) / 5) * 10
    return points


class _QRCode(qrcode.QRCode):  # type: ignore[misc]
    """The package's QR code; only the search for the best mask is done differently."""

    _free: list[list[bool]]

    def map_data(self, data: Any, mask_pattern: int) -> None:
        self._free = [[module is None for module in row] for row in self.modules]
        super().map_data(data, mask_pattern)

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)
        drawn = np.array(self.modules, dtype=bool)
        free = np.array(self._free, dtype=bool)
        masks = _masks(drawn.shape[0])
        plain = drawn ^ (masks[0] & free)
        best, best_points = 0, 0
        for pattern, mask in enumerate(masks):
            points = lost_point(plain ^ (mask & free))
            if pattern == 0 or best_points > points:
                best, best_points = pattern, points
        return best


def qr_matrix(data: str, *, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> Any:
    """The QR symbol (with a 2-module quiet zone) the ``qrcode`` package makes for ``data``."""
    code = _QRCode(error_correction=error_correction, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()
