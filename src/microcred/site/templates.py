"""The Jinja2 environment that renders ``site_template/``: autoescaping always on.

Templates get user text only as plain strings (escaped on output), ``Markup`` from
:func:`microcred.site.safety.render_markdown`, or JSON through ``|tojson`` (which escapes
``<``, ``>``, ``&`` and ``'`` so a ``</script>`` in a credential cannot end the block).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from microcred.layout import template_dir
from microcred.site.compiled import use_compiled
from microcred.site.safety import bdi, plain_title, render_markdown, visible_identifier

_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _yaml(value: Any) -> Markup:
    """A YAML scalar that cannot start a tag, anchor or document: JSON is valid YAML.

    Text stays as it is (``ensure_ascii`` would turn an emoji into a surrogate pair, which
    YAML reads back as two invalid characters); only what YAML cannot hold raw is escaped.
    """
    text = json.dumps(value, ensure_ascii=False)
    text = _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return Markup(text)  # noqa: S704 - for YAML, not HTML


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _md(value: Any, heading_base: int = 3, scope: str = "t") -> Markup:
    return render_markdown(value, heading_base=heading_base, id_scope=scope)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir())),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    use_compiled(env)  # compiled once, loaded by later builds
    env.filters["yaml"] = _yaml
    env.filters["bdi"] = bdi
    env.filters["md"] = _md
    env.filters["ident"] = visible_identifier
    env.filters["plain_title"] = plain_title
    env.filters["number"] = _number
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
