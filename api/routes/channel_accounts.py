"""A tenant's channel accounts: WhatsApp numbers, Instagram accounts, Telegram bots.

Secrets are write-only: stored encrypted (SECRET_KEYS, Fernet/MultiFernet) and never returned;
responses say which secrets are set. Registering a Telegram bot can set its webhook with a fresh
secret token, and so can `POST .../telegram-webhook` later (which also rotates the secret).

An account is stored only when its token reads it on the platform (api.core.ownership), on
registration and when PATCH replaces the token; the default tenant's accounts from the
environment cannot be registered at all (409).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import APIRouter, Body, HTTPException, Response
from sqlalchemy.exc import IntegrityError

from api import schemas
from api.core.config import ApiConfig
from api.core.ownership import OwnershipError, verify_control
from api.core.telegram import WebhookError, bot_id, new_webhook_secret, register_webhook
from api.deps import ConfigDep, CurrentTenant, SecretBoxDep, SessionDep
from api.routes.params import id_path
from api.serializers import account_out
from booking_core.crypto import SecretBox, SecretKeyError
from booking_core.db import repository as repo
from booking_core.db.models import ChannelAccount
from booking_core.db.repository import ChannelSecrets

router = APIRouter(tags=["channel accounts"])
logger = logging.getLogger(__name__)


def _webhook_url(requested: str | None, config: ApiConfig) -> str:
    url = requested or config.telegram_webhook_url
    if not url:
        raise HTTPException(
            status_code=422,
            detail="webhook_url is required (or set TELEGRAM_WEBHOOK_URL on the server)",
        )
    return url


def _set_webhook(config: ApiConfig, bot_token: str, url: str, secret: str) -> None:
    try:
        register_webhook(
            api_url=config.telegram_api_url,
            bot_token=bot_token,
            url=url,
            secret=secret,
            timeout=config.http_timeout,
        )
    except WebhookError as exc:
        logger.warning("%s", exc)
        raise HTTPException(status_code=502, detail=str(exc)) from None


def _refuse_taken(session: SessionDep, config: ApiConfig, channel: str, account_id: str) -> None:
    """409 for an account registered already, here or in the environment (the default tenant's
    accounts from credentials.yml, which the table does not hold)."""
    taken = config.environment_account(channel) == account_id or (
        repo.get_channel_account(session, channel=channel, account_id=account_id) is not None
    )
    if taken:
        raise HTTPException(status_code=409, detail=f"this {channel} account is already registered")


def _check_control(config: ApiConfig, channel: str, account_id: str, token: str) -> None:
    """422 when the token cannot read the account on the platform, 502 when it cannot be asked."""
    try:
        verify_control(config, channel=channel, account_id=account_id, token=token)
    except OwnershipError as exc:
        logger.warning("%s account %s refused: %s", channel, account_id, exc.detail)
        raise HTTPException(status_code=exc.status_code, detail=exc.detail) from None


def _account_or_404(session: SessionDep, tenant_id: int, account_pk: int) -> ChannelAccount:
    account = repo.get_tenant_channel_account(session, tenant_id=tenant_id, account_pk=account_pk)
    if account is None:
        raise HTTPException(status_code=404, detail="channel account not found")
    return account


def _decrypt(account: ChannelAccount, box: SecretBox) -> ChannelSecrets:
    try:
        return repo.decrypt_channel_secrets(account, box=box)
    except SecretKeyError:
        raise HTTPException(
            status_code=409,
            detail="stored secrets cannot be decrypted with SECRET_KEYS; register it again",
        ) from None


@router.get("/channel-accounts", response_model=list[schemas.ChannelAccountOut])
def list_accounts(tenant: CurrentTenant, session: SessionDep) -> list[schemas.ChannelAccountOut]:
    """The tenant's accounts (no secrets)."""
    return [account_out(a) for a in repo.list_channel_accounts(session, tenant_id=tenant.id)]


@router.post("/channel-accounts", response_model=schemas.ChannelAccountOut, status_code=201)
def register_account(
    tenant: CurrentTenant,
    session: SessionDep,
    box: SecretBoxDep,
    config: ConfigDep,
    body: schemas.ChannelAccountCreate = Body(..., discriminator="channel"),
) -> schemas.ChannelAccountOut:
    """Register a WhatsApp number (`phone_number_id`), Instagram account or Telegram bot."""
    if isinstance(body, schemas.TelegramAccountIn):
        token = body.bot_token.get_secret_value()
        channel, account_id = "telegram", bot_id(token)
        secrets = ChannelSecrets(bot_token=token, webhook_secret=new_webhook_secret())
    else:
        channel = body.channel
        account_id = (
            body.phone_number_id if isinstance(body, schemas.WhatsAppAccountIn) else body.account_id
        )
        secrets = ChannelSecrets(
            access_token=body.access_token.get_secret_value(),
            app_secret=body.app_secret.get_secret_value(),
            verify_token=body.verify_token.get_secret_value(),
        )
    webhook_url: str | None = None  # checked before anything is asked of the platform
    if isinstance(body, schemas.TelegramAccountIn) and body.set_webhook:
        webhook_url = _webhook_url(body.webhook_url, config)
    _refuse_taken(session, config, channel, account_id)
    _check_control(config, channel, account_id, secrets.bot_token or secrets.access_token or "")
    if webhook_url is not None:
        _set_webhook(config, secrets.bot_token or "", webhook_url, secrets.webhook_secret or "")
    try:
        account = repo.create_channel_account(
            session,
            tenant_id=tenant.id,
            channel=channel,
            account_id=account_id,
            secrets=secrets,
            box=box,
        )
    except IntegrityError:  # registered concurrently
        raise HTTPException(
            status_code=409, detail=f"this {channel} account is already registered"
        ) from None
    return account_out(account)


@router.get("/channel-accounts/{account_id}", response_model=schemas.ChannelAccountOut)
def read_account(
    tenant: CurrentTenant, session: SessionDep, account_id: int = id_path("channel account id")
) -> schemas.ChannelAccountOut:
    """One account (no secrets)."""
    return account_out(_account_or_404(session, tenant.id, account_id))


@router.patch("/channel-accounts/{account_id}", response_model=schemas.ChannelAccountOut)
def update_account(
    body: schemas.ChannelAccountUpdate,
    tenant: CurrentTenant,
    session: SessionDep,
    box: SecretBoxDep,
    config: ConfigDep,
    account_id: int = id_path("channel account id"),
) -> schemas.ChannelAccountOut:
    """Replace some secrets (e.g. a rotated access token); the others are kept. A new token must
    still read the same account."""
    account = _account_or_404(session, tenant.id, account_id)
    given = {k: v.get_secret_value() for k, v in body.dict(exclude_none=True).items()}
    if not given:
        raise HTTPException(status_code=422, detail="give at least one secret to replace")
    allowed = (
        {"bot_token"}
        if account.channel == "telegram"
        else {"access_token", "app_secret", "verify_token"}
    )
    unexpected = sorted(set(given) - allowed)
    if unexpected:
        raise HTTPException(
            status_code=422,
            detail=f"{account.channel} accounts have no {', '.join(unexpected)}",
        )
    if "bot_token" in given and bot_id(given["bot_token"]) != account.account_id:
        raise HTTPException(status_code=422, detail="the bot token belongs to another bot")
    token = given.get("bot_token") or given.get("access_token")
    if token:
        _check_control(config, account.channel, account.account_id, token)
    secrets = replace(_decrypt(account, box), **given)
    repo.update_channel_account_secrets(session, account=account, secrets=secrets, box=box)
    return account_out(account)


@router.delete("/channel-accounts/{account_id}", status_code=204, response_class=Response)
def delete_account(
    tenant: CurrentTenant, session: SessionDep, account_id: int = id_path("channel account id")
) -> Response:
    """Remove the account (its webhooks then answer 'unknown account')."""
    if not repo.delete_tenant_channel_account(session, tenant_id=tenant.id, account_pk=account_id):
        raise HTTPException(status_code=404, detail="channel account not found")
    return Response(status_code=204)


@router.post(
    "/channel-accounts/{account_id}/telegram-webhook", response_model=schemas.WebhookRegistered
)
def set_telegram_webhook(
    tenant: CurrentTenant,
    session: SessionDep,
    box: SecretBoxDep,
    config: ConfigDep,
    body: schemas.TelegramWebhookIn | None = None,
    account_id: int = id_path("channel account id"),
) -> schemas.WebhookRegistered:
    """(Re-)register a Telegram bot's webhook with a fresh secret token."""
    account = _account_or_404(session, tenant.id, account_id)
    if account.channel != "telegram":
        raise HTTPException(status_code=422, detail="not a Telegram account")
    url = _webhook_url(body.url if body else None, config)
    stored = _decrypt(account, box)
    if not stored.bot_token:
        raise HTTPException(status_code=409, detail="no bot token stored")
    secret = new_webhook_secret()
    _set_webhook(config, stored.bot_token, url, secret)
    repo.update_channel_account_secrets(
        session, account=account, secrets=replace(stored, webhook_secret=secret), box=box
    )
    return schemas.WebhookRegistered(account=account_out(account), webhook_url=url)
