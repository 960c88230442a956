"""Settings, read from the environment and `.env` with pydantic-settings.

Names are a contract (DESIGN.md): most carry the `QOPT_` prefix; the Databricks and Slack ones use the names
their SDKs already read. Secrets are `SecretStr`, so a settings object never prints them.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qopt.errors import ConfigError


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/qopt`, else `~/.local/share/qopt` — never the working directory."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "qopt"


def _env(name: str, *aliases: str) -> AliasChoices:
    return AliasChoices(name, *aliases)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Where qopt keeps its files.
    data_dir: Path = Field(default_factory=default_data_dir, validation_alias=_env("QOPT_DATA_DIR"))

    # Warehouse.
    warehouse: Literal["duckdb", "databricks"] = Field("duckdb", validation_alias=_env("QOPT_WAREHOUSE"))
    duckdb_path: Path | None = Field(None, validation_alias=_env("QOPT_DUCKDB_PATH"))
    warehouse_id: str | None = Field(None, validation_alias=_env("QOPT_WAREHOUSE_ID"))
    query_timeout_seconds: float = Field(120.0, gt=0, validation_alias=_env("QOPT_QUERY_TIMEOUT_SECONDS"))
    result_cache_ttl_seconds: float = Field(300.0, ge=0, validation_alias=_env("QOPT_RESULT_CACHE_TTL_SECONDS"))

    # Databricks (the SDK's own names).
    databricks_host: str | None = Field(None, validation_alias=_env("DATABRICKS_HOST"))
    databricks_token: SecretStr | None = Field(None, validation_alias=_env("DATABRICKS_TOKEN"))
    databricks_client_id: str | None = Field(None, validation_alias=_env("DATABRICKS_CLIENT_ID"))
    databricks_client_secret: SecretStr | None = Field(None, validation_alias=_env("DATABRICKS_CLIENT_SECRET"))
    databricks_retry_timeout_seconds: int = Field(
        20, gt=0, validation_alias=_env("QOPT_DATABRICKS_RETRY_TIMEOUT_SECONDS")
    )

    # Genie.
    genie_space_id: str | None = Field(None, validation_alias=_env("QOPT_GENIE_SPACE_ID"))
    genie_spaces: str = Field("", validation_alias=_env("QOPT_GENIE_SPACES"))  # "costs=01ef...,perf=01f0..."
    genie_timeout_seconds: float = Field(600.0, gt=0, validation_alias=_env("QOPT_GENIE_TIMEOUT_SECONDS"))
    genie_poll_min_seconds: float = Field(1.0, gt=0, validation_alias=_env("QOPT_GENIE_POLL_MIN_SECONDS"))
    genie_poll_max_seconds: float = Field(5.0, gt=0, validation_alias=_env("QOPT_GENIE_POLL_MAX_SECONDS"))
    genie_questions_per_minute: int = Field(5, ge=1, le=600, validation_alias=_env("QOPT_GENIE_QUESTIONS_PER_MINUTE"))
    genie_table_rows: int = Field(20, ge=1, le=100, validation_alias=_env("QOPT_GENIE_TABLE_ROWS"))

    # Slack.
    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(None, validation_alias=_env("QOPT_SLACK_API_URL"))
    slack_client_id: str | None = Field(None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(None, validation_alias=_env("SLACK_CLIENT_SECRET"))

    # Teams.
    teams_app_id: str | None = Field(None, validation_alias=_env("QOPT_TEAMS_APP_ID"))
    teams_app_password: SecretStr | None = Field(None, validation_alias=_env("QOPT_TEAMS_APP_PASSWORD"))
    teams_tenant_id: str | None = Field(None, validation_alias=_env("QOPT_TEAMS_TENANT_ID"))

    # State, people, time.
    state_url: str | None = Field(None, validation_alias=_env("QOPT_STATE_URL"))
    admins: str = Field("", validation_alias=_env("QOPT_ADMINS"))
    timezone: str = Field("UTC", validation_alias=_env("QOPT_TIMEZONE"))

    # Access control, limits, audit and logs (qopt.policy; README "Security model").
    workspace_map: str = Field("", validation_alias=_env("QOPT_WORKSPACE_MAP"))  # "slack:T012=123,456;teams:<tenant>=789"
    user_requests_per_minute: float = Field(30.0, ge=0, le=6000, validation_alias=_env("QOPT_USER_REQUESTS_PER_MINUTE"))
    user_burst: int = Field(20, ge=1, le=1000, validation_alias=_env("QOPT_USER_BURST"))
    channel_requests_per_minute: float = Field(
        120.0, ge=0, le=60000, validation_alias=_env("QOPT_CHANNEL_REQUESTS_PER_MINUTE")
    )
    channel_burst: int = Field(60, ge=1, le=10000, validation_alias=_env("QOPT_CHANNEL_BURST"))
    audit_retention_days: int = Field(90, ge=1, le=3650, validation_alias=_env("QOPT_AUDIT_RETENTION_DAYS"))
    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("QOPT_LOG_FORMAT"))
    log_messages: bool = Field(False, validation_alias=_env("QOPT_LOG_MESSAGES"))

    # Scheduler (digests and alerts).
    alert_interval_minutes: float = Field(15.0, gt=0, le=1440, validation_alias=_env("QOPT_ALERT_INTERVAL_MINUTES"))
    digest_grace_minutes: float = Field(30.0, gt=0, le=720, validation_alias=_env("QOPT_DIGEST_GRACE_MINUTES"))
    scheduler_enabled: bool = Field(True, validation_alias=_env("QOPT_SCHEDULER_ENABLED"))
    scheduler_lease_seconds: float = Field(60.0, ge=5, le=3600, validation_alias=_env("QOPT_SCHEDULER_LEASE_SECONDS"))

    # Recommendation thresholds.
    high_cost_usd: float = Field(10.0, ge=0, validation_alias=_env("QOPT_HIGH_COST_USD"))
    # Metric insights (reference/rules.md; starting thresholds).
    pruning_min_read_bytes: int = Field(1 << 30, ge=0, validation_alias=_env("QOPT_PRUNING_MIN_READ_BYTES"))
    pruning_min_share: float = Field(0.5, ge=0, le=1, validation_alias=_env("QOPT_PRUNING_MIN_SHARE"))
    spill_high_share: float = Field(0.1, ge=0, validation_alias=_env("QOPT_SPILL_HIGH_SHARE"))
    exploding_join_factor: float = Field(10.0, gt=0, validation_alias=_env("QOPT_EXPLODING_JOIN_FACTOR"))
    queued_min_share: float = Field(0.2, ge=0, le=1, validation_alias=_env("QOPT_QUEUED_MIN_SHARE"))
    cold_start_min_ms: int = Field(30_000, ge=0, validation_alias=_env("QOPT_COLD_START_MIN_MS"))
    compile_min_share: float = Field(0.5, ge=0, le=1, validation_alias=_env("QOPT_COMPILE_MIN_SHARE"))
    compile_min_ms: int = Field(2_000, ge=0, validation_alias=_env("QOPT_COMPILE_MIN_MS"))
    small_files_min_files: int = Field(1_000, ge=1, validation_alias=_env("QOPT_SMALL_FILES_MIN_FILES"))
    small_files_max_avg_bytes: int = Field(16 << 20, ge=1, validation_alias=_env("QOPT_SMALL_FILES_MAX_AVG_BYTES"))
    result_cache_min_runs: int = Field(10, ge=2, validation_alias=_env("QOPT_RESULT_CACHE_MIN_RUNS"))
    long_running_ms: int = Field(300_000, ge=0, validation_alias=_env("QOPT_LONG_RUNNING_MS"))
    # Priority of a recommendation by its estimated monthly saving (USD).
    saving_high_usd: float = Field(500.0, ge=0, validation_alias=_env("QOPT_SAVING_HIGH_USD"))
    saving_medium_usd: float = Field(50.0, ge=0, validation_alias=_env("QOPT_SAVING_MEDIUM_USD"))

    @field_validator("genie_spaces")
    @classmethod
    def _space_aliases(cls, value: str) -> str:
        from qopt.genie.spaces import parse_aliases

        parse_aliases(value)  # raises ValueError with the bad part
        return value

    @field_validator("workspace_map")
    @classmethod
    def _workspace_map(cls, value: str) -> str:
        from qopt.policy.workspaces import WorkspaceMap

        WorkspaceMap.parse(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    def __repr_args__(self):  # type: ignore[no-untyped-def]
        """Secrets are SecretStr already; a password inside a URL (QOPT_STATE_URL) is redacted too."""
        from qopt.logs import redact_url

        for name, value in super().__repr_args__():
            yield name, redact_url(value) if isinstance(value, str) and "://" in value else value

    @cached_property
    def admin_emails(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.admins.split(",") if e.strip())

    @property
    def resolved_duckdb_path(self) -> Path:
        return self.duckdb_path or self.data_dir / "warehouse.duckdb"

    @property
    def resolved_state_url(self) -> str:
        return self.state_url or f"sqlite:///{self.data_dir / 'state.sqlite'}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a wrong value becomes one clear `ConfigError` line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "setting"
        alias = Settings.model_fields.get(field)
        name = field
        if alias is not None and isinstance(alias.validation_alias, AliasChoices):
            name = str(alias.validation_alias.choices[0])
        raise ConfigError(f"{name}: {first['msg']}") from None
