"""The bot's state store: SQLite by default, PostgreSQL when several replicas share state.

Open one with `open_state(url)`; nothing touches disk or network until the first call, which connects and applies
the schema migrations (versioned, recorded in `qopt_migrations`, idempotent, safe when replicas start together).

URLs (`QOPT_STATE_URL`, default `Settings.resolved_state_url` = `sqlite:///<data_dir>/state.sqlite`):
- `sqlite:///relative/file.sqlite`, `sqlite:////absolute/file.sqlite`, `sqlite://` (in memory), or a bare path;
- `postgresql://user@host:5432/db` (also `postgres://`, `postgresql+psycopg://`).

Generic namespaced key-value API (every area keeps its own state here; values are JSON objects):

    store = open_state(settings.resolved_state_url)
    await store.kv_put("slack.installations", team_id, {...})            # insert or replace
    await store.kv_put("slack.events", event_id, {}, ttl_seconds=3600)   # expires; expired entries are invisible
    await store.kv_get("slack.installations", team_id)                   # -> dict | None
    await store.kv_put_if_absent("slack.events", event_id, {}, 3600)     # -> bool, atomic: True for the first caller
    await store.kv_list("teams.references", prefix="19:")                # -> {key: value} ordered by key
    await store.kv_delete("genie.threads", thread_key)                   # -> bool (was a live entry there)
    await store.close()

Choose a namespace per area (`"<area>.<thing>"`), keys are free text. `kv_put_if_absent` is the de-duplication
primitive (Slack event ids): of several concurrent callers exactly one gets True, even across replicas on
PostgreSQL. Leases (`acquire_lease(name, holder, ttl)`, `release_lease`, `lease_holder`) elect one leader among
replicas. The scheduler's typed tables (subscriptions, alert rules, firings, deliveries) live in `qopt.state.records`.

Times come from the store's `clock` (injectable, like `Services.clock`), stored as epoch seconds.
Failures of the database raise `qopt.errors.ServiceError`; URLs (which may hold passwords) never appear in messages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from qopt.errors import ConfigError
from qopt.state.base import StateStore

__all__ = ["StateStore", "open_state"]

_PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def open_state(url: str, *, clock: Callable[[], datetime] | None = None, schema: str | None = None) -> StateStore:
    """The store for `url` (not yet connected). `schema` applies to PostgreSQL only (a private schema)."""
    text = (url or "").strip()
    if not text:
        raise ConfigError("QOPT_STATE_URL: empty (use a file path, sqlite:///path or postgresql://...)")
    lowered = text.lower()
    if lowered.startswith(_PG_SCHEMES):
        from qopt.state.postgres import PostgresStateStore

        if lowered.startswith("postgresql+psycopg://"):
            text = "postgresql://" + text[len("postgresql+psycopg://") :]
        return PostgresStateStore(text, schema=schema, clock=clock)
    from qopt.state.sqlite import SQLiteStateStore

    if lowered.startswith("sqlite:"):
        path = text[len("sqlite:") :]
        if path in ("", "//", "///:memory:", "//:memory:"):
            return SQLiteStateStore(":memory:", clock=clock)
        if not path.startswith("///"):
            raise ConfigError("QOPT_STATE_URL: a SQLite URL looks like sqlite:///relative/path or sqlite:////absolute/path")
        return SQLiteStateStore(Path(path[3:]).expanduser(), clock=clock)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConfigError(f"QOPT_STATE_URL: unsupported scheme {scheme!r} (use a file path, sqlite:/// or postgresql://)")
    return SQLiteStateStore(Path(text).expanduser(), clock=clock)
