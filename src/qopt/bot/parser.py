"""Turn one chat message into a command word, options and positionals.

`/qopt top --days 7 --limit 5` and `top --days=7 --limit 5` parse alike. Errors are `UsageError`s with a message
that shows the right form; out-of-range limits are clamped with a note instead of refused.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Sequence

from qopt.bot.options import Option
from qopt.errors import UsageError

_PREFIX = re.compile(r"^\s*/?qopt\b\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def split_command(text: str) -> tuple[str, str]:
    """Split off the optional `/qopt` prefix and the command word: `("top", "--days 7")`."""
    body = _PREFIX.sub("", text or "", count=1).strip()
    if not body:
        return "", ""
    word, _, rest = body.partition(" ")
    head, _, tail = word.partition("\n")  # `optimize\nSELECT ...`
    if tail:
        rest = tail + (" " + rest if rest else "")
    return head.lower(), rest.strip()


def tokenize(rest: str) -> list[str]:
    """Shell-like words; an unbalanced quote is forgiven rather than refused."""
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def parse_options(
    command: str, tokens: Sequence[str], options: Sequence[Option]
) -> tuple[dict[str, object], list[str], list[str]]:
    """Validate `tokens` against `options`. Returns (args with defaults, positionals, notes)."""
    by_flag = {o.flag: o for o in options}
    args: dict[str, object] = {o.name: o.default for o in options}
    positionals: list[str] = []
    notes: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--") and len(token) > 2:
            flag, eq, inline = token.partition("=")
            option = by_flag.get(flag.lower())
            if option is None:
                raise UsageError(_unknown_flag(command, flag, options))
            if option.kind == "flag":
                if eq:
                    raise UsageError(f"`{flag}` takes no value. Usage: {usage_line(command, options)}")
                args[option.name] = True
                i += 1
                continue
            if eq:
                raw = inline
                i += 1
            elif i + 1 < len(tokens):
                raw = tokens[i + 1]
                i += 2
            else:
                raise UsageError(f"`{flag}` needs a value ({option.usage()}).")
            args[option.name] = _convert(option, raw, notes)
        else:
            positionals.append(token)
            i += 1
    return args, positionals, notes


def _convert(option: Option, raw: str, notes: list[str]) -> object:
    if option.kind in ("int", "float"):
        if not _NUMBER.match(raw.strip()):
            raise UsageError(f"`{option.flag}` needs a number, not `{_short(raw)}` ({option.usage()}).")
        value: float = float(raw)
        if option.kind == "int":
            if value != int(value):
                raise UsageError(f"`{option.flag}` needs a whole number, not `{_short(raw)}`.")
            value = int(value)
        low, high = option.min, option.max
        if (low is not None and value < low) or (high is not None and value > high):
            if not option.clamp:
                raise UsageError(f"`{option.flag}` must be between {_num(low)} and {_num(high)}, not {_num(value)}.")
            clamped = min(max(value, low if low is not None else value), high if high is not None else value)
            notes.append(f"{option.flag} {_num(value)} is out of range; using {_num(clamped)} ({_num(low)}–{_num(high)}).")
            value = type(value)(clamped)
        return value
    if option.kind == "choice":
        choice = raw.lower()
        if choice not in option.choices:
            hint = difflib.get_close_matches(choice, option.choices, n=1)
            extra = f" Did you mean `{hint[0]}`?" if hint else ""
            raise UsageError(f"`{option.flag}` takes one of {', '.join(option.choices)}, not `{_short(raw)}`.{extra}")
        return choice
    if not raw.strip():
        raise UsageError(f"`{option.flag}` needs a value ({option.usage()}).")
    if len(raw) > option.max_length:
        raise UsageError(f"`{option.flag}` takes at most {option.max_length} characters.")
    if option.pattern and not re.fullmatch(option.pattern, raw):
        raise UsageError(f"`{option.flag}` does not look like {option.metavar or 'a valid value'}: `{_short(raw)}`.")
    return raw


def _unknown_flag(command: str, flag: str, options: Sequence[Option]) -> str:
    hint = difflib.get_close_matches(flag.lower(), [o.flag for o in options], n=1)
    extra = f" Did you mean `{hint[0]}`?" if hint else ""
    return f"`{command}` has no option `{_short(flag)}`.{extra} Usage: {usage_line(command, options)}"


def usage_line(command: str, options: Sequence[Option], positional: str = "") -> str:
    parts = [command] + ([positional] if positional else []) + [f"[{o.usage()}]" for o in options]
    return " ".join(parts)


def _num(value: float | None) -> str:
    if value is None:
        return "∞"
    return str(int(value)) if float(value).is_integer() else str(value)


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
