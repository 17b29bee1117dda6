"""Natural-language understanding helpers of the booking assistant (time extraction)."""
