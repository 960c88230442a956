"""Rate limits (per person, per channel) and the audit trail, through the router."""

from __future__ import annotations

from datetime import timedelta


from qopt.policy.audit import AuditEntry, entries, record
from qopt.policy.limits import RateLimiter
from tests.conftest import DEMO_NOW
from tests.policy.conftest import ADMIN, ANALYTICS, OTHER_TEAM, SLACK, TEAMS, Asker, person, sent

ANA, BO, CY = "ana.silva@example.com", "bo@example.com", "cy@example.com"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited_bot(make_bot, **limits):
    bot = make_bot(**limits)
    clock = FakeClock()
    guard = bot.services.extras["policy.guard"]
    guard.limiter = RateLimiter(bot.settings, clock)
    return bot, clock


async def test_person_limit_refuses_kindly_and_refills(make_bot):
    bot, clock = limited_bot(make_bot, user_requests_per_minute=6, user_burst=2)  # one token every 10 s
    ana = person(ANA)
    assert (await bot.handle("help", ana, SLACK.dm())).ok
    assert (await bot.handle("help", ana, SLACK.dm())).ok
    refused = await bot.handle("cost", ana, SLACK.dm())
    assert not refused.ok and "You're asking me a lot right now" in refused.text and "10 seconds" in refused.text
    assert sent(bot) == []  # the refused `cost` never reached the warehouse
    assert (await bot.handle("help", person(BO), SLACK.dm())).ok  # someone else is not affected
    clock.now += 4
    assert "6 seconds" in (await bot.handle("help", ana, SLACK.dm())).text
    clock.now += 6
    assert (await bot.handle("help", ana, SLACK.dm())).ok


async def test_channel_limit_counts_everyone_in_the_channel(make_bot):
    bot, clock = limited_bot(make_bot, channel_requests_per_minute=60, channel_burst=3)
    room = SLACK.channel()
    for who in (ANA, BO, CY):
        assert (await bot.handle("help", person(who), room)).ok
    refused = await bot.handle("help", person("dee@example.com"), room)
    assert not refused.ok and "This channel is asking me a lot" in refused.text and "1 second" in refused.text
    assert (await bot.handle("help", person("dee@example.com"), SLACK.dm())).ok  # a DM is not the channel
    assert (await bot.handle("help", person(ANA), SLACK.channel("C0OTHER"))).ok  # nor is another channel
    clock.now += 1
    assert (await bot.handle("help", person("dee@example.com"), room)).ok


async def test_limits_off_with_zero(make_bot):
    bot, _ = limited_bot(make_bot, user_requests_per_minute=0, user_burst=1, channel_requests_per_minute=0,
                         channel_burst=1)
    for _ in range(5):
        assert (await bot.handle("help", person(ANA), SLACK.channel())).ok


async def test_a_skill_asking_the_router_is_not_charged_twice(make_bot):
    """The offline `ask` runs another command through the router: one message, one token."""
    bot, _ = limited_bot(make_bot, user_requests_per_minute=6, user_burst=1)
    reply = await bot.handle("ask who spent the most this week?", person(ANA), SLACK.dm())
    assert reply.ok, reply.text
    assert not (await bot.handle("help", person(ANA), SLACK.dm())).ok


async def test_audit_trail_records_who_what_where_and_the_decision(make_bot):
    bot, _ = limited_bot(make_bot, user_requests_per_minute=6, user_burst=1)
    await bot.handle("top --days 3 --limit 2", person(ANA), SLACK.dm())
    await bot.handle("cost", person(ANA, "teams"), Asker("teams", "tenant-nowhere").channel())
    await bot.handle("sql SELECT 1", person(ANA), SLACK.dm())
    await bot.handle("tpo", person(ANA), SLACK.dm())
    await bot.handle("help", person(ANA), SLACK.dm())  # refusals while parsing cost nothing: this is the 2nd charge
    await bot.handle("cost --workspace 999 --by sku", person(BO), SLACK.dm())
    found = await entries(bot.services.state, since=0, limit=50)
    assert [(e.command, e.decision) for e in reversed(found)] == [
        ("top", "allowed"), ("cost", "denied"), ("sql", "denied"), ("tpo", "invalid"), ("help", "limited"),
        ("cost", "denied"),
    ]
    top, unmapped, forbidden, _, limited, outside = reversed(found)
    assert (top.platform, top.team_id, top.is_dm, top.email, top.user_id) == ("slack", SLACK.team_id, True, ANA,
                                                                             person(ANA).user_id)
    assert top.args == {"days": 3, "limit": 2, "by": "cost", "page": 1}
    assert top.policy["workspaces"] == [ANALYTICS] and top.policy["admin"] is False and top.ok
    assert top.at == DEMO_NOW.timestamp() and top.duration_ms >= 0
    assert unmapped.platform == "teams" and unmapped.channel_id and not unmapped.is_dm
    assert unmapped.reason == "unmapped chat workspace" and unmapped.policy["mapped"] is False
    assert "not available in chat" in forbidden.reason
    assert limited.reason == "person rate limit"
    assert "can't see workspace `999`" in outside.reason and outside.email == BO


async def test_free_text_is_stored_as_a_digest_unless_debugging(make_bot):
    question = "ask how much did 'secret-customer-42' cost us?"
    quiet = make_bot()
    await quiet.handle(question, person(ANA), SLACK.dm())
    (entry,) = await entries(quiet.services.state, since=0)
    assert "secret-customer" not in repr(entry) and entry.text_digest.startswith("sha256:")
    loud = make_bot(log_messages=True)
    await loud.handle(question, person(ANA), SLACK.dm())
    (entry,) = await entries(loud.services.state, since=0)
    assert entry.text_digest == question


async def test_audit_command_is_for_admins_in_a_dm(bot):
    await bot.handle("top --limit 1", person(ANA), SLACK.dm())
    await bot.handle("cost", person(BO), Asker("slack", OTHER_TEAM).dm())
    reply = await bot.handle("audit --decision denied", person(ADMIN), TEAMS.dm())
    assert reply.ok, reply.text
    (table,) = [b for b in reply.blocks if b.type == "table"]
    assert [(r[1], r[3], r[5]) for r in table.rows] == [(BO, "cost", "denied")]
    every = await bot.handle("audit", person(ADMIN), SLACK.dm())
    (table,) = [b for b in every.blocks if b.type == "table"]
    # Newest first; an `audit` call is recorded once it has answered, so the first one is listed here.
    assert [r[3] for r in table.rows] == ["audit", "cost", "top"]
    refused = await bot.handle("audit", person(ANA), SLACK.dm())
    assert not refused.ok and "for admins" in refused.text
    in_channel = await bot.handle("audit", person(ADMIN), SLACK.channel())
    assert not in_channel.ok and "direct message" in in_channel.text
    shared = await bot.handle("audit --share", person(ADMIN), SLACK.channel())
    assert shared.ok


async def test_retention_prunes_old_entries(make_bot):
    bot = make_bot(audit_retention_days=30)
    store = bot.services.state
    old = AuditEntry(at=(DEMO_NOW - timedelta(days=31)).timestamp(), platform="slack", team_id="T", channel_id="C",
                     is_dm=False, user_id="U", email="old@example.com", command="top", args={}, text_digest=None,
                     decision="allowed", reason=None, policy={}, ok=True, error_id=None, duration_ms=1.0)
    recent = AuditEntry(**{**old.__dict__, "at": (DEMO_NOW - timedelta(days=29)).timestamp(), "email": "new@example.com"})
    await record(store, old)
    await record(store, recent)
    await bot.handle("help", person(ANA), SLACK.dm())  # the first message of the process prunes
    emails = [e.email for e in await entries(store, since=0)]
    assert emails == [ANA, "new@example.com"]
