"""Status indexes of a program: list URL, state file and allocator per purpose."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from microcred.layout import ProgramPaths
from microcred.layout import status_list_url as _list_url
from microcred.model import Program
from microcred.status.allocate import StatusAllocator
from microcred.status.entry import make_entry


def status_list_url(program: Program, purpose: str) -> str:
    return _list_url(program.site.base_url, purpose)


def status_state_path(root: Path, purpose: str) -> Path:
    return ProgramPaths(root).status_state(purpose)


def open_allocator(root: Path, program: Program, purpose: str) -> StatusAllocator:
    return StatusAllocator.open(
        status_state_path(root, purpose),
        list_url=status_list_url(program, purpose),
        purpose=purpose,
        size=program.site.status_list_size,
    )


def purposes(program: Program) -> tuple[str, ...]:
    return ("revocation", "suspension") if program.site.suspension else ("revocation",)


def _reserve_indexes(
    root: Path, program: Program, ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Status entries for ``ids``, every new index saved (one fsync per list) before returning."""
    entries: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for purpose in purposes(program):
        allocator = open_allocator(root, program, purpose)
        url = status_list_url(program, purpose)
        with allocator.batch():
            for cred_id in ids:
                entries[cred_id].append(make_entry(url, allocator.index_for(cred_id), purpose))
    return entries
