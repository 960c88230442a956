"""Reply light markup -> Slack mrkdwn.

A Reply's text uses *bold*, _italic_ and `code` — the same marks as Slack's mrkdwn — so the conversion is about
what mrkdwn treats specially: `&`, `<` and `>` must be escaped, Markdown links `[label](url)` become
`<url|label>`, and `**bold**` (a common slip) becomes `*bold*`.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_DOUBLE_BOLD = re.compile(r"\*\*(\S(?:[^*\n]*\S)?)\*\*")


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for its own control sequences."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Light markup to mrkdwn; links survive, everything else is escaped."""
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(text):
        out.append(_plain(text[pos : match.start()]))
        label, url = match.group(1), match.group(2)
        out.append(f"<{escape(url).replace('|', '%7C')}|{escape(label).replace('|', '/')}>")
        pos = match.end()
    out.append(_plain(text[pos:]))
    return "".join(out)


def _plain(text: str) -> str:
    return _DOUBLE_BOLD.sub(r"*\1*", escape(text))


def strip_markup(text: str) -> str:
    """Plain text for places that take no markup (headers, button labels, the notification text)."""
    text = _LINK.sub(r"\1 (\2)", text)
    return re.sub(r"(?<!\w)[*_`]+|[*_`]+(?!\w)", "", text)


def clip(text: str, limit: int, suffix: str = "…") -> str:
    """At most `limit` characters, ending in `suffix` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(suffix))] + suffix


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at line breaks where possible (then at spaces, then hard)."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n") if rest[cut : cut + 1] == "\n" else rest[cut:]
    if rest or not chunks:
        chunks.append(rest)
    return chunks
