"""Conversation history: contacts and messages with filters and cursor pagination, one
contact's transcript in order, and the privacy requests (export, erase) on a contact."""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException

from api import schemas
from api.core.pagination import (
    decode_id_cursor,
    decode_key_cursor,
    encode_id_cursor,
    encode_key_cursor,
)
from api.core.rasa import TrackerErasureError, erase_trackers
from api.deps import ConfigDep, CurrentTenant, SessionDep
from api.routes.params import (
    ChannelFilter,
    Cursor,
    DirectionFilter,
    IdQuery,
    Limit,
    Search,
    aware,
    id_path,
)
from api.serializers import contact_out, message_out
from booking_core.db import repository as repo
from booking_core.db.models import Contact

router = APIRouter(tags=["history"])
logger = logging.getLogger(__name__)


def _contact_or_404(session: SessionDep, tenant_id: int, contact_id: int) -> Contact:
    contact = repo.get_contact(session, tenant_id=tenant_id, contact_id=contact_id)
    if contact is None:
        raise HTTPException(status_code=404, detail="contact not found")
    return contact


@router.get("/contacts", response_model=schemas.ContactPage)
def list_contacts(
    tenant: CurrentTenant,
    session: SessionDep,
    channel: ChannelFilter = None,
    q: Search = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> schemas.ContactPage:
    """Contacts, newest first; `q` matches the display name or platform user id."""
    rows = repo.list_contacts(
        session,
        tenant_id=tenant.id,
        channel=channel,
        search=q,
        after_id=decode_id_cursor(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return schemas.ContactPage(
        items=[contact_out(c) for c in rows],
        next_cursor=encode_id_cursor(rows[-1].id) if more else None,
    )


@router.get("/contacts/{contact_id}", response_model=schemas.ContactOut)
def read_contact(
    tenant: CurrentTenant, session: SessionDep, contact_id: int = id_path("contact id")
) -> schemas.ContactOut:
    """One contact."""
    return contact_out(_contact_or_404(session, tenant.id, contact_id))


@router.get("/contacts/{contact_id}/messages", response_model=schemas.Transcript)
def transcript(
    tenant: CurrentTenant,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 100,
    contact_id: int = id_path("contact id"),
) -> schemas.Transcript:
    """One conversation's transcript, oldest first (both directions)."""
    contact = _contact_or_404(session, tenant.id, contact_id)
    rows = repo.list_message_page(
        session,
        tenant_id=tenant.id,
        contact_id=contact.id,
        after=decode_key_cursor(cursor),
        oldest_first=True,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return schemas.Transcript(
        contact=contact_out(contact),
        items=[message_out(m) for m in rows],
        next_cursor=encode_key_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )


@router.get("/messages", response_model=schemas.MessagePage)
def list_messages(
    tenant: CurrentTenant,
    session: SessionDep,
    channel: ChannelFilter = None,
    contact_id: IdQuery = None,
    direction: DirectionFilter = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Search = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> schemas.MessagePage:
    """Messages, newest first. `since` inclusive, `until` exclusive (ISO 8601; no offset = UTC);
    `q` matches the text."""
    rows = repo.list_message_page(
        session,
        tenant_id=tenant.id,
        channel=channel,
        contact_id=contact_id,
        direction=direction,
        since=aware(since, "since"),
        until=aware(until, "until"),
        search=q,
        after=decode_key_cursor(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return schemas.MessagePage(
        items=[message_out(m) for m in rows],
        next_cursor=encode_key_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )


@router.get("/contacts/{contact_id}/export", tags=["privacy"])
def export_contact(
    tenant: CurrentTenant, session: SessionDep, contact_id: int = id_path("contact id")
) -> dict[str, object]:
    """Everything stored about the contact (profile, messages, events) as JSON."""
    data = repo.export_contact(session, tenant_id=tenant.id, contact_id=contact_id)
    if data is None:
        raise HTTPException(status_code=404, detail="contact not found")
    data["tenant"] = {"id": tenant.id, "slug": tenant.slug, "name": tenant.name}
    return data


@router.delete(
    "/contacts/{contact_id}",
    tags=["privacy"],
    response_model=schemas.ErasureOut,
    responses={502: {"model": schemas.Detail, "description": "tracker data not erased"}},
)
def erase_contact(
    tenant: CurrentTenant,
    session: SessionDep,
    config: ConfigDep,
    contact_id: int = id_path("contact id"),
) -> schemas.ErasureOut:
    """Erase the contact with all its messages, events and Rasa tracker data.

    The tracker is erased first; if that fails (502) nothing is deleted here, so the request
    can simply be repeated.
    """
    contact = _contact_or_404(session, tenant.id, contact_id)
    sender_ids = repo.rasa_sender_ids(tenant_slug=tenant.slug, contact=contact)
    try:
        tracker = erase_trackers(config, sender_ids)
    except TrackerErasureError as exc:
        raise HTTPException(status_code=502, detail=f"tracker data not erased: {exc}") from None
    counts = repo.erase_contact(session, tenant_id=tenant.id, contact_id=contact_id)
    if counts is None:  # erased concurrently
        raise HTTPException(status_code=404, detail="contact not found")
    logger.info(
        "erased contact %s of tenant %s (%d messages, %d events)",
        contact_id,
        tenant.slug,
        counts.messages,
        counts.events,
    )
    return schemas.ErasureOut(
        contact_id=contact_id,
        deleted_messages=counts.messages,
        deleted_events=counts.events,
        tracker={
            "sender_ids": sender_ids,
            "sql_tracker_store": tracker.sql_tracker_store,
            "sql_events_deleted": tracker.sql_events_deleted,
            "rasa_server": tracker.rasa_server,
            "notes": tracker.notes,
        },
    )
