"""The Databricks workspace client built from qopt's settings, and SDK errors turned into one clear line.

`databricks-sdk` reads the same variable names qopt documents (DATABRICKS_HOST, DATABRICKS_TOKEN,
DATABRICKS_CLIENT_ID/SECRET); qopt passes them explicitly, names the auth type so a stray variable never makes
the SDK refuse "more than one authorization method", and bounds the SDK's silent retries (429, 503, unreachable
host) by `QOPT_DATABRICKS_RETRY_TIMEOUT_SECONDS`, so a dead host fails in seconds. Building a client talks to the
host (`/.well-known/databricks-config`, OAuth discovery): call `workspace_client` from a worker thread.
"""

from __future__ import annotations

from typing import Any

from qopt import __version__
from qopt.config import Settings
from qopt.errors import ConfigError, QoptError, ServiceError

CREDENTIALS_HELP = "set DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET of a service principal"


def check_settings(settings: Settings) -> None:
    """Raise ConfigError when the Databricks settings are incomplete (no network)."""
    host = (settings.databricks_host or "").strip()
    if not host:
        raise ConfigError("DATABRICKS_HOST: not set (the workspace URL, e.g. https://adb-123.4.azuredatabricks.net)")
    if not host.lower().startswith(("https://", "http://")) and "://" in host:
        raise ConfigError(f"DATABRICKS_HOST: {host!r} is not an http(s) URL")
    has_token = bool(settings.databricks_token and settings.databricks_token.get_secret_value())
    has_m2m = bool(settings.databricks_client_id and settings.databricks_client_secret)
    if not (has_token or has_m2m):
        if settings.databricks_client_id:
            raise ConfigError("DATABRICKS_CLIENT_SECRET: not set (needed with DATABRICKS_CLIENT_ID)")
        raise ConfigError(f"Databricks credentials: none found ({CREDENTIALS_HELP})")


def workspace_config_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of the SDK's `Config` (secrets included: never log them)."""
    check_settings(settings)
    host = settings.databricks_host.strip().rstrip("/")  # type: ignore[union-attr]
    if "://" not in host:
        host = "https://" + host
    kwargs: dict[str, Any] = {
        "host": host,
        "retry_timeout_seconds": settings.databricks_retry_timeout_seconds,
        "http_timeout_seconds": max(5, min(60, settings.databricks_retry_timeout_seconds)),
        "product": "qopt",
        "product_version": __version__,
    }
    token = settings.databricks_token.get_secret_value() if settings.databricks_token else ""
    if token:
        kwargs.update(token=token, auth_type="pat")
    else:
        kwargs.update(
            client_id=settings.databricks_client_id,
            client_secret=settings.databricks_client_secret.get_secret_value(),  # type: ignore[union-attr]
            auth_type="oauth-m2m",
        )
    return kwargs


def workspace_client(settings: Settings) -> Any:
    """A `WorkspaceClient` for qopt's identity. Blocking (it may call the host): run it in a thread."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    kwargs = workspace_config_kwargs(settings)
    try:
        return WorkspaceClient(config=Config(**kwargs))
    except ValueError as exc:  # the SDK's "default auth: cannot configure default credentials ..."
        raise ConfigError(f"Databricks credentials were refused at {kwargs['host']}: {_first_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - anything else the SDK raises while starting
        raise sdk_error(exc, host=kwargs["host"]) from None


def sdk_error(exc: BaseException, *, host: str = "", what: str = "Databricks") -> QoptError:
    """One clear, secret-free line for an exception raised by `databricks-sdk` (or the HTTP layer under it)."""
    from databricks.sdk.errors import DatabricksError, NotFound, PermissionDenied, Unauthenticated

    if isinstance(exc, QoptError):
        return exc
    where = f" at {host}" if host else ""
    if isinstance(exc, Unauthenticated):
        return ConfigError(f"{what} refused the credentials{where} (401): {CREDENTIALS_HELP}.")
    if isinstance(exc, PermissionDenied):
        text = _first_line(exc)
        if "token" in text.lower() or "credential" in text.lower():
            return ConfigError(f"{what} refused the credentials{where} (403 {text}): {CREDENTIALS_HELP}.")
        return ServiceError(f"{what} denied access{where}: {text}")
    if isinstance(exc, ValueError) and any(m in str(exc).lower() for m in ("invalid_client", "oauth", "token", "credential")):
        return ConfigError(f"{what} refused the credentials{where} ({_first_line(exc)}): {CREDENTIALS_HELP}.")
    if isinstance(exc, NotFound):
        return ServiceError(f"{what} says not found{where}: {_first_line(exc)}")
    if isinstance(exc, TimeoutError):
        cause = exc.__cause__
        if cause is not None and _is_connection_error(cause):
            return ServiceError(f"Cannot reach {what}{where} ({type(cause).__name__}): check DATABRICKS_HOST and the network.")
        if cause is not None:
            return ServiceError(f"{what}{where} kept answering {_first_line(cause)} ({exc}): try again later.")
        return ServiceError(f"{what}{where} did not answer in time ({exc}).")
    if _is_connection_error(exc):
        return ServiceError(f"Cannot reach {what}{where}: check DATABRICKS_HOST and the network.")
    if isinstance(exc, DatabricksError):
        return ServiceError(f"{what} error{where}: {_first_line(exc)}")
    return ServiceError(f"{what} call failed{where}: {type(exc).__name__}: {_first_line(exc)}")


def _is_connection_error(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, (requests.ConnectionError, requests.Timeout, ConnectionError))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
