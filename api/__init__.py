"""Admin API (FastAPI): health, per-event `.ics` files; tenants/history/feeds later."""
