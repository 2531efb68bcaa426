"""One error base whose ``diagnostics()`` is the text a user sees.

Every layer raises a subclass of :class:`MicrocredError`; only ``cli.py`` turns it into
output and an exit code, so no traceback ever reaches a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from microcred.problem import Problem as Problem


class MicrocredError(Exception):
    """Base error; ``message`` says what is wrong, ``hint`` what to do about it.

    ``code`` uses the W3C problem names where one applies (``DATA_LOSS_DETECTION_ERROR``...)
    so the verifier can report it unchanged.
    """

    code: str = "MICROCRED_ERROR"

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        if code is not None:
            self.code = code

    def diagnostics(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.diagnostics()


class ProblemsError(MicrocredError):
    """Several located problems found in one pass (``microcred check`` reports all of them)."""

    code = "INVALID_RECORDS"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) found")

    def diagnostics(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class JsonLdError(MicrocredError):
    """JSON-LD processing refused: unknown context, data loss, poisoned graph..."""

    code = "PROOF_TRANSFORMATION_ERROR"


class ProofError(MicrocredError):
    """A proof could not be created or does not verify."""

    code = "PROOF_VERIFICATION_ERROR"


class KeyError_(MicrocredError):
    """A key file is unreadable, inconsistent, encrypted with another passphrase..."""

    code = "INVALID_KEY"


class SchemaError(MicrocredError):
    """A document does not conform to a JSON Schema."""

    code = "MALFORMED_VALUE_ERROR"


class StatusError(MicrocredError):
    """Bitstring status list problems (encoding, range, allocation)."""

    code = "STATUS_VERIFICATION_ERROR"


class ConfigError(MicrocredError):
    """The program folder or a command's arguments are not usable as given."""

    code = "USAGE_ERROR"


def __getattr__(name: str) -> Any:
    """``Problem`` lives in microcred/problem.py and is loaded when first asked for: it is a
    dataclass, and ``dataclasses`` imports ``inspect`` (15-20 ms), which an unchanged
    ``microcred build`` (cli/_quick.py), raising no located problem, never needs."""
    if name == "Problem":
        from microcred.problem import Problem

        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
