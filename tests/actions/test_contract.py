"""The domain and the action server agree: every custom action the domain names is registered
with rasa-sdk, and every slot a form asks for has an extractor and a validator.

A renamed action or a slot added to a form without its validator fails here, not at the first
customer who reaches it (Rasa would answer with an error from the action server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

import actions
from actions.booking_form import ValidateBookingForm

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
#: Actions Rasa itself provides when a form or rule names them.
RASA_OWN = {"action_listen", "action_restart", "action_session_start", "action_default_fallback"}


def _domain() -> dict[str, Any]:
    return yaml.safe_load(DOMAIN.read_text())


def _registered() -> set[str]:
    executor = ActionExecutor()
    executor.register_package(actions)
    return set(executor.actions)


def test_every_custom_action_of_the_domain_is_registered() -> None:
    custom = {a for a in _domain()["actions"] if a not in RASA_OWN}
    missing = custom - _registered()
    assert not missing, f"named in domain.yml but not registered by the actions package: {missing}"


def test_every_registered_action_is_in_the_domain() -> None:
    unknown = _registered() - set(_domain()["actions"])
    assert not unknown, f"registered but missing from domain.yml's actions: {unknown}"


@pytest.mark.parametrize(
    ("form", "slot"),
    [(form, slot) for form, spec in _domain()["forms"].items() for slot in spec["required_slots"]],
)
def test_every_form_slot_has_an_extractor_and_a_validator(form: str, slot: str) -> None:
    validators = {"booking_form": ValidateBookingForm}
    assert form in validators, f"form {form} has no validation action in this test's table"
    action = validators[form]
    assert callable(getattr(action, f"extract_{slot}", None)), f"{form}: no extract_{slot}"
    assert callable(getattr(action, f"validate_{slot}", None)), f"{form}: no validate_{slot}"
    assert action().name() == f"validate_{form}"
