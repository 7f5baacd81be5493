"""Values shared by the service tests."""

from __future__ import annotations

from bot.policy import Policy
from tests.conftest import TODAY

__all__ = ["KNOWLEDGE_BASE_POLICY", "TODAY"]

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
)
