"""Slack's message text -> what the router expects.

Slack escapes `&`, `<` and `>`, wraps mentions, channels, links and e-mail addresses in `<...>`, and people paste
SQL inside ``` fences. The router wants the plain text a user typed.
"""

from __future__ import annotations

import re

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_ANGLE = re.compile(r"<([^<>]+)>")
_SHARE = re.compile(r"(?:^|[ \t]+)--share(?=\s|$)", re.IGNORECASE)


def plain_text(text: str, *, strip_mentions: bool = True) -> str:
    """Unwrap Slack's markup: mentions removed, `<mailto:a@b|a@b>` -> `a@b`, `<url|label>` -> url, fences dropped."""
    if strip_mentions:
        text = _MENTION.sub(" ", text or "")
    text = _ANGLE.sub(_unwrap, text or "")
    text = text.replace("```", "\n")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


def _unwrap(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if target.startswith(("#C", "@U", "@W", "!")):
        return label or target
    return target


def split_share(text: str) -> tuple[str, bool]:
    """Take `--share` out of a command (visibility is Slack's business): ("top --days 7", True)."""
    shared = bool(_SHARE.search(text))
    return (_SHARE.sub("", text).strip() if shared else text), shared
