"""Request signature check with an injectable clock (Slack's published test vector has a fixed timestamp).

Bolt's own middleware reads the wall clock and lets a non-numeric timestamp header raise (a 500); this one
answers 401 for every missing, stale (more than five minutes off) or wrong signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_bolt.middleware.request_verification.async_request_verification import AsyncRequestVerification
from slack_sdk.signature import Clock, SignatureVerifier


class _CallableClock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SignatureCheck(AsyncRequestVerification):
    def __init__(self, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        super().__init__(signing_secret)
        self._now = now

    @property
    def verifier(self) -> SignatureVerifier:
        if self._verifier is None:
            self._verifier = _RobustVerifier(self._signing_secret, clock=_CallableClock(self._now))
        return self._verifier

    def _debug_log_error(self, signature, timestamp, body) -> None:  # type: ignore[no-untyped-def]
        # Never log the body: it can hold user text and response URLs.
        self.logger.info("refused a request with a missing, stale or wrong Slack signature")


class _RobustVerifier(SignatureVerifier):
    def is_valid(self, body, timestamp, signature) -> bool:  # type: ignore[no-untyped-def]
        if not timestamp or not str(timestamp).strip().isdigit() or not signature:
            return False
        return super().is_valid(body, timestamp, signature)
