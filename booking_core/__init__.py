"""Shared data layer of the booking assistant: settings, database, calendars, booking service."""
