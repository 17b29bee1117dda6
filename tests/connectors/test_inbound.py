"""InboundMessage serialisation (kept with the stored message for restart recovery)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.inbound import KINDS, InboundMessage, epoch_to_datetime


@given(
    text=st.one_of(st.none(), st.text()),
    kind=st.sampled_from(KINDS),
    ts=st.one_of(st.none(), st.integers(min_value=0, max_value=4_000_000_000)),
)
def test_round_trip(text, kind, ts) -> None:
    message = InboundMessage(
        channel="telegram",
        platform_message_id="1",
        platform_user_id="2",
        chat_id="2",
        kind=kind,
        text=text,
        sent_at=epoch_to_datetime(ts),
        extra={"location": {"latitude": 1.5}},
    )
    assert InboundMessage.from_dict(message.to_dict()) == message
    assert InboundMessage.from_dict({**message.to_dict(), "future_field": 1}) == message


def test_epoch_parsing() -> None:
    assert epoch_to_datetime("1700000000").timestamp() == 1700000000
    assert epoch_to_datetime(1700000000123, millis=True).timestamp() == 1700000000.123
    assert epoch_to_datetime("soon") is None and epoch_to_datetime(1e300) is None
