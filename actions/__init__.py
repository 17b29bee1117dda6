"""rasa-sdk action server: `rasa run actions` imports this package and its modules."""

from actions.booking_form import ValidateBookingForm
from actions.confirmation import ActionCancelBooking, ActionConfirmBooking, ActionPrepareChange
from actions.submit import ActionSubmitBooking

__all__ = [
    "ActionCancelBooking",
    "ActionConfirmBooking",
    "ActionPrepareChange",
    "ActionSubmitBooking",
    "ValidateBookingForm",
]
