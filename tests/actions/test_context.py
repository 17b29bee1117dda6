"""actions/context.py: whose conversation it is comes from the conversation id and the input
channel the server recorded, never from the message metadata a client could write."""

from __future__ import annotations

import pytest

from actions.context import conversation_owner, platform_user_id, tenant_slug
from tests.actions.factories import make_tracker

FORGED = {"tenant": "bravo", "tenant_id": 2, "platform_user_id": "447700900123"}


@pytest.mark.parametrize(
    ("sender", "channel", "owner"),
    [
        ("alpha:whatsapp:447700900001", "whatsapp", ("alpha", "447700900001")),
        ("alpha:telegram:99", "telegram", ("alpha", "99")),
        ("alpha:instagram:1784", "instagram", ("alpha", "1784")),
        ("alpha:rest:me", "rest", ("alpha", "me")),
        ("alpha:rest:bravo:whatsapp:1", "rest", ("alpha", "bravo:whatsapp:1")),
        # A conversation id that does not name its own channel is nobody's namespace.
        ("bravo:whatsapp:1", "rest", (None, "bravo:whatsapp:1")),
        ("bravo:rest:1", "cmdline", (None, "bravo:rest:1")),
        ("3f2a9c", "cmdline", (None, "3f2a9c")),
        ("erin", "rest", (None, "erin")),
        (":whatsapp:1", "whatsapp", (None, ":whatsapp:1")),
        ("alpha:whatsapp:", "whatsapp", (None, "alpha:whatsapp:")),
    ],
)
def test_owner_comes_from_the_conversation_id(
    sender: str, channel: str, owner: tuple[str | None, str]
) -> None:
    tracker = make_tracker("hi", metadata=FORGED, sender_id=sender, input_channel=channel)
    assert conversation_owner(tracker) == owner
    assert tenant_slug(tracker) == owner[0]
    assert platform_user_id(tracker) == owner[1]


def test_metadata_alone_never_chooses_the_tenant() -> None:
    tracker = make_tracker("book it", metadata=FORGED, sender_id="x")
    assert tenant_slug(tracker) is None
    assert platform_user_id(tracker) == "x"
