"""Policy values from `bot/policy.yml` (path overridable with POLICY_FILE)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import SettingsError, get_settings


@dataclass(frozen=True)
class Policy:
    limited_grace_days: int
    deactivated_retention_days: int
    contract_notice_days: int
    data_deletion_days: int
    otp_length: int
    otp_ttl_minutes: int
    otp_max_attempts: int
    reset_token_ttl_minutes: int
    reset_token_bytes: int
    reset_limit_per_email_per_hour: int
    reset_limit_per_conversation_per_hour: int


def load_policy(path: Path) -> Policy:
    """Read the policy file; every field must be present and a positive integer."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError("POLICY_FILE", f"cannot read {path}: {error}") from None
    values: dict[str, int] = {}
    for field in fields(Policy):
        value = raw.get(field.name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise SettingsError("POLICY_FILE", f"{path}: '{field.name}' must be a positive integer")
        values[field.name] = value
    return Policy(**values)


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    return load_policy(get_settings().policy_file)
