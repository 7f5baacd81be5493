"""Values shared by the service tests."""

from __future__ import annotations

import json
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config.policy import Policy, SupportHours
from tests.support.environment import TODAY
from tests.support.searchable import searchable

__all__ = ["KNOWLEDGE_BASE_POLICY", "NOW", "POLICY", "TODAY", "dump"]

NOW = datetime.combine(TODAY, time(10))  # the service tests' clock: 10:00 on the fixed day

# The knowledge-base values, spelled out so an operator's edit of policy.yml
# cannot change what these tests mean.
KNOWLEDGE_BASE_POLICY = Policy(
    limited_grace_days=90,
    deactivated_retention_days=120,
    contract_notice_days=30,
    data_deletion_days=90,
    otp_length=6,
    otp_ttl_minutes=10,
    otp_max_attempts=3,
    reset_token_ttl_minutes=30,
    reset_token_bytes=32,
    reset_limit_per_email_per_hour=3,
    reset_limit_per_conversation_per_hour=3,
    otp_limit_per_conversation_per_hour=5,
    otp_limit_per_account_per_hour=5,
    otp_failed_codes_per_account_per_hour=10,
    verified_for_minutes=60,
    webhook_max_attempts=4,
    desk_signin_failures_per_username=5,
    desk_signin_failures_per_address=20,
    desk_signin_window_minutes=15,
    support_hours={
        language: SupportHours(zone, frozenset(range(5)), time(9), time(18))
        for language, zone in (
            ("it", "Europe/Rome"),
            ("fr", "Europe/Paris"),
            ("en", "Europe/London"),
        )
    },
)
POLICY = KNOWLEDGE_BASE_POLICY  # the one policy of the service tests


def dump(session: Session, *models: type) -> str:
    """Every row of these tables, as the text a curious operator would search (digests
    and floats blanked: their digits match a customer's by chance)."""
    rows = [
        dict(row)
        for model in models
        for row in session.execute(select(model.__table__)).mappings()  # type: ignore[attr-defined]
    ]
    return searchable(json.dumps(rows, default=str))
