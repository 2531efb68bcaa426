"""One located problem in a user file (``microcred.errors.Problem``, loaded on first use)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a user file: ``path:line: $.pointer: message``."""

    path: str
    line: int | None
    pointer: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.pointer:
            return f"{where}: {self.pointer}: {self.message}"
        return f"{where}: {self.message}"
