"""Strict JSON parsing (implemented in :mod:`microcred._util`, where ``proof`` can use it too):
only I-JSON (RFC 7493) goes in, so every later layer sees one meaning.

Python's ``json`` keeps the last of duplicate keys, accepts ``NaN``/``Infinity``, keeps lone
surrogates from ``\\ud800`` escapes, turns ``1e400`` into ``inf`` and raises ``RecursionError``
on deep nesting. Signers and verifiers in other languages disagree on exactly those inputs
(MC-19, MC-61), so they are refused here, before any JSON-LD or canonicalization work.
"""

from microcred._util import MAX_SAFE_INTEGER as MAX_SAFE_INTEGER
from microcred._util import loads_strict as loads_strict
