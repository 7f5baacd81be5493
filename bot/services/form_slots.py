"""The form slots that services read back from tracker events, named once.

Code slots hold a one-time code for one turn: the tracker store, the transcript and
the desk replace whatever is typed while one is asked. Renaming one in domain.yml
without renaming it here would let codes through, so a test checks both agree.
"""

from __future__ import annotations

OTP_SLOT = "otp_code"  # code_form (actions/identity.py)
HANDOFF_CODE_SLOT = "handoff_code"  # handoff_form (actions/handoff.py)
CODE_SLOTS = frozenset({OTP_SLOT, HANDOFF_CODE_SLOT})

# What the forms write into code slots instead of a code.
CODE_ACCEPTED, CODE_STOPPED = "accepted", "stopped"  # code_form
CODE_VERIFIED, CODE_FAILED = "verified", "failed"  # handoff_form
SKIPPED = "skipped"  # the customer chose not to answer (any handoff question)
CODE_SLOT_MARKERS = frozenset({CODE_ACCEPTED, CODE_STOPPED, CODE_VERIFIED, CODE_FAILED, SKIPPED})

CARD_SLOT = "handoff_card_last4"  # its answer is four digits of the card on file

# Free text and emails the handoff form needs turns later: kept sealed between turns
# (bot/services/identity/sealing.py, actions/handoff.py). The tracker store writes no other
# value of them, not even the typed text a from_text mapping sets before the form
# seals it in the same turn.
SEALED_SLOTS = frozenset(
    {"handoff_reason", "handoff_identifier", "handoff_billing_email", "handoff_billing_address"}
)
