"""The school's credit policy (TOML): which credentials earn how many credits, and limits.

Every problem in the file is reported at once as ``file:line: $.path: message (fix)``; a policy
with any problem is refused whole, so nothing is imported under a half-understood policy.
See docs/import.md for a commented example. Rules are tried in file order; the first rule whose
every given criterion matches decides (a rule with no criteria matches everything).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Decimal,
    localcontext,
)
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError, Problem, ProblemsError
from microcred.records.paths import Path_, format_path
from microcred.records.tomlconf import TomlProblem, load_toml

ROUNDING = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_FLOOR,
    "up": ROUND_CEILING,
}
HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})
_TOP = {
    "name": "a name for this policy, shown in exports and transcripts",
    "unit": 'the school\'s credit unit, e.g. "ECTS"',
    "rounding": "half_up, half_even, down or up",
    "step": "round credits to a multiple of this, e.g. 0.5",
    "hours_per_unit": "hours of work that make one school credit",
    "unmatched": '"reject" or "review": what a credential no rule matches gets',
    "review_above": "credentials worth more credits than this always need manual review",
    "conversion": "a table: issuer unit = school credits per issuer unit",
    "caps": "a table with per_term and/or per_issuer",
    "rule": "[[rule]] tables",
    "school": "the [school] section transcripts are signed with (registry/school.py)",
}
_RULE = {
    "name": "a name for the rule",
    "issuers": "issuer DIDs",
    "achievement_types": "OB achievementType values",
    "achievements": "achievement ids",
    "alignments": "alignment targetUrl or targetCode values",
    "credits": "fixed school credits (omit to convert what the issuer states)",
    "issuer_unit": "the unit to assume when a credential states credits without one",
    "review": "true: always needs manual review",
    "reject": "true: credentials matching this rule earn nothing",
}
_CAPS = {"per_term": "credits per learner per term", "per_issuer": "per learner, term and issuer"}
_ARRAY_HEADER = re.compile(r"\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(?:#.*)?\Z")
_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(?:#.*)?\Z")
_KEY = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


@dataclass(frozen=True)
class Rule:
    name: str
    issuers: tuple[str, ...] = ()
    achievement_types: tuple[str, ...] = ()
    achievements: tuple[str, ...] = ()
    alignments: tuple[str, ...] = ()
    credits: Decimal | None = None
    issuer_unit: str | None = None
    review: bool = False
    reject: bool = False


@dataclass(frozen=True)
class Policy:
    """A loaded policy; :meth:`default` (no ``--policy``) credits what the issuer states."""

    name: str | None
    unit: str | None
    rules: tuple[Rule, ...] = ()
    conversion: Mapping[str, Decimal] = field(default_factory=dict)
    rounding: str = "half_up"
    step: Decimal = Decimal("0.01")
    hours_per_unit: Decimal | None = None
    unmatched: str = "reject"
    review_above: Decimal | None = None
    cap_per_term: Decimal | None = None
    cap_per_issuer: Decimal | None = None
    source: str = ""

    @classmethod
    def default(cls) -> Policy:
        return cls(name=None, unit=None, rules=(Rule("(no policy)"),), unmatched="review")

    def round(self, value: Decimal) -> Decimal:
        # Enough digits for any float a credential can state (1e308 credits once raised
        # InvalidOperation: quantize needs every digit of the result within the precision).
        with localcontext() as ctx:
            ctx.prec = 1000
            steps = (value / self.step).quantize(Decimal(1), rounding=ROUNDING[self.rounding])
            return (steps * self.step).normalize() + Decimal(0)

    def factor(self, unit: str) -> Decimal | None:
        """School credits per one ``unit`` credit, or None when the policy cannot convert it."""
        key = unit.strip().casefold()
        if self.unit is None or key == self.unit.casefold():
            return Decimal(1)
        for name, factor in self.conversion.items():
            if name.casefold() == key:
                return factor
        if key in HOUR_UNITS and self.hours_per_unit:
            return Decimal(1) / self.hours_per_unit
        return None


def _lines(text: str) -> dict[Path_, int]:
    """Line of each table, ``[[rule]]`` entry and key (tomllib keeps no positions)."""
    out: dict[Path_, int] = {}
    table: Path_ = ()
    counts: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if m := _ARRAY_HEADER.match(line):
            index = counts.get(m.group(1), 0)
            counts[m.group(1)] = index + 1
            table = (m.group(1), index)
            out.setdefault(table, number)
        elif m := _HEADER.match(line):
            table = (m.group(1),)
            out.setdefault(table, number)
        elif m := _KEY.match(line):
            key = m.group(1).strip("\"'")
            out.setdefault((*table, key), number)
    return out


class _Checker:
    def __init__(self, source: str, lines: dict[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def bad(self, path: Path_, message: str) -> None:
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        self.problems.append(Problem(self.source, line or 1, format_path(path), message))

    def number(self, value: Any, path: Path_, *, positive: bool = False) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, f"must be a number, not {value!r}")
            return None
        number = Decimal(str(value))
        if not number.is_finite() or number < 0 or (positive and number == 0):
            self.bad(path, f"must be a {'positive' if positive else 'non-negative'} number")
            return None
        return number

    def text(self, value: Any, path: Path_) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.bad(path, "must be a non-empty string")
            return None
        return value.strip()

    def texts(self, value: Any, path: Path_) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.bad(path, 'must be a string or a non-empty list of strings, e.g. ["…"]')
            return ()
        out = [self.text(v, (*path, i)) for i, v in enumerate(items)]
        return tuple(v for v in out if v is not None)

    def flag(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            self.bad(path, "must be true or false")
            return False
        return value

    def unknown(self, table: Mapping[str, Any], allowed: Mapping[str, str], path: Path_) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(allowed)
                self.bad((*path, key), f"unknown key {key!r} (known keys: {known})")

    def rule(self, raw: Any, index: int) -> Rule | None:
        path: Path_ = ("rule", index)
        if not isinstance(raw, Mapping):
            self.bad(path, "must be a [[rule]] table")
            return None
        self.unknown(raw, _RULE, path)
        name = self.text(raw.get("name"), (*path, "name")) if "name" in raw else None
        if "name" not in raw:
            self.bad(path, 'every rule needs a name = "…" (it is recorded with each decision)')
        lists = {
            k: self.texts(raw[k], (*path, k))
            for k in ("issuers", "achievement_types", "achievements", "alignments")
            if k in raw
        }
        credits = self.number(raw["credits"], (*path, "credits")) if "credits" in raw else None
        unit = (
            self.text(raw["issuer_unit"], (*path, "issuer_unit")) if "issuer_unit" in raw else None
        )
        review = self.flag(raw["review"], (*path, "review")) if "review" in raw else False
        reject = self.flag(raw["reject"], (*path, "reject")) if "reject" in raw else False
        if review and reject:
            self.bad(path, "a rule cannot both reject and send to review; keep one of them")
        if name is None:
            return None
        return Rule(name, credits=credits, issuer_unit=unit, review=review, reject=reject, **lists)


def parse_policy(data: Mapping[str, Any], source: str, lines: dict[Path_, int]) -> Policy:
    check = _Checker(source, lines)
    check.unknown(data, _TOP, ())
    name = check.text(data.get("name"), ("name",)) if "name" in data else None
    unit = check.text(data.get("unit"), ("unit",)) if "unit" in data else None
    for key, hint in (
        ("name", 'name = "Example College credit policy"'),
        ("unit", 'unit = "ECTS"'),
    ):
        if key not in data:
            check.bad((), f"missing {key}: add {hint}")
    rounding = data.get("rounding", "half_up")
    if rounding not in ROUNDING:
        check.bad(("rounding",), f"{rounding!r} is not one of {', '.join(ROUNDING)}")
        rounding = "half_up"
    step = check.number(data.get("step", 0.01), ("step",), positive=True) or Decimal("0.01")
    hours = data.get("hours_per_unit")
    hours_per_unit = check.number(hours, ("hours_per_unit",), positive=True) if hours else None
    if hours == 0:
        check.bad(("hours_per_unit",), "must be a positive number of hours")
    unmatched = data.get("unmatched", "reject")
    if unmatched not in ("reject", "review"):
        check.bad(("unmatched",), f'{unmatched!r} must be "reject" or "review"')
    above = data.get("review_above")
    review_above = check.number(above, ("review_above",)) if above is not None else None
    conversion: dict[str, Decimal] = {}
    raw_conv = data.get("conversion", {})
    if not isinstance(raw_conv, Mapping):
        check.bad(("conversion",), "must be a [conversion] table of unit = factor")
    else:
        for key, value in raw_conv.items():
            factor = check.number(value, ("conversion", key), positive=True)
            if factor is not None:
                conversion[key] = factor
    caps = data.get("caps", {})
    per_term = per_issuer = None
    if not isinstance(caps, Mapping):
        check.bad(("caps",), "must be a [caps] table")
    else:
        check.unknown(caps, _CAPS, ("caps",))
        if "per_term" in caps:
            per_term = check.number(caps["per_term"], ("caps", "per_term"))
        if "per_issuer" in caps:
            per_issuer = check.number(caps["per_issuer"], ("caps", "per_issuer"))
    raw_rules = data.get("rule", [])
    rules: list[Rule] = []
    if not isinstance(raw_rules, Sequence) or isinstance(raw_rules, str):
        check.bad(("rule",), "write rules as [[rule]] tables")
    else:
        for index, raw in enumerate(raw_rules):
            rule = check.rule(raw, index)
            if rule is not None:
                rules.append(rule)
        if not raw_rules:
            check.bad((), "no [[rule]]: add at least one rule saying which credentials earn credit")
    if check.problems:
        raise ProblemsError(check.problems)
    assert name is not None and unit is not None
    return Policy(
        name=name,
        unit=unit,
        rules=tuple(rules),
        conversion=conversion,
        rounding=str(rounding),
        step=step,
        hours_per_unit=hours_per_unit,
        unmatched=str(unmatched),
        review_above=review_above,
        cap_per_term=per_term,
        cap_per_issuer=per_issuer,
        source=source,
    )


def load_policy(path: Path) -> Policy:
    """Read and check a policy file; raises ProblemsError listing every problem, with lines."""
    data, text = read_policy_file(path)
    return parse_policy(data, str(path), _lines(text))


def read_policy_file(path: Path) -> tuple[Mapping[str, Any], str]:
    """The policy file's top table and its text (for line numbers); one reader for every section."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"policy file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read policy file {path}: {exc.strerror or exc}", hint="check the path"
        ) from None
    try:
        located = load_toml(text)
    except TomlProblem as exc:
        raise ProblemsError([Problem(str(path), exc.line, "", exc.message)]) from None
    if not isinstance(located.data, Mapping):
        raise ProblemsError([Problem(str(path), 1, "", "a policy must be a TOML table")])
    return located.data, text
