"""`digest`: subscribe this channel to a daily or weekly cost digest, stop it, preview it, see its status."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from qopt.bot.reply import Context, Field_, Fields, Header, Reply, Table, Text
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from qopt.errors import UsageError
from qopt.jobs import WEEKDAYS, Jobs, local_today, next_digest_time
from qopt.state.records import Records, Subscription

FORM = "`digest on [daily|weekly] [mon..sun] [at HH:MM] [tz Europe/Berlin]`, `digest off`, `digest preview`, `digest status`"
DEFAULT_TIME = "09:00"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_DAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)} | {
    full: i for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}


class DigestSkill(Skill):
    name = "digest"
    summary = "A daily or weekly cost digest in this channel: `digest on daily at 09:00 tz Europe/Berlin`."
    examples = ("digest on daily at 09:00 tz Europe/Berlin", "digest on weekly mon at 08:30", "digest status",
                "digest preview", "digest off")
    positional = "on|off|preview|status [daily|weekly] [mon..sun] [at HH:MM] [tz ZONE]"

    async def run(self, request: Request, services: Services) -> Reply:
        words = [w for w in request.positionals]
        action = words[0].lower() if words else "status"
        if action == "on":
            return await _on(request, services, words[1:])
        if action not in ("off", "preview", "status"):
            raise UsageError(f"`digest {_short(words[0])}` is not a digest command. Use {FORM}.")
        if len(words) > 1:
            raise UsageError(f"`digest {action}` takes no more words. Use {FORM}.")
        if action == "preview":
            return await _preview(request, services)
        place = _channel(request, action)
        records = Records(services.state)
        if action == "off":
            removed = await records.unsubscribe(*place)
            text = ("Digest off: this channel will get no more digests." if removed
                    else "This channel has no digest subscription (turn one on with `digest on`).")
            return Reply.message(text)
        return await _status(services, records, place)


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _channel(request: Request, action: str) -> tuple[str, str]:
    place = request.place
    if place.platform not in ("slack", "teams") or not place.channel_id:
        raise UsageError(f"`digest {action}` works in a Slack or Teams channel (it posts there). "
                         "Here, `digest preview` shows what it would post.")
    return place.platform, place.channel_id


def parse_schedule(words: list[str], default_zone: str) -> tuple[str, str, int, str]:
    """(frequency, HH:MM, weekday, zone) from `[daily|weekly] [mon..sun] [at HH:MM] [tz ZONE]`."""
    frequency, at_time, weekday, zone = "daily", DEFAULT_TIME, 0, default_zone
    i = 0
    while i < len(words):
        word = words[i].lower()
        if word in ("daily", "weekly"):
            frequency = word
        elif word in _DAY_NAMES:
            frequency, weekday = "weekly", _DAY_NAMES[word]
        elif word == "at" or _TIME.match(word):
            value = words[i + 1] if word == "at" and i + 1 < len(words) else (word if word != "at" else "")
            match = _TIME.match(value)
            if not match:
                raise UsageError(f"`{_short(value or 'at')}` is not a time: use 24-hour HH:MM, e.g. `at 09:00`. Use {FORM}.")
            at_time = f"{int(match.group(1)):02d}:{match.group(2)}"
            i += 1 if word == "at" else 0
        elif word in ("tz", "timezone", "zone"):
            value = words[i + 1] if i + 1 < len(words) else ""
            zone = _zone(value)
            if zone is None:
                raise UsageError(f"`{_short(value or 'tz')}` is not a time zone: use an IANA name such as "
                                 f"`tz Europe/Berlin` or `tz America/New_York`. Use {FORM}.")
            i += 1
        else:
            raise UsageError(f"I don't understand `{_short(words[i])}`. Use {FORM}.")
        i += 1
    return frequency, at_time, weekday, zone


def _zone(name: str) -> str | None:
    """An IANA zone name (Region/City, or UTC), matched case-insensitively; None when there is no such zone."""
    if name.upper() == "UTC":
        return "UTC"
    if "/" not in name:
        return None  # abbreviations such as CET or EST are ambiguous or obsolete
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    matches = [z for z in available_timezones() if z.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def _when(sub: Subscription) -> str:
    day = f" on {('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')[sub.weekday]}s" \
        if sub.frequency == "weekly" else ""
    return f"{sub.frequency}{day} at {sub.at_time} {sub.timezone}"


def _next(sub: Subscription, now: datetime) -> str:
    nxt = next_digest_time(sub, now)
    return "–" if nxt is None else f"{nxt:%a %Y-%m-%d %H:%M %Z}"


async def _on(request: Request, services: Services, words: list[str]) -> Reply:
    platform, channel = _channel(request, "on")
    frequency, at_time, weekday, zone = parse_schedule(words, services.settings.timezone)
    user = request.user
    sub = await Records(services.state).subscribe(
        platform=platform, channel_id=channel, team_id=request.place.team_id, frequency=frequency, at_time=at_time,
        weekday=weekday, timezone=zone, subscriber_id=user.user_id, subscriber_name=user.name or user.email,
    )  # fmt: skip
    note = ""
    if 2 <= sub.hour < 3:
        note = " Note: on the nights clocks change, 02:00–03:00 may not exist or happen twice; it still posts once."
    text = f"Digest on: this channel gets a {_when(sub)} cost digest, next on {_next(sub, services.clock())}.{note}"
    return Reply(text=text, blocks=[Text(text=text), Context(text="`digest preview` shows it now; `digest off` stops it.")])


async def _preview(request: Request, services: Services) -> Reply:
    place = request.place
    records = Records(services.state)
    sub = await records.subscription(place.platform, place.channel_id) if place.channel_id else None
    zone = sub.timezone if sub else services.settings.timezone
    day = local_today(services.clock(), zone)
    reply = await Jobs(services, {}).digest_reply(place.platform, place.channel_id or "", day,
                                                  sub.frequency if sub else "daily", team_id=place.team_id)
    reply.blocks.append(Context(text="Preview: nothing was posted."))
    return reply


async def _status(services: Services, records: Records, place: tuple[str, str]) -> Reply:
    sub = await records.subscription(*place)
    if sub is None:
        return Reply.message("This channel has no digest. Turn one on with `digest on daily at 09:00 tz Europe/Berlin`.")
    now = services.clock()
    fields = [
        Field_(label="Schedule", value=_when(sub)),
        Field_(label="Next digest", value=_next(sub, now)),
        Field_(label="Subscribed by", value=sub.subscriber_name or sub.subscriber_id),
        Field_(label="Since", value=f"{datetime.fromtimestamp(sub.created_at, timezone.utc):%Y-%m-%d}"),
    ]
    blocks: list = [Header(text="Digest status"), Fields(fields=fields)]
    text = f"Digest: {_when(sub)}, next {_next(sub, now)}."
    if sub.last_error:
        at = datetime.fromtimestamp(sub.last_error_at or 0, timezone.utc)
        warn = (f"The last post failed ({sub.failures} failure{'s' if sub.failures != 1 else ''}, "
                f"{at:%Y-%m-%d %H:%M} UTC): {sub.last_error}. I keep retrying.")
        blocks.append(Text(text=warn))
        text += " " + warn
    recent = await records.deliveries(*place, kind="digest", limit=5)
    if recent:
        rows = [[d.period, d.status, d.attempts, d.error or ""] for d in recent]
        blocks.append(Table(title="Recent digests", columns=["period", "status", "attempts", "error"], rows=rows))
    return Reply(text=text, blocks=blocks)
