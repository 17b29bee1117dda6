"""Reading what the connectors stored, for assertions."""

from __future__ import annotations

from sqlalchemy import func, select

from booking_core.db.models import Contact, Message, Tenant
from booking_core.db.session import session_scope


def messages(url: str, direction: str | None = None) -> list[Message]:
    with session_scope(url) as session:
        query = select(Message).order_by(Message.id)
        if direction:
            query = query.where(Message.direction == direction)
        return list(session.execute(query).scalars())


def count(url: str, model: type = Message) -> int:
    with session_scope(url) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def contacts(url: str) -> list[Contact]:
    with session_scope(url) as session:
        return list(session.execute(select(Contact).order_by(Contact.id)).scalars())


def add_tenant(url: str, slug: str, timezone: str = "America/New_York") -> int:
    with session_scope(url) as session:
        tenant = Tenant(name=slug.title(), slug=slug, timezone=timezone, locale="en_US")
        session.add(tenant)
        session.flush()
        return int(tenant.id)
