"""Genie: conversational questions over the system tables (Databricks Genie Conversation API).

- `base`: the `Genie` protocol, `GenieAnswer`, errors and status texts.
- `client`: `DatabricksGenie` on databricks-sdk (own polling, timeout, FAILED/CANCELLED/expired handling).
- `queue`: the rate-limit line (about 5 questions a minute per workspace; none dropped).
- `spaces`: the default space and aliases (`ask @costs ...`).
- `threads`: chat thread → Genie conversation, kept in the state store.
- `offline`: answers from qopt's own commands when no space is configured.
- `setup`: the views and texts for a Genie space (`qopt genie-setup`).
"""

from __future__ import annotations

from typing import Any

from qopt.genie.base import Genie, GenieAnswer, GenieError
from qopt.genie.spaces import SpaceDirectory

__all__ = ["Genie", "GenieAnswer", "GenieError", "SpaceDirectory", "open_genie"]


def open_genie(settings: Any, **kwargs: Any) -> Genie | None:
    """The Databricks Genie client when a space is configured, else None (offline answers).

    Nothing is contacted here: the SDK client is created on the first question.
    """
    if not SpaceDirectory.from_settings(settings).configured:
        return None
    from qopt.genie.client import DatabricksGenie

    return DatabricksGenie(settings, **kwargs)
