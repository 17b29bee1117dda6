"""`make run` gives a new default tenant two example services, so a first chat shows what a
business's services do (a named service fills the title, the length and the price).

Only a tenant with no services and no bookings gets them: a business that deleted them, or has
taken bookings already, is never changed. SEED_EXAMPLE_SERVICES=false turns it off.
`python -m booking_core.examples` (after `make migrate`).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from booking_core.db.repository import create_service, ensure_default_tenant, list_services
from booking_core.db.repository.events import count_tenant_events
from booking_core.db.session import session_scope

logger = logging.getLogger(__name__)

EXAMPLES: tuple[dict[str, Any], ...] = (
    {"name": "Haircut", "duration_minutes": 30, "synonyms": ["cut", "trim", "hair cut"],
     "price_cents": 2500, "currency": "GBP", "buffer_after_minutes": 10,
     "description": "Wash, cut and style."},
    {"name": "Massage", "duration_minutes": 60, "synonyms": ["back massage", "back rub"],
     "price_cents": 5000, "currency": "GBP", "duration_flexible": True,
     "description": "Full-body massage; 30 to 90 minutes on request."},
)  # fmt: skip


def seed_examples(database_url: str | None = None) -> list[str]:
    """Add EXAMPLES to the default tenant when it is untouched; the names added."""
    with session_scope(database_url) as session:
        tenant = ensure_default_tenant(session)
        if list_services(session, tenant_id=tenant.id):
            return []
        if count_tenant_events(session, tenant_id=tenant.id):
            return []
        for example in EXAMPLES:
            fields = dict(example)
            create_service(session, tenant_id=tenant.id, name=fields.pop("name"),
                           duration_minutes=fields.pop("duration_minutes"), **fields)  # fmt: skip
        return [str(example["name"]) for example in EXAMPLES]


def main() -> int:
    """Seed unless SEED_EXAMPLE_SERVICES is false; say what happened."""
    if os.environ.get("SEED_EXAMPLE_SERVICES", "true").strip().lower() in ("0", "false", "no"):
        return 0
    added = seed_examples()
    if added:
        print(f"Example services added to the default tenant: {', '.join(added)} "
              "(change them with the admin API, /api/v1/services)", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
