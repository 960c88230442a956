"""The audit trail: who asked what, where, when, and what the policy decided — one row per chat message in the
state store (`qopt_audit`, migration 3), kept for `QOPT_AUDIT_RETENTION_DAYS`.

"What" is the command and its options. Free text that can hold secrets — SQL pasted to `optimize`, a question to
`ask`, the rest of an unparsed message — is stored as its length and a short SHA-256 digest, unless
`QOPT_LOG_MESSAGES=true` (debugging), when the text itself is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from qopt.state.base import StateStore

Decision = Literal["allowed", "denied", "limited", "invalid", "failed"]
MAX_ARG_CHARS = 200
MAX_ROWS = 500


@dataclass
class AuditEntry:
    at: float  # epoch seconds
    platform: str
    team_id: str | None
    channel_id: str | None
    is_dm: bool
    user_id: str
    email: str | None
    command: str
    args: dict[str, Any]
    text_digest: str | None
    decision: str
    reason: str | None
    policy: dict[str, Any]
    ok: bool
    error_id: str | None
    duration_ms: float
    id: int | None = None

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.at, timezone.utc)


def digest_text(text: str, *, keep: bool) -> str | None:
    """The free text as stored: itself when `keep`, else `sha256:<12 hex> (<n> chars)`."""
    if not text:
        return None
    if keep:
        return text
    return f"sha256:{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:12]} ({len(text)} chars)"


def clip_args(args: dict[str, Any]) -> dict[str, Any]:
    """Options as given, long values clipped (they are bounded already; this keeps rows small)."""
    out: dict[str, Any] = {}
    for key, value in args.items():
        if value is None or value is False:
            continue
        if isinstance(value, str) and len(value) > MAX_ARG_CHARS:
            value = value[: MAX_ARG_CHARS - 1] + "…"
        out[key] = value
    return out


async def record(store: StateStore, entry: AuditEntry) -> None:
    await store.fetch(
        "INSERT INTO qopt_audit (at, platform, team_id, channel_id, is_dm, user_id, email, command, args, "
        "text_digest, decision, reason, policy, ok, error_id, duration_ms) VALUES (:at, :platform, :team_id, "
        ":channel_id, :is_dm, :user_id, :email, :command, :args, :text_digest, :decision, :reason, :policy, :ok, "
        ":error_id, :duration_ms)",
        {
            "at": entry.at, "platform": entry.platform, "team_id": entry.team_id, "channel_id": entry.channel_id,
            "is_dm": int(entry.is_dm), "user_id": entry.user_id, "email": entry.email, "command": entry.command,
            "args": json.dumps(entry.args, default=str, sort_keys=True), "text_digest": entry.text_digest,
            "decision": entry.decision, "reason": entry.reason,
            "policy": json.dumps(entry.policy, default=str, sort_keys=True), "ok": int(entry.ok),
            "error_id": entry.error_id, "duration_ms": entry.duration_ms,
        },
    )


async def entries(
    store: StateStore,
    *,
    since: float,
    email: str | None = None,
    command: str | None = None,
    decision: str | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first, from `since` (epoch seconds), optionally for one person (e-mail or user id), command or
    decision."""
    rows = await store.fetch(
        "SELECT * FROM qopt_audit WHERE at >= :since "
        "AND (:email IS NULL OR lower(email) = lower(:email) OR user_id = :email) "
        "AND (:command IS NULL OR command = :command) AND (:decision IS NULL OR decision = :decision) "
        "ORDER BY at DESC, id DESC LIMIT :limit",
        {"since": since, "email": email, "command": command, "decision": decision,
         "limit": max(1, min(int(limit), MAX_ROWS))},
    )
    return [_entry(r) for r in rows]


async def prune(store: StateStore, *, retention_days: float) -> int:
    """Delete entries older than the retention; returns how many went."""
    cutoff = store.now() - retention_days * 86400
    rows = await store.fetch("DELETE FROM qopt_audit WHERE at < :cutoff RETURNING id", {"cutoff": cutoff})
    return len(rows)


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=int(row["id"]), at=float(row["at"]), platform=row["platform"], team_id=row["team_id"],
        channel_id=row["channel_id"], is_dm=bool(row["is_dm"]), user_id=row["user_id"], email=row["email"],
        command=row["command"], args=json.loads(row["args"] or "{}"), text_digest=row["text_digest"],
        decision=row["decision"], reason=row["reason"], policy=json.loads(row["policy"] or "{}"),
        ok=bool(row["ok"]), error_id=row["error_id"], duration_ms=float(row["duration_ms"]),
    )
