"""`/api/messages` over real HTTP, with real Activity JSON, answered through a fake connector."""

from __future__ import annotations

import asyncio

import pytest

from adapters.teams.cards import render_card
from adapters.teams.inbound import MAX_VALUE
from qopt.bot.reply import Actions, Button, Reply
from qopt.bot.progress import report
from qopt.bot.request import Request
from qopt.bot.skill import Services, Skill
from tests.teams.harness import BOT_ID, TENANT, bot_added, card_of, card_texts, message, submit_actions


def observe(teams) -> list[Request]:
    """Requests as the router saw them (the router's own observer hook)."""
    seen: list[Request] = []
    teams.bot.router.observers.append(lambda request, reply, seconds: seen.append(request))
    return seen


async def test_personal_help_gets_a_card_reply_with_identity_and_place(teams):
    seen = observe(teams)
    response = await teams.post(message(teams.service_url, "help"))
    assert response.status in (200, 202)
    calls = teams.connector.calls
    assert [c.body["type"] for c in calls] == ["typing", "message"]
    reply = calls[1]
    assert reply.method == "POST" and reply.conversation_id == "a:1personal-ada"
    card = card_of(reply)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "qopt — commands" in card_texts(card)
    assert reply.body["summary"].startswith("qopt finds")
    assert reply.authorization is None  # local mode sends no token

    [request] = seen
    assert request.command == "help"
    assert request.user.user_id == "29:1ada"
    assert request.user.aad_object_id == "aad-ada"
    assert request.user.email == "ada@example.com"  # from the member lookup, lower-cased
    assert request.place.platform == "teams" and request.place.is_dm
    assert request.place.team_id == TENANT and request.place.channel_id == "a:1personal-ada"


async def test_member_lookups_are_cached_including_failures(teams):
    seen = observe(teams)
    stranger = {"id": "29:1stranger", "name": "Stranger", "aadObjectId": "aad-stranger"}
    for _ in range(2):
        await teams.post(message(teams.service_url, "help"))
        await teams.post(message(teams.service_url, "help", sender=stranger))
    assert teams.connector.member_lookups == 2  # one per person, the 404 included
    assert [r.user.email for r in seen] == ["ada@example.com", None, "ada@example.com", None]
    assert seen[1].user.aad_object_id == "aad-stranger"  # from the activity when the lookup fails


async def test_channel_mention_is_stripped_and_reply_goes_to_the_thread(teams):
    seen = observe(teams)
    activity = message(teams.service_url, "help cost", scope="channel", mention=True)
    await teams.post(activity)
    [request] = seen
    assert request.text == "help cost" and request.command == "help" and request.positionals == ["cost"]
    assert not request.place.is_dm
    assert request.place.channel_id == "19:general@thread.tacv2"  # the channel, whichever thread
    assert request.place.thread_id == activity["id"]
    reply = teams.connector.messages()[0]
    # Replies to the mention: POST .../activities/{id} in the channel thread.
    assert reply.activity_id == activity["id"]
    assert reply.conversation_id == activity["conversation"]["id"]
    assert "qopt cost" in card_texts(card_of(reply))


async def test_group_chat_mention_with_nbsp_and_other_mentions(teams):
    seen = observe(teams)
    activity = message(teams.service_url, "help&nbsp;top", scope="groupChat", mention=True)
    activity["text"] += " <at>Grace Hopper</at>"
    activity["entities"].append({"type": "mention", "text": "<at>Grace Hopper</at>",
                                 "mentioned": {"id": "29:1grace", "name": "Grace Hopper"}})
    await teams.post(activity)
    [request] = seen
    assert request.text == "help top Grace Hopper"
    assert request.place.thread_id == activity["id"] and not request.place.is_dm


@pytest.mark.parametrize("text", ["", "   ", "<at>qopt</at>", None])
async def test_empty_messages_get_help(teams, text):
    activity = message(teams.service_url, text, scope="channel" if text and "<at>" in text else "personal")
    if text and "<at>" in text:
        activity["entities"].append({"type": "mention", "text": "<at>qopt</at>",
                                     "mentioned": {"id": BOT_ID, "name": "qopt"}})
    response = await teams.post(activity)
    assert response.status in (200, 202)
    [reply] = teams.connector.messages()
    assert "qopt — commands" in card_texts(card_of(reply))


async def test_free_text_goes_to_the_question_skill(teams):
    """Text that is not a command is a question: the router's question command (`ask`), never an error."""
    seen = observe(teams)
    await teams.post(message(teams.service_url, "which queries cost the most?"))
    request = seen[-1]  # observed last: an offline answer may run inner commands, which finish first
    assert request.command == (teams.bot.router.question_command or "")
    [reply] = teams.connector.messages()
    assert "error id" not in " ".join(card_texts(card_of(reply)))


async def test_card_action_round_trip(teams):
    seen = observe(teams)
    # A button as a skill would put it on a card, rendered by the Teams renderer ...
    card = render_card(Reply(text="x", blocks=[Actions(buttons=[Button(label="Options of top", action="help",
                                                                          value="top")])]))
    [action] = submit_actions(card)
    # ... pressed in Teams: a message activity whose value is the action's data.
    pressed = message(teams.service_url, None, value=action["data"])
    await teams.post(pressed)
    [request] = seen
    assert request.text == "help top"
    [reply] = teams.connector.messages()
    assert "qopt top" in card_texts(card_of(reply))
    assert reply.activity_id == pressed["id"]  # the answer replies to the press


@pytest.mark.parametrize("value", [
    {"foo": 1},
    "help",
    ["help"],
    {"action": ""},
    {"action": "DROP TABLE x"},
    {"action": "help", "value": {"nested": True}},
    {"action": "help", "value": "x" * (MAX_VALUE + 1)},
    {"action": "help", "value": "top\nsecond line"},
])
async def test_invalid_card_submissions_get_a_friendly_reply(teams, value):
    seen = observe(teams)
    response = await teams.post(message(teams.service_url, None, value=value))
    assert response.status in (200, 202)
    assert seen == []  # nothing reached the router
    [reply] = teams.connector.messages()
    texts = " ".join(card_texts(card_of(reply)))
    assert "couldn't read that card action" in texts and "error id" not in texts


@pytest.mark.parametrize("kind", ["messageReaction", "event", "typing", "endOfConversation", "messageUpdate"])
async def test_unknown_activity_types_are_ignored_politely(teams, kind):
    activity = message(teams.service_url, "help")
    activity["type"] = kind
    response = await teams.post(activity)
    assert response.status in (200, 202)
    assert teams.connector.calls == []


async def test_invoke_gets_an_empty_ok(teams):
    activity = message(teams.service_url, None)
    activity.update(type="invoke", name="composeExtension/query", value={"commandId": "x"})
    response = await teams.post(activity)
    assert response.status == 200
    assert teams.connector.calls == []


async def test_not_an_activity_is_a_400(teams):
    async with teams.session.post(teams.url + "/api/messages", data=b"{not json",
                                  headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
    async with teams.session.post(teams.url + "/api/messages", json={"type": "message"}) as response:
        assert response.status == 400  # no conversation
    assert teams.connector.calls == []


async def test_slow_answer_updates_the_working_card_in_place(teams_factory):
    teams = await teams_factory(progress_after=0)
    response = await teams.post(message(teams.service_url, "help"))
    assert response.status in (200, 202)
    calls = await teams.connector.wait_for(3)
    typing, working, update = calls
    assert typing.body["type"] == "typing"
    assert "Working on" in " ".join(card_texts(card_of(working)))
    assert update.method == "PUT"
    assert update.activity_id == "act-2"  # the id the connector gave the working card
    assert update.conversation_id == "a:1personal-ada"
    assert "qopt — commands" in card_texts(card_of(update))


async def test_install_stores_the_reference_and_welcomes(teams):
    response = await teams.post(bot_added(teams.service_url))
    assert response.status in (200, 202)
    stored = await teams.bot.services.state.kv_get("teams.references", "19:general@thread.tacv2")
    assert stored["service_url"] == teams.service_url
    assert stored["tenant_id"] == TENANT
    assert stored["bot"]["id"] == BOT_ID
    assert stored["conversation"]["conversation_type"] == "channel"
    [welcome] = teams.connector.messages()
    assert welcome.conversation_id == "19:general@thread.tacv2"
    assert any("Type `help`" in t for t in card_texts(card_of(welcome)))


async def test_first_message_stores_the_channel_reference_without_the_thread(teams):
    activity = message(teams.service_url, "help", scope="channel", mention=True)
    await teams.post(activity)
    references = await teams.endpoint.references.all()
    assert list(references) == ["19:general@thread.tacv2"]


class Broken(Skill):
    name = "broken"
    summary = "always fails"

    async def run(self, request: Request, services: Services) -> Reply:
        raise RuntimeError("boom: secret internals")


async def test_a_failing_skill_gets_an_apology_with_an_error_id(teams):
    teams.bot.router.skills["broken"] = Broken()
    response = await teams.post(message(teams.service_url, "broken"))
    assert response.status in (200, 202)
    [reply] = teams.connector.messages()
    card = card_of(reply)
    text = " ".join(card_texts(card))
    assert "error id" in text and "boom" not in text and "secret" not in text
    assert card["body"][0]["color"] == "Attention"


class Slowpoke(Skill):
    """A skill defined by the test: it reports progress when told to, and answers when told to."""

    name = "slowpoke"
    summary = "waits for the test"

    def __init__(self) -> None:
        self.step = asyncio.Event()
        self.go = asyncio.Event()

    async def run(self, request: Request, services: Services) -> Reply:
        await self.step.wait()
        await report("Genie is running the query…")
        await self.go.wait()
        for n in range(2, 6):
            await report(f"step {n}")
        return Reply.message("slowpoke is done")


async def test_progress_lines_update_the_working_card_then_the_answer_replaces_it(teams_factory):
    teams = await teams_factory(progress_after=0)
    skill = Slowpoke()
    teams.bot.router.skills["slowpoke"] = skill
    response = await teams.post(message(teams.service_url, "slowpoke"))
    assert response.status in (200, 202)
    typing, working = await teams.connector.wait_for(2)
    assert "Working on" in card_texts(card_of(working))[0]

    skill.step.set()
    progress = (await teams.connector.wait_for(3))[2]
    assert progress.method == "PUT" and progress.activity_id == "act-2"
    assert card_texts(card_of(progress))[-1] == "Genie is running the query…"

    skill.go.set()
    await teams.endpoint.agent.drain(10)
    calls = teams.connector.calls
    # At most 3 progress updates per answer (steps 4 and 5 are dropped), and the answer comes last.
    assert [card_texts(card_of(c))[-1] for c in calls[2:]] == [
        "Genie is running the query…", "step 2", "step 3", "slowpoke is done"]
    assert all(c.method == "PUT" and c.activity_id == "act-2" for c in calls[2:])
