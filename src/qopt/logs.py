"""Logging set-up: plain text or one JSON object a line (`QOPT_LOG_FORMAT=json`), with secrets scrubbed.

Chat message text stays out of the logs unless `QOPT_LOG_MESSAGES=true` (a debugging aid): code that would log
what someone typed logs `message_text(text, settings)`, which is only the length otherwise. Tokens that look like
Slack/Databricks/Bearer secrets are replaced by `[redacted]` in every record, whatever logged them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone
from typing import Any, TextIO

_SECRETS = re.compile(
    r"(xox[abposr]-[0-9A-Za-z-]{6,}|xapp-[0-9A-Za-z-]{6,}|dapi[0-9a-f]{16,}(-\d+)?|"
    r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}|(?i:(?:password|passwd|secret|token)=)[^\s&;,]+)"
)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@")
# Attributes every LogRecord has; anything else passed with `extra=` goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def scrub(text: str) -> str:
    """Replace anything that looks like a token or password (also in `scheme://user:password@host`) by
    `[redacted]`."""
    return _SECRETS.sub("[redacted]", redact_url(text))


def redact_url(text: str) -> str:
    """`postgresql://qopt:hunter2@db/qopt` → `postgresql://qopt:[redacted]@db/qopt`."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + "[redacted]@", text)


def message_text(text: str, settings: Any) -> str:
    """What may be logged of a chat message: the text with `QOPT_LOG_MESSAGES=true`, else only its length."""
    if getattr(settings, "log_messages", False):
        return scrub(text)
    return f"<{len(text or '')} chars>"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, extra fields, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = scrub(self.formatException(record.exc_info))
        return scrub(json.dumps(out, default=str, ensure_ascii=False))


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure(*, verbose: bool = False, form: str | None = None, stream: TextIO | None = None) -> None:
    """Set up the root logger for the command line (`form`: text | json; default from `QOPT_LOG_FORMAT`)."""
    form = (form or os.environ.get("QOPT_LOG_FORMAT") or "text").strip().lower()
    handler = logging.StreamHandler(stream or sys.stderr)
    if form == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ScrubbingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
