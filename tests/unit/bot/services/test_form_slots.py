"""The code and card slots that services read back from events are the domain's."""

from __future__ import annotations

import yaml

from actions.handoff import slot_name
from bot.services.form_slots import (
    CARD_SLOT,
    CODE_SLOTS,
    HANDOFF_CODE_SLOT,
    OTP_SLOT,
    SEALED_SLOTS,
)
from bot.services.handoff.details import Detail
from tests.support.environment import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


def _free_text_slots() -> set[str]:
    """Slots that keep whatever the customer types while their question is open."""
    return {
        name
        for name, slot in DOMAIN["slots"].items()
        if any(m.get("type") == "from_text" for m in slot.get("mappings") or [])
    }


def test_the_code_slots_are_slots_that_keep_typed_text() -> None:
    assert _free_text_slots() >= CODE_SLOTS
    assert DOMAIN["forms"]["code_form"]["required_slots"] == [OTP_SLOT]


def test_every_free_text_slot_named_like_a_code_is_a_code_slot() -> None:
    assert {name for name in _free_text_slots() if "code" in name} == CODE_SLOTS
    assert HANDOFF_CODE_SLOT in DOMAIN["slots"] and CARD_SLOT in DOMAIN["slots"]


def test_the_card_slot_is_the_handoff_forms() -> None:
    assert slot_name(Detail.CARD_LAST4) == CARD_SLOT  # the transcript masks its answers


def test_the_sealed_slots_are_the_handoff_forms_free_text_and_email_details() -> None:
    free_text = (Detail.REASON, Detail.IDENTIFIER, Detail.BILLING_EMAIL, Detail.BILLING_ADDRESS)
    assert {slot_name(detail) for detail in free_text} == SEALED_SLOTS
    assert _free_text_slots() >= SEALED_SLOTS
