"""The README documents every setting and every command (DESIGN.md makes them a contract)."""

from pathlib import Path

from qopt.cli import build_parser
from qopt.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    names = [f.validation_alias.choices[0] for f in Settings.model_fields.values()]
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"README lacks settings: {missing}"


def test_every_command_is_documented():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [c for c in commands if f"qopt {c}" not in README]
    assert not missing, f"README lacks commands: {missing}"


def test_quick_start_has_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick and "make test" in quick
