"""rasa-sdk action server: `rasa run actions` imports this package and its modules."""

from actions.booking_form import ValidateBookingForm
from actions.business_answers import ActionAnswerBusinessQuestion
from actions.calendar_changes import (
    ActionApplyChange,
    ActionDropChange,
    ActionFindCancel,
    ActionFindReschedule,
    ActionShowAgenda,
)
from actions.confirmation import ActionCancelBooking, ActionConfirmBooking, ActionPrepareChange
from actions.fallbacks import ActionNotUnderstood, ActionOutOfScope
from actions.free_time_offers import ActionAskEventTime
from actions.service_choice import ActionAskEventTitle
from actions.submit import ActionSubmitBooking

__all__ = [
    "ActionAnswerBusinessQuestion",
    "ActionApplyChange",
    "ActionAskEventTime",
    "ActionAskEventTitle",
    "ActionCancelBooking",
    "ActionConfirmBooking",
    "ActionDropChange",
    "ActionFindCancel",
    "ActionFindReschedule",
    "ActionNotUnderstood",
    "ActionOutOfScope",
    "ActionPrepareChange",
    "ActionShowAgenda",
    "ActionSubmitBooking",
    "ValidateBookingForm",
]
