"""What a customer needs a person for: the topic of a handoff ticket, which the flows
that offer a person (account answers, login help, diagnosis) choose and the desk
filters its queue by."""

from __future__ import annotations

import enum


class Topic(str, enum.Enum):
    CANCELLATION = "cancellation"  # cancel by agent (contract, or online cancel blocked)
    LOST_ACCOUNT = "lost_account"  # cannot log in, account not found
    REACTIVATION = "reactivation"  # deactivated within the retention window
    TERMS_VIOLATION = "terms_violation"  # closed after a terms review: an agent re-examines
    EMAIL_CONFLICT = "email_conflict"  # owner and collaborator with the same email
    VERIFICATION_FAILED = "verification_failed"  # three wrong codes
    ACCOUNT = "account"  # another question about the customer's account
    BILLING = "billing"  # a charge the customer disputes: double, unknown, wrong invoice
    GENERAL = "general"  # asked for a person, nothing else known
