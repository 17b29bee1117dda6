"""submit_booking: retries with backoff, outage deferral, revoked credentials, retry helpers."""

from __future__ import annotations

import pytest

from booking_core.calendars.base import ProviderError
from booking_core.db.session import session_scope
from booking_core.retry_policy import RetryPolicy, call_with_retry
from booking_core.tenancy import flag_tenant_reauth
from tests.booking_core.factories import BookingError, book_event
from tests.booking_core.fakes import (
    FAST,
    FakeAuthError,
    FakeCalendar,
    at,
    outage,
    row,
    tenant_settings,
)


def submit(**overrides: object):  # type: ignore[no-untyped-def]
    from booking_core.booking import submit_booking

    kwargs: dict[str, object] = {
        "tenant_slug": "shop",
        "channel": "whatsapp",
        "platform_user_id": "ann",
        "display_name": "Ann",
        "title": "Dentist",
        "start": at("10:00"),
        "end": at("11:00"),
        "timezone": "Europe/London",
        "retry": FAST,
    }
    kwargs.update(overrides)
    return submit_booking(**kwargs)  # type: ignore[arg-type]


def test_confirmed(fake: FakeCalendar) -> None:
    outcome = submit()
    assert outcome.outcome == "confirmed" and outcome.saved and outcome.error is None
    assert outcome.booking.link == f"https://fake.example/fk{outcome.booking.uid}"
    assert row(outcome.booking.event_id).status == "confirmed"
    assert len(fake.active()) == 1


def test_transient_failures_are_retried_with_backoff(fake: FakeCalendar) -> None:
    fake.failures = [outage(), outage()]
    waits: list[float] = []
    outcome = submit(retry=RetryPolicy(attempts=3, base_delay=0.5, max_delay=4), sleep=waits.append)
    assert outcome.outcome == "confirmed"
    assert waits == [0.5, 1.0]
    assert [c[0] for c in fake.calls] == ["create"] * 3
    assert len(fake.active()) == 1


def test_retry_after_is_honoured_within_the_cap() -> None:
    class ThrottledError(ProviderError):
        retry_after = 30.0

    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ThrottledError("429", retryable=True)
        return "ok"

    waits: list[float] = []
    policy = RetryPolicy(attempts=2, base_delay=0.5, max_delay=4.0)
    assert call_with_retry(flaky, policy, sleep=waits.append) == "ok"
    assert waits == [4.0]
    with pytest.raises(RuntimeError):  # not retryable: raised at once
        call_with_retry(
            lambda: (_ for _ in ()).throw(RuntimeError("bug")), policy, sleep=waits.append
        )
    assert waits == [4.0]


def test_outage_keeps_row_pending_and_says_saved(fake: FakeCalendar) -> None:
    fake.failures = [outage(), outage(), outage()]
    outcome = submit()
    assert outcome.outcome == "deferred" and outcome.saved
    assert "503" in (outcome.error or "")
    stored = row(outcome.booking.event_id)
    assert stored.status == "pending"
    assert (stored.owed_operation, stored.owed_attempts) == ("create", 3)
    assert fake.active() == []
    # The user retrying the same request reuses the row (and now succeeds).
    again = submit()
    assert again.outcome == "confirmed" and again.booking.event_id == outcome.booking.event_id
    assert len(fake.active()) == 1


def test_revoked_credentials_flag_tenant_and_keep_row(fake: FakeCalendar) -> None:
    fake.failures = [FakeAuthError()]
    outcome = submit()
    assert outcome.outcome == "needs_reauth" and outcome.saved
    stored = row(outcome.booking.event_id)
    assert stored.status == "pending" and "token revoked" in (stored.error or "")
    settings = tenant_settings("shop")["fake"]
    assert settings["needs_reauth"] is True and settings["reauth_reason"] == "invalid_grant"
    assert "reauth_flagged_at" in settings
    assert len(fake.calls) == 1  # credentials errors are not retried


def test_permanent_rejection_fails(fake: FakeCalendar) -> None:
    fake.failures = [ProviderError("400 bad request", retryable=False)]
    outcome = submit()
    assert outcome.outcome == "failed" and not outcome.saved
    assert row(outcome.booking.event_id).status == "failed"


def test_book_event_contract_is_unchanged(fake: FakeCalendar) -> None:
    fake.failures = [outage()]
    with pytest.raises(BookingError) as info:
        book_event(
            tenant_slug="shop",
            channel="whatsapp",
            platform_user_id="ann",
            display_name="Ann",
            title="Dentist",
            start=at("10:00"),
            end=at("11:00"),
            timezone="Europe/London",
        )
    assert info.value.retryable is True
    assert row(info.value.event_id).status == "failed"
    assert len(fake.calls) == 1  # one attempt, no retries


def test_flag_skipped_when_credentials_changed(fake: FakeCalendar) -> None:
    from sqlalchemy import select

    from booking_core.calendars.google_config import settings_fingerprint
    from booking_core.calendars.google_errors import GoogleCredentialsError
    from booking_core.db.models import Tenant

    old = {"refresh_token_enc": "old-token"}
    stale = GoogleCredentialsError(
        "revoked", reason="invalid_grant", fingerprint=settings_fingerprint(old)
    )
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.calendar_provider = "google"
        tenant.calendar_settings = {"google": {"refresh_token_enc": "new-token"}}
        session.flush()
        assert not flag_tenant_reauth(session, tenant_id=tenant.id, provider="google", exc=stale)
        current = GoogleCredentialsError(
            "revoked",
            reason="invalid_grant",
            fingerprint=settings_fingerprint({"refresh_token_enc": "new-token"}),
        )
        assert flag_tenant_reauth(session, tenant_id=tenant.id, provider="google", exc=current)
    assert tenant_settings("shop")["google"]["needs_reauth"] is True


def test_flag_never_writes_back_stale_settings(fake: FakeCalendar) -> None:
    from sqlalchemy import select

    from booking_core.calendars.google_config import settings_fingerprint
    from booking_core.calendars.google_errors import GoogleCredentialsError
    from booking_core.db.models import Tenant

    old = {"refresh_token_enc": "old-token"}
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        tenant.calendar_provider = "google"
        tenant.calendar_settings = {"google": old}
    failure = GoogleCredentialsError(
        "revoked", reason="invalid_grant", fingerprint=settings_fingerprint(old)
    )
    with session_scope() as session:
        stale = session.execute(select(Tenant).where(Tenant.slug == "shop")).scalar_one()
        assert stale.calendar_settings["google"] == old
        session.commit()
        with session_scope() as admin:  # the admin reconnects meanwhile
            fresh = admin.get(Tenant, stale.id)
            fresh.calendar_settings = {"google": {"refresh_token_enc": "new-token"}}
        assert not flag_tenant_reauth(session, tenant_id=stale.id, provider="google", exc=failure)
    assert tenant_settings("shop")["google"] == {"refresh_token_enc": "new-token"}
