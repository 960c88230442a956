"""Authentication of `/api/messages`: any present but bad Authorization is a 401, never a 500, in every mode.

Authenticated mode uses an RSA key generated here and a local JWKS server. The SDK's validator fetches the Bot
Framework signing keys from a fixed URL with no setting to change it, so the test registers a JWKS client for
that URL pointing at the local server in the validator's key-client cache (and removes it afterwards).
"""

from __future__ import annotations

import base64
import functools
import json
import socket
import threading
import time
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKClient
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, JwtTokenValidator
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import _JwkClientCacheEntry

import adapters.teams
from adapters.teams.auth import is_loopback
from qopt.errors import ConfigError
from tests.teams.harness import card_texts, make_bot, message, start

APP_ID = "0b9d6c1e-7a1f-4c38-9d7e-5a1b2c3d4e5f"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BF_ISSUER = "https://api.botframework.com"
KID = "qopt-test-key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


GARBAGE_HEADERS = [
    "Bearer garbage",
    "Bearer",
    "Bearer ",
    "bearer a.b.c",
    "Bearer a.b.c d",
    "Basic dXNlcjpwYXNz",
    "Bearer " + "x" * 5000,
    "Bearer eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",  # payload is not JSON
    "Bearer " + _b64(b"[1,2]") + "." + _b64(b"{}") + ".sig",  # header is not an object
    "Bearer ..",
    "Bearer \u00e9\u00e9.\u00e9.\u00e9",
]


@pytest.mark.parametrize("header", GARBAGE_HEADERS)
async def test_local_mode_refuses_any_authorization_header(teams, header):
    response = await teams.post(message(teams.service_url, "help"), headers={"Authorization": header})
    assert response.status == 401
    assert teams.connector.calls == []


def test_local_mode_refuses_a_non_loopback_bind(tmp_path):
    bot = make_bot(tmp_path)
    with pytest.raises(ConfigError, match="loopback"):
        adapters.teams.setup(web.Application(), bot, bot.settings, host="0.0.0.0")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("10.1.2.3") and not is_loopback("example.com") and not is_loopback(None)


def _non_loopback_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if is_loopback(address) else address


async def test_local_mode_answers_loopback_clients_only(tmp_path, teams):
    """Bound to every interface, local mode still refuses a client that reaches it over a non-loopback one."""
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    (tmp_path / "wide").mkdir()
    bot = make_bot(tmp_path / "wide")
    web_app = web.Application()
    adapters.teams.setup(web_app, bot, bot.settings)  # as `qopt serve` does: host not known to the adapter
    runner, url = await start(web_app, host="0.0.0.0")
    try:
        port = url.rsplit(":", 1)[1]
        activity = message(teams.service_url, "help")
        async with teams.session.post(f"http://{address}:{port}/api/messages", json=activity) as response:
            assert response.status == 401
        async with teams.session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
            assert response.status in (200, 202)
    finally:
        await runner.cleanup()
        await bot.close()


def test_app_id_without_tenant_is_a_clear_config_error(tmp_path):
    bot = make_bot(tmp_path, teams_app_id=APP_ID, teams_app_password="secret")
    with pytest.raises(ConfigError, match="QOPT_TEAMS_TENANT_ID"):
        adapters.teams.setup(web.Application(), bot, bot.settings)


# -- authenticated mode ----------------------------------------------------------------------------------------


class Keys:
    def __init__(self) -> None:
        self.good = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.good.public_key()))
        jwk.update(kid=KID, use="sig", alg="RS256")
        return {"keys": [jwk]}

    def token(self, *, key: Any = None, alg: str = "RS256", kid: str | None = KID, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": BF_ISSUER, "aud": APP_ID, "nbf": now - 10, "iat": now - 10, "exp": now + 3600,
                   "serviceurl": "http://127.0.0.1/"}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        headers = {"kid": kid} if kid else {}
        if alg == "none":
            return jwt.encode(payload, None, algorithm="none", headers=headers)
        return jwt.encode(payload, key or self.good, algorithm=alg, headers=headers)


@functools.cache
def shared_keys() -> Keys:
    return Keys()  # RSA key generation is slow: once per run


@pytest.fixture
async def jwks_server():
    """The local JWKS, registered in the SDK validator's key-client cache for the Bot Framework key URL."""
    keys = shared_keys()
    jwks_app = web.Application()
    fetched: list[int] = []

    async def serve_keys(request: web.Request) -> web.Response:
        fetched.append(1)
        return web.json_response(keys.jwks())

    jwks_app.router.add_get("/keys", serve_keys)
    runner, url = await start(jwks_app)
    cache = JwtTokenValidator._jwk_client_manager._cache
    uri = AuthenticationConstants.PUBLIC_ABS_JWKS_URL
    previous = cache.get(uri)
    cache[uri] = _JwkClientCacheEntry(PyJWKClient(url + "/keys"), threading.Lock())
    yield keys, fetched
    if previous is None:
        cache.pop(uri, None)
    else:
        cache[uri] = previous
    await runner.cleanup()


async def authenticated(teams_factory, jwks_server, *, validate_service_url: bool):
    teams = await teams_factory(teams_app_id=APP_ID, teams_app_password="not-a-real-secret",
                                teams_tenant_id=TENANT_ID, validate_service_url=validate_service_url)
    teams.keys, teams.jwks_fetched = jwks_server
    return teams


@pytest.fixture
async def authed(teams_factory, jwks_server):
    """Authenticated mode answering a plain-http loopback connector (so the service-URL host check is off)."""
    return await authenticated(teams_factory, jwks_server, validate_service_url=False)


@pytest.fixture
async def strict(teams_factory, jwks_server):
    """Authenticated mode as deployed: service URLs must be https Microsoft hosts matching the token."""
    return await authenticated(teams_factory, jwks_server, validate_service_url=True)


def expect_replies(activity: dict[str, Any]) -> dict[str, Any]:
    """Ask for the replies in the HTTP response: no outgoing connector call (and no Entra token) is needed."""
    activity["deliveryMode"] = "expectReplies"
    return activity


async def test_authenticated_mode_accepts_a_properly_signed_token(authed):
    token = authed.keys.token()
    response = await authed.session.post(authed.url + "/api/messages",
                                         json=expect_replies(message(authed.service_url, "help")),
                                         headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    body = await response.json()
    replies = [a for a in body["activities"] if a["type"] == "message"]
    assert "qopt — commands" in card_texts(replies[0]["attachments"][0]["content"])
    assert authed.jwks_fetched  # the signature really was checked against the served keys


@pytest.mark.parametrize("case", [
    "no header", "garbage", "unsigned", "wrong issuer", "wrong audience", "expired", "wrong key", "unknown kid",
    "HS256", "no kid", "entra issuer of another tenant",
])
async def test_authenticated_mode_rejects_bad_tokens_with_401(authed, case):
    keys = authed.keys
    tokens = {
        "garbage": "garbage",
        "unsigned": keys.token(alg="none"),
        "wrong issuer": keys.token(iss="https://evil.example.com"),
        "wrong audience": keys.token(aud="11111111-2222-3333-4444-555555555555"),
        "expired": keys.token(exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200, iat=int(time.time()) - 7200),
        "wrong key": keys.token(key=keys.other),
        "unknown kid": keys.token(kid="someone-elses-key"),
        "HS256": jwt.encode({"iss": BF_ISSUER, "aud": APP_ID, "exp": int(time.time()) + 60}, "s" * 32,
                            algorithm="HS256", headers={"kid": KID}),
        "no kid": keys.token(kid=None),
        "entra issuer of another tenant": keys.token(iss="https://login.microsoftonline.com/"
                                                         "00000000-1111-2222-3333-444444444444/v2.0"),
    }
    headers = {} if case == "no header" else {"Authorization": f"Bearer {tokens[case]}"}
    response = await authed.session.post(authed.url + "/api/messages",
                                         json=expect_replies(message(authed.service_url, "help")), headers=headers)
    assert response.status == 401, case
    assert authed.connector.calls == []


@pytest.mark.parametrize("header", GARBAGE_HEADERS)
async def test_authenticated_mode_garbage_headers_are_401(authed, header):
    response = await authed.post(message(authed.service_url, "help"), headers={"Authorization": header})
    assert response.status == 401


async def test_cheap_rejections_fetch_no_keys(authed):
    for token in (authed.keys.token(iss="https://evil.example.com"), authed.keys.token(aud="someone-else"), "x.y.z"):
        response = await authed.post(message(authed.service_url, "help"), headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401
    assert authed.jwks_fetched == []


TEAMS_SERVICE_URL = "https://smba.trafficmanager.net/amer/"


async def test_deployed_mode_accepts_the_teams_service_url_of_the_token(strict):
    activity = expect_replies(message(TEAMS_SERVICE_URL, "help"))
    token = strict.keys.token(serviceurl=TEAMS_SERVICE_URL)
    async with strict.session.post(strict.url + "/api/messages", json=activity,
                                   headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 200
        body = await response.json()
    assert any(a["type"] == "message" for a in body["activities"])


@pytest.mark.parametrize("service_url", ["https://evil.example.com/amer/", "http://smba.trafficmanager.net/amer/",
                                         "https://127.0.0.1/amer/"])
async def test_deployed_mode_refuses_a_foreign_service_url_even_with_a_valid_token(strict, service_url):
    """A valid token replayed with another service URL must not make the bot send its own token there."""
    activity = message(service_url, "help")
    token = strict.keys.token(serviceurl=TEAMS_SERVICE_URL)
    async with strict.session.post(strict.url + "/api/messages", json=activity,
                                   headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 401
    assert strict.connector.calls == []
