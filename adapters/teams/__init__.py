"""Microsoft Teams: `/api/messages` on the shared server, Adaptive Card rendering, proactive posting.

Built on the Microsoft 365 Agents SDK for Python (the maintained successor of botbuilder-python).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily: rendering cards (`qopt run --format teams`) needs no server parts
    from adapters.teams.server import TeamsEndpoint


def setup(web_app: Any, bot: Any, settings: Any, **options: Any) -> "TeamsEndpoint":
    """Serve Teams at `/api/messages` on `web_app`; see `adapters.teams.server.setup`."""
    from adapters.teams.server import setup as _setup

    return _setup(web_app, bot, settings, **options)


__all__ = ["setup"]
