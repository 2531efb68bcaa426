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
def _masks(size: int) -> Any:
    i, j = np.indices((size, size))
    return np.array(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )


def _run_points(stack: Any) -> Any:
    """Rule 1, along rows, for each symbol of a stack: each run of five or more
    same-coloured modules scores length - 2."""
    count, rows, size = stack.shape
    edges = np.ones((count, rows, size + 1), dtype=bool)
    edges[:, :, 1:size] = stack[:, :, 1:] != stack[:, :, :-1]
    starts = np.flatnonzero(edges.ravel())  # every row opens and closes a run
    lengths = np.diff(starts)
    long_runs = lengths >= 5
    owner = starts[:-1][long_runs] // (rows * (size + 1))
    return np.bincount(owner, weights=lengths[long_runs] - 2, minlength=count).astype(np.int64)


def _finder_points(stack: Any) -> Any:
    """Rule 3, along rows: 40 for each 1:1:3:1:1 pattern with four light modules beside it."""
    if stack.shape[2] < 11:
        return np.zeros(stack.shape[0], dtype=np.int64)
    windows = sliding_window_view(stack, 11, axis=2)
    found = (windows == _FINDER_LIKE[0]).all(-1) | (windows == _FINDER_LIKE[1]).all(-1)
    return 40 * found.sum(axis=(1, 2))


def lost_points(stack: Any) -> Any:
    """``qrcode.util.lost_point`` of each boolean matrix of a stack (the same four rules,
    the same sums), all at once."""
    size = stack.shape[1]
    columns = stack.transpose(0, 2, 1)
    points = _run_points(stack) + _run_points(columns)
    top_left = stack[:, :-1, :-1]
    same = (
        (top_left == stack[:, :-1, 1:])
        & (top_left == stack[:, 1:, :-1])
        & (top_left == stack[:, 1:, 1:])
    )
    points = points + 3 * same.sum(axis=(1, 2))
    points = points + _finder_points(stack) + _finder_points(columns)
    percent = stack.sum(axis=(1, 2)) / (size**2)
    return points + (np.abs(percent * 100 - 50) / 5).astype(np.int64) * 10


def lost_point(modules: Any) -> int:
    """``qrcode.util.lost_point`` of one boolean matrix."""
    return int(lost_points(modules[np.newaxis])[0])


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
        # the eight maskings at once; argmin keeps the first lowest, as the package does
        return int(np.argmin(lost_points(plain ^ (masks & free))))


def qr_matrix(data: str, *, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> Any:
    """The QR symbol (with a 2-module quiet zone) the ``qrcode`` package makes for ``data``."""
    code = _QRCode(error_correction=error_correction, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()
