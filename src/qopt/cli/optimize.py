"""`qopt optimize [FILE|-] [--format text|json]`: analyse SQL with the recommendation engine.

A file may hold many statements separated by `;` (split with sqlglot's tokenizer, so semicolons inside strings
and comments do not split); each is analysed on its own. JSON is a list of findings
`{"statement", "rule", "severity", "message", ...}` with `statement` the 0-based index in the input and
`line` / `col` / `offset` positions in the whole input. Empty input: a usage line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qopt.errors import UsageError

USAGE = "usage: qopt optimize [FILE|-] [--format text|json]  (SQL from a file, or from stdin with - or a pipe)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("optimize", help="analyse SQL: findings, rewrites (statements separated by ;)")
    p.add_argument("file", nargs="?", default=None, help="SQL file, or - for stdin (default: stdin when piped)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=main)


def _read(name: str | None) -> str:
    if name is None and sys.stdin.isatty():
        raise UsageError(USAGE)
    if name in (None, "-"):
        return sys.stdin.read()
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"no such file: {name}. {USAGE}")
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None


def main(args: argparse.Namespace) -> int:
    from qopt.recommend.engine import analyze_script

    text = _read(args.file)
    if not text.strip():
        raise UsageError(USAGE)
    result = analyze_script(text)
    if not result.pieces:
        raise UsageError(f"no SQL statement in the input. {USAGE}")
    lines = _LineIndex(text)
    items = []
    for piece, analysis in zip(result.pieces, result.analyses):
        for finding in analysis.findings:
            item = finding.to_json(statement=piece.index)
            if finding.offset is not None:
                absolute = piece.start + finding.offset
                item["offset"] = absolute
                item["line"], item["col"] = lines.position(absolute)
            items.append(item)
    if args.format == "json":
        print(json.dumps(items, ensure_ascii=False))
    else:
        print(_text(result, items))
    return 0


class _LineIndex:
    def __init__(self, text: str) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        line = self._bisect(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _text(result, items: list[dict]) -> str:
    out: list[str] = []
    for piece, analysis in zip(result.pieces, result.analyses):
        mine = [i for i in items if i["statement"] == piece.index]
        head = " ".join(piece.sql.split())
        head = head if len(head) <= 70 else head[:69] + "…"
        out.append(f"statement {piece.index}: {head}")
        if not mine:
            out.append("  no findings")
        for item in mine:
            where = f" (line {item['line']}, col {item['col']})" if "line" in item else ""
            out.append(f"  [{item['severity']}] {item['rule']}{where}: {item['message']}")
            if item.get("fragment"):
                out.append(f"      at: {item['fragment']}")
            rewrite = item.get("rewrite")
            if rewrite:
                label = "equivalent rewrite" if rewrite["equivalent"] else "rewrite (check: " + rewrite["note"] + ")"
                out.append(f"      {label}:")
                out.extend("        " + line for line in rewrite["after"].splitlines())
        out.append("")
    return "\n".join(out).rstrip("\n")
