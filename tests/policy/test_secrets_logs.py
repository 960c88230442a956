"""Settings never print secrets; logs are structured (JSON on request), scrubbed, and carry no message text
unless QOPT_LOG_MESSAGES=true."""

from __future__ import annotations

import io
import json
import logging

import pytest
from pydantic import SecretStr

from qopt.config import Settings, load_settings
from qopt.logs import JsonFormatter, configure, message_text, scrub
from tests.policy.conftest import SLACK, person

SECRET_FIELDS = [name for name, f in Settings.model_fields.items() if "SecretStr" in str(f.annotation)]


def test_every_secret_field_is_a_secret_str():
    assert set(SECRET_FIELDS) >= {"databricks_token", "databricks_client_secret", "slack_bot_token",
                                  "slack_signing_secret", "slack_app_token", "slack_client_secret",
                                  "teams_app_password"}


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_settings_never_print_a_secret(field):
    secret = f"s3cr3t-{field}-value"
    settings = load_settings(**{field: secret})
    assert isinstance(getattr(settings, field), SecretStr)
    assert getattr(settings, field).get_secret_value() == secret
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump()),
                  f"{settings!r}", repr(getattr(settings, field))):
        assert secret not in shown, shown[:200]


def test_secret_from_the_environment_is_redacted_too(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env-123456")
    monkeypatch.setenv("QOPT_STATE_URL", "postgresql://qopt:hunter2@db.internal:5432/qopt")
    settings = Settings()
    assert "xoxb-from-env" not in repr(settings)
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
    assert "db.internal" in repr(settings)  # only the password goes


def test_scrub_removes_tokens_and_url_passwords():
    text = ("token xoxb-123456789-abcdef and xapp-1-A0B1C2 and dapi0123456789abcdef0123456789abcdef "
            "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.x.y password=hunter2 postgresql://u:pw%40x@h/db")
    out = scrub(text)
    for secret in ("xoxb-123456789", "xapp-1-A0B1C2", "dapi0123456789", "eyJhbGci", "hunter2", "pw%40x"):
        assert secret not in out
    assert out.count("[redacted]") == 6


def test_json_logs_are_one_object_a_line_with_extra_fields():
    stream = io.StringIO()
    configure(form="json", stream=stream, verbose=True)
    logger = logging.getLogger("qopt.policy-tests.json")
    logger.setLevel(logging.INFO)  # independent of whatever other tests did to shared loggers
    logger.disabled = False
    try:
        logger.info("posted with %s", "xoxb-123456789-secret", extra={"audit": {"k": 1}})
        try:
            raise ValueError("Bearer abcdefghijklmnop")
        except ValueError:
            logger.exception("failed")
    finally:
        configure(form="text")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    assert first["level"] == "info" and first["logger"] == "qopt.policy-tests.json" and first["audit"] == {"k": 1}
    assert first["message"] == "posted with [redacted]" and "time" in first
    assert "abcdefghijklmnop" not in second["exception"] and "ValueError" in second["exception"]


def test_log_format_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("QOPT_LOG_FORMAT", "json")
    stream = io.StringIO()
    configure(stream=stream)
    try:
        assert isinstance(logging.getLogger().handlers[0].formatter, JsonFormatter)
        assert load_settings().log_format == "json"
    finally:
        configure(form="text")


def test_message_text_only_when_debugging():
    assert message_text("ask about 'acme corp'", load_settings()) == "<21 chars>"
    assert message_text("ask about 'acme corp'", load_settings(log_messages=True)) == "ask about 'acme corp'"


async def test_handled_messages_are_logged_without_their_text(make_bot, caplog):
    question = "ask what did 'acme-customer' cost this week?"
    quiet = make_bot()
    with caplog.at_level(logging.INFO, logger="qopt.audit"):
        await quiet.handle(question, person("ana.silva@example.com"), SLACK.dm())
    records = [r for r in caplog.records if r.name == "qopt.audit" and hasattr(r, "audit")]
    assert records and records[-1].audit["command"] == "ask" and records[-1].audit["decision"] == "allowed"
    assert "acme-customer" not in caplog.text and all("acme" not in json.dumps(r.audit) for r in records)
    caplog.clear()
    loud = make_bot(log_messages=True)
    with caplog.at_level(logging.INFO, logger="qopt.audit"):
        await loud.handle(question, person("ana.silva@example.com"), SLACK.dm())
    records = [r for r in caplog.records if r.name == "qopt.audit" and hasattr(r, "audit")]
    assert records[-1].audit["text"] == question
