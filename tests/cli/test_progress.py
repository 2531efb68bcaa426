"""The progress bar is drawn on a terminal only; elsewhere rich is not even imported."""

from __future__ import annotations

import subprocess
import sys


def test_off_a_terminal_rich_is_not_even_loaded() -> None:
    code = (
        "import sys\n"
        "from microcred.cli._common import progress_bar\n"
        "with progress_bar('Building') as update:\n"
        "    update(1, 2, 'x')\n"
        "    update(2, 2, 'y')\n"
        "print('rich' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False" and out.stderr == ""
