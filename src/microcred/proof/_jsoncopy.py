"""Deep copies of JSON data, fast (issue 12: about a sixth of signing time was copying)."""

from __future__ import annotations

import copy
import marshal
from typing import Any


def json_copy(value: Any) -> Any:
    """A deep copy. Plain data (dict, list, str, numbers, bool, None, tuples) goes through
    marshal, several times faster than ``copy.deepcopy`` and equal to it for such data;
    anything else (a Mapping subclass, a custom object) is copied the slow way."""
    try:
        data = marshal.dumps(value)
    except ValueError:
        return copy.deepcopy(value)
    return marshal.loads(data)  # noqa: S302 (bytes made on the line above, never input)
