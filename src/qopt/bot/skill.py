"""What a skill is, and the services it may use.

A skill takes a platform-neutral `Request` and returns a platform-neutral `Reply`. It reaches data only through
`Services` (warehouse, state, Genie, ...), which the composition root builds; it never imports an adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from qopt.bot.options import Option
from qopt.bot.reply import Reply
from qopt.bot.request import Request
from qopt.config import Settings
from qopt.warehouse.base import Warehouse


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    """Everything a skill may touch. Optional services are None until configured."""

    settings: Settings
    warehouse: Warehouse
    clock: Callable[[], datetime] = utc_now
    state: Any = None  # StateStore
    genie: Any = None  # Genie client
    extras: dict[str, Any] = field(default_factory=dict)


class Skill:
    """Base class of skills: one file per skill under `skills/`, registered in `skills.ALL`."""

    name: ClassVar[str]
    summary: ClassVar[str]
    examples: ClassVar[Sequence[str]] = ()
    options: ClassVar[Sequence[Option]] = ()
    positional: ClassVar[str] = ""  # usage text for positional arguments, e.g. "<statement_id>"
    raw_text: ClassVar[bool] = False  # True: the skill reads `request.rest` itself (SQL, questions)
    aliases: ClassVar[Sequence[str]] = ()

    async def run(self, request: Request, services: Services) -> Reply:  # pragma: no cover - interface
        raise NotImplementedError
