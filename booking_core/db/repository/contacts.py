"""Contact crud."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db.models import CHANNELS, Contact


def check_channel(channel: str) -> None:
    """Refuse channel names outside `CHANNELS` so typos don't split a user's history."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")


def get_contact(session: Session, *, tenant_id: int, contact_id: int) -> Contact | None:
    """The contact with this id inside this tenant, or None."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.tenant_id != tenant_id:
        return None
    return contact


def get_contact_by_platform_id(
    session: Session, *, tenant_id: int, channel: str, platform_user_id: str
) -> Contact | None:
    """The contact known by this platform user id on this channel, or None."""
    return session.execute(
        select(Contact).where(
            Contact.tenant_id == tenant_id,
            Contact.channel == channel,
            Contact.platform_user_id == platform_user_id,
        )
    ).scalar_one_or_none()


def upsert_contact(
    session: Session,
    *,
    tenant_id: int,
    channel: str,
    platform_user_id: str,
    display_name: str | None = None,
    locale: str | None = None,
) -> Contact:
    """Find or create the contact; non-None `display_name`/`locale` overwrite stored values.

    Two processes meeting a new user at the same moment both try the insert; the loser's savepoint
    rolls back on the unique (tenant, channel, platform_user_id) constraint and it reads the winner.
    """
    check_channel(channel)
    if not platform_user_id:
        raise ValueError("platform_user_id must not be empty")
    contact = get_contact_by_platform_id(
        session, tenant_id=tenant_id, channel=channel, platform_user_id=platform_user_id
    )
    if contact is None:
        contact = Contact(
            tenant_id=tenant_id,
            channel=channel,
            platform_user_id=platform_user_id,
            display_name=display_name,
            locale=locale,
        )
        try:
            with session.begin_nested():
                session.add(contact)
            return contact
        except IntegrityError:
            contact = get_contact_by_platform_id(
                session, tenant_id=tenant_id, channel=channel, platform_user_id=platform_user_id
            )
            if contact is None:
                raise
    if display_name is not None and contact.display_name != display_name:
        contact.display_name = display_name
    if locale is not None and contact.locale != locale:
        contact.locale = locale
    return contact
