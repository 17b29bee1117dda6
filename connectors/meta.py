"""Authentication shared by the Meta platforms (WhatsApp, Instagram): X-Hub-Signature-256."""

from __future__ import annotations

import asyncio
import logging

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.accounts import Account, AccountDirectory
from connectors.signatures import matching_secrets

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"


async def authenticate_meta(
    request: Request, directory: AccountDirectory
) -> list[Account] | HTTPResponse:
    """Accounts whose app secret signed this body (401 without a signature, 403 if none did).

    Only those accounts may receive the batch's items, so one app cannot post into another
    tenant's account. Database errors propagate (the caller answers 503).
    """
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        logger.warning("%s webhook without %s refused", directory.channel, SIGNATURE_HEADER)
        return response.text("missing signature", status=401)
    accounts = await asyncio.to_thread(directory.all_accounts)
    body = request.body or b""
    valid = matching_secrets(body, header, [a.app_secret for a in accounts if a.app_secret])
    if not valid:
        logger.warning("%s webhook with a bad signature refused", directory.channel)
        return response.text("bad signature", status=403)
    return [a for a in accounts if a.app_secret in valid]
