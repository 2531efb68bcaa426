"""Command modules imported on demand (issue 12: a one-file verify must start fast).

Importing every command module eagerly pulled the site builder, mkdocs, jinja2, issuing and
publishing into ``microcred verify``. Here the group imports only the module of the command
that runs (``<name>_cmd``, by convention); anything that looks at the whole command table
(``--help``, tests walking ``main.commands``) imports all of them, in registration order, so
the table is always complete when read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

AfterLoad = Callable[[click.Group], None]


class LazyCommands(dict[str, click.Command]):
    """``group.commands`` that imports the command modules the first time it is read."""

    def __init__(self, load_all: Callable[[], None], ready: Callable[[], bool]) -> None:
        super().__init__()
        self._load_all = load_all
        self._ready = ready

    def _complete(self) -> None:
        if not self._ready():
            self._load_all()

    def __getitem__(self, key: str) -> click.Command:
        self._complete()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._complete()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._complete()
        return super().__iter__()

    def __len__(self) -> int:
        self._complete()
        return super().__len__()

    def get(self, key: str, default: Any = None) -> Any:
        self._complete()
        return super().get(key, default)

    def keys(self) -> Any:
        self._complete()
        return super().keys()

    def values(self) -> Any:
        self._complete()
        return super().values()

    def items(self) -> Any:
        self._complete()
        return super().items()

    def peek(self, key: str) -> click.Command | None:
        """The command if its module is already loaded; never imports anything."""
        return super().get(key)


class LazyLoader:
    """Imports ``microcred.cli.<module>`` and calls its ``register(group)`` once per module."""

    def __init__(self, group: click.Group, modules: Sequence[str], after: AfterLoad) -> None:
        self.group = group
        self.modules = tuple(modules)
        self.after = after
        self.loaded: set[str] = set()
        self.busy = False
        self.commands = LazyCommands(self.load_all, self.ready)
        group.commands = self.commands

    def ready(self) -> bool:
        return self.busy or len(self.loaded) == len(self.modules)

    def load(self, module: str) -> None:
        if module in self.loaded:
            return
        self.busy = True
        try:
            importlib.import_module(f"microcred.cli.{module}").register(self.group)
            self.loaded.add(module)
            self.after(self.group)
        finally:
            self.busy = False

    def load_all(self) -> None:
        for module in self.modules:
            self.load(module)

    def command(self, name: str) -> click.Command | None:
        """The command ``name``, importing its own module first when the name says which."""
        module = f"{name}_cmd"
        if module in self.modules:
            self.load(module)
            found = self.commands.peek(name)
            if found is not None:
                return found
        found = self.commands.get(name)
        return found if isinstance(found, click.Command) else None
