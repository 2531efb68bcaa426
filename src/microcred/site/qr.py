"""The ``qrcode`` package's QR symbols, byte for byte, drawn several times faster.

The ``qrcode`` package picks the mask (ISO/IEC 18004 section 7.8.3: the one whose penalty is
lowest) by drawing the whole symbol eight times and scoring each in pure Python: about 8 ms a
code, a fifth of a cold site build (issue 12). Here the symbol is drawn once; the other seven
masked symbols follow by XOR on the data modules (test mode leaves format and version
modules light in every one), and the four penalty rules are counted with numpy, exactly as
``qrcode.util.lost_point`` counts them. The data modules are placed with numpy too, in the
package's order (cached per version), and the codewords and their error correction are
computed with an integer bit buffer and table rows instead of the package's bit-by-bit
buffer and polynomial objects; the function patterns are drawn by the package. The matrix
is the package's: tests/site/test_qr.py compares the two on random and real data at every
version and level.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache
from typing import Any

import numpy as np
import qrcode
from qrcode import base, exceptions, util

_CORE = (True, False, True, True, True, False, True)  # the 1:1:3:1:1 dark-light pattern


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
    """Rule 3, along rows: 40 for each 1:1:3:1:1 pattern with four light modules beside it.

    The two 11-module patterns share their dark-light-dark core (1 0 1 1 1 0 1) and differ
    in the side the four light modules are on, so the core and the light runs are found
    once each, by comparing shifted views (no 11-wide window is ever built)."""
    size = stack.shape[2]
    if size < 11:
        return np.zeros(stack.shape[0], dtype=np.int64)
    width = size - 6  # where a 7-module core can start
    core = stack[:, :, 0:width].copy()
    for k, dark in enumerate(_CORE[1:], start=1):
        core &= stack[:, :, k : k + width] if dark else ~stack[:, :, k : k + width]
    light = ~stack[:, :, 0 : size - 3]  # four light modules starting here
    for k in range(1, 4):
        light &= ~stack[:, :, k : k + size - 3]
    count = size - 10  # where an 11-module pattern can start
    found = core[:, :, 0:count] & light[:, :, 7 : 7 + count]  # core, then four light
    found |= light[:, :, 0:count] & core[:, :, 4 : 4 + count]  # four light, then core
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


@cache
def _data_positions(version: int) -> tuple[Any, Any]:
    """Rows and columns of the data modules of a version, in the order the package's
    ``map_data`` fills them (two-module columns, right to left, zigzagging up and down,
    skipping the vertical timing pattern), and the boolean matrix of those modules."""
    blank = qrcode.QRCode(version=version)
    blank.modules_count = size = version * 4 + 17
    blank.modules = [[None] * size for _ in range(size)]
    blank.setup_position_probe_pattern(0, 0)
    blank.setup_position_probe_pattern(size - 7, 0)
    blank.setup_position_probe_pattern(0, size - 7)
    blank.setup_position_adjust_pattern()
    blank.setup_timing_pattern()
    blank.setup_type_info(True, 0)
    if version >= 7:
        blank.setup_type_number(True)
    rows, cols = [], []
    upward = True
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for row in range(size - 1, -1, -1) if upward else range(size):
            for col in (right, right - 1):
                if blank.modules[row][col] is None:
                    rows.append(row)
                    cols.append(col)
        upward = not upward
    free = np.zeros((size, size), dtype=bool)
    free[rows, cols] = True
    return (np.array(rows), np.array(cols)), free


class _Bits(util.BitBuffer):  # type: ignore[misc]
    """The package's bit buffer, kept as one integer: ``put`` shifts instead of looping."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.put(1 if bit else 0, 1)

    def whole_bytes(self) -> list[int]:
        spare = -self.length % 8
        return list((self.value << spare).to_bytes((self.length + spare) // 8, "big"))


def _header_and_data(bits: _Bits, data_list: Any, sizes: Any) -> None:
    for data in data_list:
        bits.put(data.mode, 4)
        bits.put(len(data), sizes[data.mode])
        data.write(bits)


@cache
def _products(ec_count: int) -> list[list[int]]:
    """For each byte, its products with the generator polynomial's coefficients (after the
    leading one) in GF(256): the error-correction remainder then takes one XOR row per
    data byte."""
    generator = util.LUT.rsPoly_LUT.get(ec_count)
    if generator is None:
        poly = base.Polynomial([1], 0)
        for i in range(ec_count):
            poly = poly * base.Polynomial([1, base.gexp(i)], 0)
        generator = [poly[i] for i in range(len(poly))]
    tail = generator[1:]
    rows = [[0] * ec_count]
    for factor in range(1, 256):
        log = base.glog(factor)
        rows.append([base.gexp(base.glog(c) + log) if c else 0 for c in tail])
    return rows


def _error_correction(data: list[int], ec_count: int) -> list[int]:
    """The Reed-Solomon remainder of ``data`` times x^ec_count (the package's ``%``)."""
    products = _products(ec_count)
    rest = [0] * ec_count
    for byte in data:
        row = products[byte ^ rest[0]]
        rest = [a ^ b for a, b in zip([*rest[1:], 0], row, strict=True)]
    return rest


def _create_data(version: int, error_correction: int, data_list: Any) -> list[int]:
    """``qrcode.util.create_data``: the codewords, data then error correction, interleaved."""
    bits = _Bits()
    _header_and_data(bits, data_list, util.mode_sizes_for_version(version))
    blocks = base.rs_blocks(version, error_correction)
    limit = sum(block.data_count * 8 for block in blocks)
    if bits.length > limit:
        raise exceptions.DataOverflowError(
            f"Code length overflow. Data size ({bits.length}) > size available ({limit})"
        )
    bits.put(0, min(limit - bits.length, 4))  # the terminator
    bits.put(0, -bits.length % 8)  # to a whole byte
    for i in range((limit - bits.length) // 8):
        bits.put(util.PAD1 if i % 2 else util.PAD0, 8)
    codewords = bits.whole_bytes()
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = codewords[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_error_correction(chunk, block.total_count - block.data_count))
    out: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(map(len, group))):
            out.extend(part[i] for part in group if i < len(part))
    return out


class _QRCode(qrcode.QRCode):  # type: ignore[misc]
    """The package's QR code; the data modules are placed and the best mask is found with
    numpy (the package's own drawing of the function patterns is kept)."""

    modules: Any
    data_cache: Any

    def best_fit(self, start: int | None = None) -> int:
        """The package's version search, counting the bits with :class:`_Bits`."""
        version = 1 if start is None else start
        util.check_version(version)
        while True:
            sizes = util.mode_sizes_for_version(version)
            bits = _Bits()
            _header_and_data(bits, self.data_list, sizes)
            found = bisect_left(util.BIT_LIMIT_TABLE[self.error_correction], bits.length, version)
            self.version = found  # as in the package: the setter refuses 41 (ValueError) first
            if found == 41:
                raise exceptions.DataOverflowError()
            if sizes is util.mode_sizes_for_version(found):
                return found
            version = found

    def makeImpl(self, test: bool, mask_pattern: int) -> None:
        if self.data_cache is None:
            self.data_cache = _create_data(self.version, self.error_correction, self.data_list)
        super().makeImpl(test, mask_pattern)

    def map_data(self, data: Any, mask_pattern: int) -> None:
        """The package's ``map_data``, at once: data bits in module order (light once the
        data runs out), XOR the mask, into the modules left free."""
        where, _ = _data_positions(self.version)
        count = len(where[0])
        bits = np.unpackbits(np.array(data, dtype=np.uint8))[:count].astype(bool)
        if len(bits) < count:
            bits = np.concatenate([bits, np.zeros(count - len(bits), dtype=bool)])
        size = self.modules_count
        grid = np.array(self.modules, dtype=np.bool_)  # free modules (None) read as light
        grid[where] = bits ^ _masks(size)[mask_pattern][where]
        self.modules = grid.tolist()

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)
        drawn = np.array(self.modules, dtype=bool)
        _, free = _data_positions(self.version)
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
