"""The router: every message gets a Reply — commands, typos, bad options, failing skills, free text."""

import logging

import pytest

from qopt.bot.options import LIMIT, Option
from qopt.bot.reply import Reply
from qopt.bot.request import Request
from qopt.bot.router import Router
from qopt.bot.skill import Services, Skill
from qopt.config import Settings
from qopt.errors import ServiceError


class Echo(Skill):
    name = "echo"
    summary = "repeat"
    options = (LIMIT, Option("loud", "flag", False))
    positional = "<words>"

    async def run(self, request: Request, services: Services) -> Reply:
        return Reply.message(f"{request.positionals} {request.args}")


class Boom(Skill):
    name = "boom"
    summary = "fails"

    async def run(self, request, services):
        raise RuntimeError("secret detail")


class Down(Skill):
    name = "down"
    summary = "service fails"

    async def run(self, request, services):
        raise ServiceError("The warehouse is not answering.")


class Ask(Skill):
    name = "ask"
    summary = "questions"
    raw_text = True
    options = (Option("share", "flag", False),)

    async def run(self, request, services):
        return Reply.message(f"Q: {request.rest} share={request.args['share']}")


@pytest.fixture
def router():
    services = Services(settings=Settings(), warehouse=None)  # these skills never touch the warehouse
    return Router([Echo(), Boom(), Down(), Ask()], services)


async def test_command_with_prefix_and_options(router):
    reply = await router.handle("/qopt echo hi there --limit 5 --loud")
    assert reply.ok and reply.text == "['hi', 'there'] {'limit': 5, 'loud': True}"


async def test_clamped_option_adds_a_note(router):
    reply = await router.handle("echo --limit 10000")
    assert reply.ok and "'limit': 100" in reply.text
    assert reply.blocks[-1].type == "context" and "out of range" in reply.blocks[-1].text


async def test_unknown_word_suggests(router):
    reply = await router.handle("ecko")
    assert not reply.ok and "Did you mean `echo`?" in reply.text and "help" in reply.text


async def test_bad_option_is_a_friendly_refusal(router):
    reply = await router.handle("echo --limit many")
    assert not reply.ok and "needs a number" in reply.text and reply.error_id is None


async def test_failing_skill_apologizes_with_an_error_id(router, caplog):
    with caplog.at_level(logging.ERROR):
        reply = await router.handle("boom")
    assert not reply.ok and reply.error_id and reply.error_id in reply.text
    assert "secret detail" not in reply.text  # details go to the log only
    assert any(reply.error_id in r.getMessage() for r in caplog.records)


async def test_service_error_is_shown_with_an_id(router):
    reply = await router.handle("down")
    assert not reply.ok and "not answering" in reply.text and reply.error_id


async def test_free_text_goes_to_the_question_skill_when_set(router):
    router.question_command = "ask"
    reply = await router.handle("which warehouse cost the most yesterday?")
    assert reply.text == "Q: which warehouse cost the most yesterday? share=False"
    reply = await router.handle("ask why so slow --share")
    assert reply.text == "Q: why so slow share=True"
    # A single mistyped word is still a typo, not a question.
    assert "Did you mean" in (await router.handle("ecko")).text


async def test_empty_goes_to_help_or_says_so(router):
    reply = await router.handle("   ")
    assert not reply.ok and "help" in reply.text  # no help skill registered here: still an answer


async def test_observers_see_every_message(router):
    seen = []
    router.observers.append(lambda req, rep, secs: seen.append((req.command, rep.ok, secs >= 0)))
    router.observers.append(lambda req, rep, secs: 1 / 0)  # a broken observer never breaks a reply
    await router.handle("echo x")
    await router.handle("nope")
    assert seen == [("echo", True, True), ("", False, True)]
