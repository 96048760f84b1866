"""How the Web API client retries: slack_sdk's own handlers for rate limits and server errors.

Slack says "slow down" two ways: HTTP 429 with ``Retry-After``, and HTTP 200 with
``{"ok": false, "error": "ratelimited"}``. slack_sdk's ``RateLimitErrorRetryHandler`` waits
``Retry-After`` on the first; the subclass here does the same for the second. HTTP 500 and 503
are retried with backoff (``ServerErrorRetryHandler``), dropped connections too. The handlers
share one count of attempts per call: at most ``MAX_RETRIES`` retries in all.
"""

from __future__ import annotations

MAX_RETRIES = 4


def retry_handlers() -> list:
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    )

    class RateLimitedRetryHandler(RateLimitErrorRetryHandler):
        """HTTP 429, or ``ok: false`` with ``error: ratelimited``: wait ``Retry-After`` (else about 1 s)."""

        def _can_retry(self, *, state, request, response=None, error=None) -> bool:
            if response is None:
                return False
            body = response.body if isinstance(response.body, dict) else {}
            return response.status_code == 429 or body.get("error") == "ratelimited"

    return [
        ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES),
        RateLimitedRetryHandler(max_retry_count=MAX_RETRIES),
        ServerErrorRetryHandler(max_retry_count=MAX_RETRIES),
    ]
