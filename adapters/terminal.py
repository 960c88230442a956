"""The terminal backend: render a Reply as plain text, and the interactive `qopt shell`."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TextIO

from qopt.bot import format as fmt
from qopt.bot.reply import Actions, Code, Context, Fields, Header, Image, Reply, Table, Text
from qopt.bot.request import Identity, Place

MAX_CELL = 60


def render_text(reply: Reply) -> str:
    """Plain text with aligned tables, for terminals and logs."""
    out: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Header):
            out += [block.text, "=" * min(len(block.text), 80)]
        elif isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Fields):
            width = max((len(f.label) for f in block.fields), default=0)
            out += [f"{f.label.ljust(width)}  {fmt.value(f.value, f.unit)}" for f in block.fields]
        elif isinstance(block, Table):
            if block.title:
                out.append(block.title)
            out += _table(block)
        elif isinstance(block, Code):
            out += ["    " + line for line in block.text.splitlines()]
        elif isinstance(block, Context):
            out.append(f"({block.text})")
        elif isinstance(block, Actions):
            out.append("  ".join(f"[{b.label}: {b.action} {b.value}]".replace(" ]", "]") for b in block.buttons))
        elif isinstance(block, Image):
            out.append(f"[image: {block.alt}] {block.url}")
        out.append("")
    if not reply.blocks:
        out.append(reply.text)
    return "\n".join(out).rstrip() + "\n"


def _table(table: Table) -> list[str]:
    cells = [[_clip(fmt.value(v, table.units.get(c))) for c, v in zip(table.columns, row)] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(table.columns)]
    numeric = [bool(table.units.get(c)) or _all_numbers(table, i) for i, c in enumerate(table.columns)]

    def line(values: Iterable[str]) -> str:
        parts = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    lines = [line(table.columns), line("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    if table.total_rows is not None and table.total_rows > len(table.rows):
        lines.append(f"…and {table.total_rows - len(table.rows)} more")
    return lines


def _all_numbers(table: Table, i: int) -> bool:
    values = [row[i] for row in table.rows if row[i] is not None]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def render(reply: Reply, form: str) -> str:
    """`text` or `json` (the platform-neutral contract)."""
    if form == "json":
        return json.dumps(reply.to_json(), ensure_ascii=False, default=str)
    return render_text(reply)


def local_identity(as_user: str | None = None) -> Identity:
    """The person at the terminal: `--as EMAIL`, else the OS user."""
    if as_user:
        return Identity(user_id=as_user, email=as_user if "@" in as_user else None, name=as_user)
    user = os.environ.get("USER") or getpass.getuser()
    return Identity(user_id=user, name=user)


async def run_shell(
    handle: Callable[[str, Identity, Place], Awaitable[Reply]],
    *,
    identity: Identity,
    history_file: Path | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    on_new_thread: Callable[[], None] | None = None,
) -> None:
    """Interactive chat. With a pipe on stdin: one message a line, each answered, exit at end of input."""
    interactive = stdin.isatty()
    thread = 1
    if interactive:
        _enable_history(history_file)
        stdout.write("qopt shell — type `help`, `new` for a fresh thread, `exit` to leave.\n")
    while True:
        try:
            line = input("qopt> ") if interactive else stdin.readline()
        except EOFError:
            break
        except KeyboardInterrupt:
            stdout.write("\n")
            continue
        if not interactive and line == "":
            break
        text = line.strip()
        if not text:
            continue
        if text in ("exit", "quit", r"\q"):
            break
        if text == "new":
            thread += 1
            if on_new_thread:
                on_new_thread()
            stdout.write("Started a new thread.\n\n")
            continue
        place = Place(platform="shell", channel_id="shell", thread_id=f"shell-{os.getpid()}-{thread}", is_dm=True)
        reply = await handle(text, identity, place)
        stdout.write(render_text(reply) + "\n")
        stdout.flush()


def _enable_history(history_file: Path | None) -> None:
    try:
        import atexit
        import readline
    except ImportError:  # pragma: no cover - readline missing on some platforms
        return
    if history_file is None:
        return
    history_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        readline.read_history_file(history_file)
    except (FileNotFoundError, OSError):
        pass
    readline.set_history_length(1000)
    atexit.register(lambda: _save_history(readline, history_file))


def _save_history(readline: object, path: Path) -> None:
    try:
        readline.write_history_file(path)  # type: ignore[attr-defined]
    except OSError:
        pass
