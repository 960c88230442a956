"""Errors that the command line and the bot turn into a friendly line instead of a traceback.

`UsageError` is the user's mistake (exit status 2); `ServiceError` is a failing service such as the warehouse
(exit status 1). Messages are written for people: one line, saying what to do.
"""


class QoptError(Exception):
    """Base of qopt's own errors; the message is safe to show to the user."""

    exit_code = 1


class UsageError(QoptError):
    """Bad usage or bad input: the user can fix it."""

    exit_code = 2


class ConfigError(UsageError):
    """A setting is missing or wrong."""


class WarehouseMissing(UsageError):
    """The embedded warehouse file does not exist or is not a DuckDB file."""


class ServiceError(QoptError):
    """A service (warehouse, Genie, chat platform, state store) failed."""

    exit_code = 1
