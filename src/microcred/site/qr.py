"""The ``qrcode`` package's QR symbols, byte for byte, drawn several times faster.

The ``qrcode`` package picks the mask (ISO/IEC 18004 section 7.8.3: the one whose penalty is
lowest) by drawing the whole symbol eight times and scoring each in pure Python: about 8 ms a
code, a fifth of a cold site build (issue 12). Here the symbol is drawn once; the other seven
masked symbols follow by XOR on the data modules (test mode leaves format and version
modules light in every one), and the four penalty rules are counted exactly as
``qrcode.util.lost_point`` counts them, on every line at once: the symbol's rows and columns
are one integer (bit i * size + j is module j of line i), so the runs, 2x2 blocks and
finder-like patterns of all of them are a few shifts, ANDs and a ``bit_count``. The data
modules are placed in the package's order (cached per version, a row at a time), and the
codewords and their error correction are computed with an integer bit buffer and table rows
instead of the package's bit-by-bit buffer and polynomial objects; the function patterns are
drawn by the package. No numpy: importing it cost a build's drawing child 0.1 s, more than
drawing its codes (0.55 ms each). The matrix is the package's: tests/site/test_qr.py compares
the two on random and real data at every version and level.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

import qrcode
from qrcode import base, exceptions, util

Matrix = Sequence[Sequence[bool]]
"""Rows of modules, True when dark."""

_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _symbol(modules: Matrix) -> tuple[int, int]:
    """The symbol's rows and its columns, each as one integer: bit i * size + j is the
    module at row i, column j (of the rows), or at row j, column i (of the columns)."""
    rows = b"".join(map(bytes, modules)).translate(_DIGITS)
    columns = b"".join(map(bytes, zip(*modules, strict=True))).translate(_DIGITS)
    return int(rows[::-1], 2), int(columns[::-1], 2)


@cache
def _windows(size: int) -> tuple[int, int, int, int]:
    """Where, in a symbol's rows and then its columns as one integer, a window of 2, 5 and
    11 modules along a line starts; and a 2x2 block in its rows: shifting the integer moves
    the next modules of the same line under each start."""

    def starts(lines: int, per_line: int) -> int:
        line = (1 << per_line) - 1 if per_line > 0 else 0
        return sum(line << (i * size) for i in range(lines))

    return (
        starts(2 * size, size - 1),
        starts(2 * size, size - 4),
        starts(2 * size, size - 10),
        starts(size - 1, size - 1),
    )


def _points(rows: int, columns: int, size: int) -> int:
    """``qrcode.util.lost_point`` of the symbol with these rows and columns (see
    :func:`_symbol`): the package's four rules, every line at once."""
    pairs, fives, elevens, blocks = _windows(size)
    lines = rows | (columns << (size * size))
    # rule 1: each run of five or more same-coloured modules scores its length - 2, that is
    # one per window of five in it, and two for its start
    same = ~(lines ^ (lines >> 1)) & pairs
    run = same & (same >> 1) & (same >> 2) & (same >> 3) & fives
    points = run.bit_count() + 2 * (run & ~(run << 1)).bit_count()
    # rule 2: each 2x2 block of one colour scores 3
    below = rows >> size
    square = ~(rows ^ (rows >> 1)) & ~(rows ^ below) & ~(rows ^ (below >> 1)) & blocks
    points += 3 * square.bit_count()
    # rule 3: each 1:1:3:1:1 pattern (dark, light, three dark, light, dark) with four light
    # modules on one side of it scores 40
    core = lines & ~(lines >> 1) & (lines >> 2) & (lines >> 3) & (lines >> 4)
    core &= ~(lines >> 5) & (lines >> 6)
    light = ~(lines | (lines >> 1) | (lines >> 2) | (lines >> 3))
    points += 40 * (((core & (light >> 7)) | (light & (core >> 4))) & elevens).bit_count()
    # rule 4: the share of dark modules, in the package's floating point
    percent = rows.bit_count() / (size**2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


def lost_point(modules: Matrix) -> int:
    """``qrcode.util.lost_point`` of one square matrix of modules."""
    return _points(*_symbol(modules), len(modules))


def lost_points(stack: Sequence[Matrix]) -> list[int]:
    """:func:`lost_point` of each matrix of a stack."""
    return [lost_point(modules) for modules in stack]


class _Layout(NamedTuple):
    """Where a version's data modules are, and each mask over them."""

    positions: list[tuple[int, int]]
    """(row, column) of each data module, in the order the package's ``map_data`` fills them."""
    masks: list[int]
    """Per mask, its value at each position, as an integer (the first position is the
    highest bit): the data bits are XORed with it in one go."""
    rows: list[int]
    """Per mask, the data modules it darkens, as :func:`_symbol`'s rows."""
    columns: list[int]
    """The same, as :func:`_symbol`'s columns."""
    fill: list[Callable[[list[Any], list[bool]], tuple[Any, ...]] | None]
    """Per row, from the row (None where data goes) and the data bits in position order, the
    row with its data modules in place (None: a row without data modules)."""


@cache
def _layout(version: int) -> _Layout:
    """The data modules of a version, in the order the package's ``map_data`` fills them
    (two-module columns, right to left, zigzagging up and down, skipping the vertical
    timing pattern), with the eight masks over them."""
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
    positions = []
    upward = True
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for row in range(size - 1, -1, -1) if upward else range(size):
            for col in (right, right - 1):
                if blank.modules[row][col] is None:
                    positions.append((row, col))
        upward = not upward
    masks, rows, columns = [], [], []
    for pattern in range(8):
        darkens = util.mask_func(pattern)
        on = [darkens(row, col) for row, col in positions]
        masks.append(int("".join("1" if dark else "0" for dark in on), 2))
        by_row, by_column = bytearray(b"0" * size * size), bytearray(b"0" * size * size)
        for (row, col), dark in zip(positions, on, strict=True):
            if dark:
                by_row[row * size + col] = by_column[col * size + row] = ord("1")
        rows.append(int(by_row[::-1], 2))
        columns.append(int(by_column[::-1], 2))
    by_line: list[list[tuple[int, int]]] = [[] for _ in range(size)]
    for k, (row, col) in enumerate(positions):
        by_line[row].append((col, k))
    fill: list[Callable[[list[Any], list[bool]], tuple[Any, ...]] | None] = []
    for order in map(sorted, by_line):
        if not order:
            fill.append(None)
            continue
        pick = _getter([k for _, k in order])  # this row's data bits, left to right
        where = {col: size + rank for rank, (col, _) in enumerate(order)}
        put = _getter([where.get(col, col) for col in range(size)])
        fill.append(_filler(pick, put))
    return _Layout(positions, masks, rows, columns, fill)


def _filler(
    pick: Callable[[Sequence[Any]], tuple[Any, ...]],
    put: Callable[[Sequence[Any]], tuple[Any, ...]],
) -> Callable[[list[Any], list[bool]], tuple[Any, ...]]:
    def fill(line: list[Any], bits: list[bool]) -> tuple[Any, ...]:
        return put([*line, *pick(bits)])

    return fill


def _getter(indexes: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The items at ``indexes``, always as a tuple (``itemgetter`` of one index is not)."""
    if len(indexes) == 1:
        (index,) = indexes
        return lambda items: (items[index],)
    return itemgetter(*indexes)


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
    """The package's QR code; the data modules are placed and the best mask is found a line
    at a time (the package's own drawing of the function patterns is kept)."""

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
        layout = _layout(self.version)
        count, length = len(layout.positions), 8 * len(data)
        bits = int.from_bytes(bytes(data), "big")
        bits = bits >> (length - count) if length >= count else bits << (count - length)
        placed = list(
            map(
                bool,
                format(bits ^ layout.masks[mask_pattern], f"0{count}b").encode().translate(_BITS),
            )
        )
        modules = self.modules
        for index, fill in enumerate(layout.fill):
            if fill is not None:
                modules[index] = list(fill(modules[index], placed))

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)
        layout = _layout(self.version)
        rows, columns = _symbol(self.modules)
        rows ^= layout.rows[0]  # the symbol as drawn with mask 0, unmasked: each masking
        columns ^= layout.columns[0]  # is then one XOR
        size = self.modules_count
        points = [
            _points(rows ^ layout.rows[mask], columns ^ layout.columns[mask], size)
            for mask in range(8)
        ]
        return points.index(min(points))  # the first lowest, as the package keeps


def qr_matrix(data: str, *, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> Any:
    """The QR symbol (with a 2-module quiet zone) the ``qrcode`` package makes for ``data``."""
    code = _QRCode(error_correction=error_correction, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()
