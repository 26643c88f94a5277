"""Layers are checked by tools: import-linter's contracts, and headless commands that never
import Textual (importing it costs time before anything happens)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import sys
from click.testing import CliRunner
from retention_tui.cli import cli
result = CliRunner().invoke(cli, {args!r})
assert result.exit_code in (0, 2), result.output
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print("TEXTUAL:" + ",".join(loaded))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["import", "--help"],
        ["formats"],
        ["import", "--db", "{db}", str(ROOT / "tests/fixtures/canonical/accounts.csv")],
        ["accounts", "--db", "{db}", "--format", "json"],
        ["imports", "--db", "{db}"],
    ],
)
def test_headless_commands_never_import_textual(args: list[str], tmp_path: Path) -> None:
    args = [a.replace("{db}", str(tmp_path / "x.db")) for a in args]
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert out.strip().splitlines()[-1] == "TEXTUAL:"


def test_the_probe_would_see_textual_if_it_were_imported(tmp_path: Path) -> None:
    code = PROBE.format(args=["--help"]).replace(
        "from retention_tui.cli import cli",
        "from retention_tui.cli import cli\nimport retention_tui.app",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert "textual" in out.strip().splitlines()[-1]


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
