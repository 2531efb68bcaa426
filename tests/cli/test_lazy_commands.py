"""Commands import only their own module (issue 12: a one-file verify starts fast)."""

from __future__ import annotations

import json
import subprocess
import sys

from microcred.cli import COMMAND_MODULES, main

HEAVY = ("mkdocs", "jinja2", "requests", "sqlite3", "microcred.site", "microcred.publish")


def test_verify_loads_neither_the_site_nor_network_nor_sql(tmp_path: object) -> None:
    code = (
        "import sys, json\n"
        "from microcred.cli import main\n"
        "try:\n"
        "    main(['verify', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(run.stdout.splitlines()[-1])
    assert "microcred.cli.verify_cmd" in loaded
    assert "microcred.cli.build_cmd" not in loaded
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == []


def test_the_command_table_is_complete_when_read() -> None:
    names = set(main.commands)
    assert {"verify", "sign", "build", "issue", "keys", "bake", "unbake"} <= names
    assert len(COMMAND_MODULES) == len(set(COMMAND_MODULES))
