from pathlib import Path

import pytest

from bot.config.policy import load_policy
from bot.config.settings import PROJECT_ROOT, SettingsError


def test_shipped_policy_has_the_knowledge_base_values() -> None:
    policy = load_policy(PROJECT_ROOT / "bot" / "policy.yml")
    assert policy.deactivated_retention_days == 120
    assert policy.data_deletion_days == 90
    assert policy.limited_grace_days == 90
    assert policy.contract_notice_days == 30
    assert policy.otp_length == 6


def test_operator_can_change_a_value(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "bot" / "policy.yml").read_text()
    edited = tmp_path / "policy.yml"
    edited.write_text(
        text.replace("deactivated_retention_days: 120", "deactivated_retention_days: 60")
    )
    assert load_policy(edited).deactivated_retention_days == 60


def test_missing_or_invalid_value_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "policy.yml"
    broken.write_text("otp_length: six\n")
    with pytest.raises(SettingsError, match="POLICY_FILE"):
        load_policy(broken)
