"""Handling a message taken over from a process that died, without handling it twice in Rasa.

A Rasa process can die after Rasa handled a message (the user message and the bot's answer are
saved in the tracker in one transaction) but before the message was completed (its replies
queued). Another process then takes the message over after the lease. Handing it to Rasa again
would answer it again inside the conversation: the tracker would hold the user message twice and
a second answer, and a form could take the same answer twice. The answer Rasa gave is in the
tracker, so it is replayed to the output channel instead (as Rasa sends it: `BotUttered.message()`)
and queued as usual; the user gets it once, and the conversation holds the message once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def answer_in_tracker(events: Iterable[Event], message_id: str) -> list[dict[str, Any]] | None:
    """The bot's messages after the user message `message_id`, up to the next user message;
    None when the conversation does not hold that message (Rasa never finished handling it)."""
    answer: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if answer is not None:
                break
            if event.message_id == message_id:
                answer = []
        elif answer is not None and isinstance(event, BotUttered):
            answer.append(event.message())
    return answer


async def handle_taken_over(
    tracker_store: TrackerStore, on_new_message: OnNewMessage, message: UserMessage
) -> None:
    """Replay the answer the conversation already holds for `message`, or hand it to Rasa."""
    tracker = await tracker_store.retrieve(message.sender_id)
    answer = (
        answer_in_tracker(tracker.events, message.message_id)
        if tracker is not None and message.message_id
        else None
    )
    if answer is None:
        await on_new_message(message)
        return
    logger.warning(
        "message %s was already handled by Rasa before its process stopped: its answer "
        "(%d message(s)) is sent from the conversation, not produced again",
        message.message_id,
        len(answer),
    )
    for bot_message in answer:
        await message.output_channel.send_response(message.sender_id, bot_message)
