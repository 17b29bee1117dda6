"""rasa-sdk action server: `rasa run actions` imports this package and its modules."""

from actions.booking_form import ValidateBookingForm
from actions.calendar_changes import (
    ActionApplyChange,
    ActionDropChange,
    ActionFindCancel,
    ActionFindReschedule,
    ActionShowAgenda,
)
from actions.confirmation import ActionCancelBooking, ActionConfirmBooking, ActionPrepareChange
from actions.submit import ActionSubmitBooking

__all__ = [
    "ActionApplyChange",
    "ActionCancelBooking",
    "ActionConfirmBooking",
    "ActionDropChange",
    "ActionFindCancel",
    "ActionFindReschedule",
    "ActionPrepareChange",
    "ActionShowAgenda",
    "ActionSubmitBooking",
    "ValidateBookingForm",
]
