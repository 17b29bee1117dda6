"""Proof that whoever registers a channel account controls it: the token given must read that
account on the platform. Without it any tenant could register another business's number or bot,
locking the owner out (409) or, for an account the table cannot see (the environment's), being
answered with its real token. Asked of the API base URLs the connectors send to, through their
aiohttp client; the caller stores nothing unless the platform agrees.

- WhatsApp: GET /<phone_number_id> with the access token answers that `id`.
- Instagram: GET /me?fields=user_id,username with the access token answers `user_id` = the
  account id (/me names the token's own account; GET /<id> could succeed for an account the token
  merely sees).
- Telegram: getMe with the bot token answers `result.id` = the bot id (the token's prefix).
"""

from __future__ import annotations

import anyio.from_thread

from api.core.config import ApiConfig
from connectors.instagram.api import account_id_of, read_me
from connectors.retry import ApiResult, RetryPolicy, describe_error, new_session
from connectors.telegram.api import bot_id_of, get_me
from connectors.whatsapp.api import phone_number_id_of, read_phone_number

_PLATFORMS = {"whatsapp": "WhatsApp", "instagram": "Instagram", "telegram": "Telegram"}
_ACCOUNTS = {"whatsapp": "phone number", "instagram": "account", "telegram": "bot"}


class OwnershipError(RuntimeError):
    """The platform refused the token (`status_code` 422) or could not be asked (502); the
    message never contains the token."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


async def _read(
    config: ApiConfig, channel: str, account_id: str, token: str
) -> tuple[ApiResult, str | None]:
    """The platform's answer and the account id it names (None: it names none)."""
    policy = RetryPolicy(
        attempts=2, base_delay=0.2, max_delay=1.0, max_wait=2.0, timeout=config.http_timeout
    )
    async with new_session(policy) as client:
        if channel == "whatsapp":
            url = config.whatsapp_api_url
            result = await read_phone_number(client, url, account_id, token, policy=policy)
            return result, phone_number_id_of(result.body)
        if channel == "instagram":
            result = await read_me(client, config.instagram_api_url, token, policy=policy)
            return result, account_id_of(result.body)
        result = await get_me(client, config.telegram_api_url, token, policy=policy)
        return result, bot_id_of(result.body)


def _reason(result: ApiResult, token: str) -> str:
    if result.status is None:
        reason = result.error or "no answer"
    else:
        reason = describe_error(result.status, result.body)
    return reason.replace(token, "<token>")[:300]


async def _verify(config: ApiConfig, channel: str, account_id: str, token: str) -> None:
    platform = _PLATFORMS[channel]
    what = f"{platform} {_ACCOUNTS[channel]} {account_id}"
    secret = "bot token" if channel == "telegram" else "access token"
    result, answered = await _read(config, channel, account_id, token)
    status = result.status
    if status is None or status >= 500 or status == 429 or (result.ok and answered is None):
        raise OwnershipError(
            502, f"could not check with {platform} that the {secret} controls {what} "
            f"({_reason(result, token)}); nothing was stored",
        )  # fmt: skip
    if not result.ok:
        raise OwnershipError(
            422, f"the {secret} cannot read {what} ({_reason(result, token)}); nothing was stored"
        )
    if answered != account_id:
        raise OwnershipError(
            422, f"the {secret} belongs to another {platform} {_ACCOUNTS[channel]} than "
            f"{account_id}; nothing was stored",
        )  # fmt: skip


def verify_control(config: ApiConfig, *, channel: str, account_id: str, token: str) -> None:
    """Check from a worker thread of the API (sync routes run in one) that `token` reads
    `account_id` on the platform of `channel`; raises OwnershipError."""
    anyio.from_thread.run(_verify, config, channel, account_id, token)
