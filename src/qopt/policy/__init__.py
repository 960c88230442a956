"""Who may see what. Skills ask here; they do not decide on their own.

Every user sees aggregates and masked fingerprints. The full text of a statement is shown only in a direct
message, and only to the person who ran it — or to an admin (`QOPT_ADMINS`).
"""

from __future__ import annotations

from qopt.bot.request import Identity, Place
from qopt.config import Settings


def is_admin(user: Identity, settings: Settings) -> bool:
    return bool(user.email) and user.email.lower() in settings.admin_emails


def may_see_statement_text(user: Identity, place: Place, owner: str | None, settings: Settings) -> bool:
    """Full SQL text: only in a DM, and only one's own statements (admins: any)."""
    if not place.is_dm:
        return False
    if is_admin(user, settings):
        return True
    mine = {x.lower() for x in (user.email, user.user_id) if x}
    return bool(owner) and owner.lower() in mine
