"""Policy values from `bot/policy.yml` (path overridable with POLICY_FILE)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config.settings import LANGUAGES, SettingsError, get_settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SupportHours:
    """When a language team answers chats, in the team's own time zone."""

    timezone: str
    days: frozenset[int]  # 0 = Monday
    open: time
    close: time | None  # None: until midnight ("24:00")

    def is_open(self, now_utc: datetime) -> bool:
        """`now_utc` is naive UTC, as everywhere in the assistant."""
        local = now_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.days:
            return False
        clock = local.time().replace(tzinfo=None)
        return clock >= self.open and (self.close is None or clock < self.close)

    def openings(self, now_utc: datetime, days: int = 7) -> list[tuple[datetime, datetime]]:
        """The opening periods (opens, closes), naive UTC, of the team's next `days`
        days from its own today, without those already over at `now_utc`."""
        zone = ZoneInfo(self.timezone)
        today = now_utc.replace(tzinfo=timezone.utc).astimezone(zone).date()
        periods = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.open, zone)
            closes = (
                datetime.combine(day, self.close, zone)
                if self.close is not None
                else datetime.combine(day + timedelta(days=1), time(0), zone)
            )
            period = (_naive_utc(opens), _naive_utc(closes))
            if period[1] > now_utc:
                periods.append(period)
        return periods

    def next_opening(self, now_utc: datetime) -> datetime:
        """When the team is next open: `now_utc` itself while it is open."""
        for opens, _ in self.openings(now_utc, days=8):  # 8: today's hours may be over
            return max(opens, now_utc)
        raise AssertionError("support hours have at least one day")  # checked on loading


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


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
    otp_limit_per_conversation_per_hour: int
    otp_limit_per_account_per_hour: int
    otp_failed_codes_per_account_per_hour: int
    verified_for_minutes: int
    webhook_max_attempts: int
    desk_signin_failures_per_username: int
    desk_signin_failures_per_address: int
    desk_signin_window_minutes: int
    # the first lock at the limit; each lock of the same streak doubles it, up to the max
    desk_signin_backoff_seconds: int = 300
    desk_signin_backoff_max_seconds: int = 1800
    conversation_retention_days: int = 30
    outbox_retention_days: int = 7
    challenge_retention_days: int = 30
    ticket_retention_days: int = 90
    audit_retention_days: int = 90
    review_file_retention_days: int = 90
    insights_quiet_minutes: int = 60
    insights_resolution_hours: int = 24
    # the wait quoted to a queued customer per person ahead, until the team has closed
    # enough tickets for an estimate of its own (bot/services/handoff/waiting.py)
    queue_minutes_per_customer: int = 5
    support_hours: Mapping[str, SupportHours] = field(default_factory=dict)


def _clock(path: Path, name: str, value: Any) -> time | None:
    text = str(value)
    if text == "24:00":
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise SettingsError("POLICY_FILE", f"{path}: '{name}' must be HH:MM") from None


def _support_hours(path: Path, raw: Any) -> dict[str, SupportHours]:
    if not isinstance(raw, dict) or set(raw) != set(LANGUAGES):
        raise SettingsError("POLICY_FILE", f"{path}: 'support_hours' needs it, fr and en")
    hours: dict[str, SupportHours] = {}
    for language, team in raw.items():
        name = f"support_hours.{language}"
        if not isinstance(team, dict):
            raise SettingsError("POLICY_FILE", f"{path}: '{name}' must be a mapping")
        try:
            ZoneInfo(str(team.get("timezone")))
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError("POLICY_FILE", f"{path}: '{name}.timezone' is unknown") from None
        days = team.get("days") or []
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            raise SettingsError("POLICY_FILE", f"{path}: '{name}.days' must list mon..sun")
        opens = _clock(path, f"{name}.open", team.get("open"))
        if opens is None:
            raise SettingsError("POLICY_FILE", f"{path}: '{name}.open' must be HH:MM")
        hours[language] = SupportHours(
            timezone=str(team["timezone"]),
            days=frozenset(WEEKDAYS.index(d) for d in days),
            open=opens,
            close=_clock(path, f"{name}.close", team.get("close")),
        )
    return hours


def load_policy(path: Path) -> Policy:
    """Read the policy file; every number must be present and a positive integer."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError("POLICY_FILE", f"cannot read {path}: {error}") from None
    values: dict[str, Any] = {}
    for item in fields(Policy):
        if item.name == "support_hours":
            continue
        value = raw.get(item.name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise SettingsError("POLICY_FILE", f"{path}: '{item.name}' must be a positive integer")
        values[item.name] = value
    values["support_hours"] = _support_hours(path, raw.get("support_hours"))
    return Policy(**values)


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    return load_policy(get_settings().policy_file)
