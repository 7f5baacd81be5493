"""`make bench`: can reply times tell whether an email has an account?

Starts a real Rasa server, action server and mail worker (`start_assistant`, embedded
profile, MAIL_BACKEND=smtp) and an SMTP relay (aiosmtpd) that takes RELAY_SECONDS to
accept each mail, like a slow provider. Then, over REST with a fresh sender per
conversation, asks for a password reset and for a verification code, giving a
registered email (known) or one with no account (unknown), the two classes
interleaved in random order, and times the reply to the message with the email.

The policy file raises the rate limits, so that every request takes the path of its
class and the limits do not decide. Goal: the medians of the two classes differ by
less than GOAL_MS for each flow. Writes reports/mail_timing.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import yaml
from aiosmtpd.controller import Controller

from bench.nlu_eval import REPORTS
from bot.config.settings import PROJECT_ROOT, get_settings
from bot.ops.cli import latest_model
from tests.support.servers import free_port, start_assistant

RELAY_SECONDS = 0.2
SAMPLES = 200  # per class and flow
GOAL_MS = 5.0
KNOWN = [
    "active@example.com", "trial.expired@example.com", "sub.expired@example.com",
    "suspended@example.com", "limited@example.com", "deactivated.recent@example.com",
    "monthly@example.com", "contract15@example.com", "tollfree@example.com",
    "username.login@example.com",
]  # fmt: skip
FLOWS = {
    "password reset": ("i forgot my password and need to reset it", "utter_ask_reset_email"),
    "verification code": ("is my account still active?", "utter_ask_identifier"),
}
BOOTSTRAP_ROUNDS = 2000


class SlowRelay:
    """Accepts every mail after RELAY_SECONDS."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(RELAY_SECONDS)
        with self._lock:
            self.received += 1
        return "250 Message accepted for delivery"


def bench_policy(workdir: Path) -> Path:
    """The shipped policy with rate limits far above what the bench sends."""
    policy = yaml.safe_load((PROJECT_ROOT / "bot" / "policy.yml").read_text(encoding="utf-8"))
    for name in (
        "reset_limit_per_email_per_hour",
        "reset_limit_per_conversation_per_hour",
        "otp_limit_per_conversation_per_hour",
        "otp_limit_per_account_per_hour",
        "otp_failed_codes_per_account_per_hour",
    ):
        policy[name] = 1_000_000
    path = workdir / "policy.yml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


def post(url: str, sender: str, message: str) -> tuple[float, list[str]]:
    started = time.perf_counter()
    response = requests.post(url, json={"sender": sender, "message": message}, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, [m.get("text", "") for m in response.json()]


def measure(rasa_url: str, samples: int, rng: random.Random) -> dict[str, dict[str, list[float]]]:
    url = f"{rasa_url}/webhooks/rest/webhook"
    times: dict[str, dict[str, list[float]]] = {f: {"known": [], "unknown": []} for f in FLOWS}
    replies: dict[str, dict[str, set[str]]] = {f: {"known": set(), "unknown": set()} for f in FLOWS}
    plan = [(flow, kind) for flow in FLOWS for kind in ("known", "unknown") for _ in range(samples)]
    rng.shuffle(plan)  # interleaved: drift of the machine hits both classes alike
    for warm_up in range(10):  # first requests load models and connections
        post(url, f"warm-{uuid.uuid4().hex}", FLOWS["password reset"][0])
        post(url, f"warm-{uuid.uuid4().hex}", f"warm{warm_up}@example.org")
    for number, (flow, kind) in enumerate(plan):
        question, _ = FLOWS[flow]
        sender = f"bench-{uuid.uuid4().hex}"
        post(url, sender, question)
        email = rng.choice(KNOWN) if kind == "known" else f"user{number}@example.com"
        elapsed, texts = post(url, sender, email)
        times[flow][kind].append(elapsed)
        replies[flow][kind].add("\n".join(texts))
    for flow in FLOWS:  # the words must not differ either (one reply per language)
        if replies[flow]["known"] != replies[flow]["unknown"]:
            raise SystemExit(f"{flow}: the replies differ between known and unknown emails")
    return times


def median_difference_interval(
    known: list[float], unknown: list[float], rng: random.Random
) -> tuple[float, float]:
    """95% bootstrap interval of median(known) - median(unknown)."""
    differences = sorted(
        statistics.median(rng.choices(known, k=len(known)))
        - statistics.median(rng.choices(unknown, k=len(unknown)))
        for _ in range(BOOTSTRAP_ROUNDS)
    )
    return differences[int(0.025 * BOOTSTRAP_ROUNDS)], differences[int(0.975 * BOOTSTRAP_ROUNDS)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(
    times: dict[str, dict[str, list[float]]], delivered: int, rng: random.Random
) -> tuple[str, bool]:
    lines = [
        "# Reply time: known vs unknown emails",
        "",
        f"Real Rasa + action server + mail worker (MAIL_BACKEND=smtp) on this machine, an SMTP "
        f"relay that takes {RELAY_SECONDS * 1000:.0f} ms per mail, REST, a fresh sender per "
        "conversation, known and unknown emails interleaved in random order, rate limits "
        "raised (`make bench`, bench/mail_timing.py). Time of the reply to the message "
        "that gives the email, in ms.",
        "",
        "| flow | class | samples | median | p95 | median known − unknown (95% CI) | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for flow, classes in times.items():
        known, unknown = classes["known"], classes["unknown"]
        difference = statistics.median(known) - statistics.median(unknown)
        low, high = median_difference_interval(known, unknown, rng)
        ok = abs(difference) < GOAL_MS
        verdicts.append(ok)
        for kind, values in (("known", known), ("unknown", unknown)):
            cell = f"{difference:+.1f} ({low:+.1f} … {high:+.1f})" if kind == "known" else ""
            goal = (f"< {GOAL_MS:.0f} ms: {'met' if ok else 'NOT met'}") if kind == "known" else ""
            lines.append(
                f"| {flow} | {kind} | {len(values)} | {statistics.median(values):.1f} | "
                f"{p95(values):.1f} | {cell} | {goal} |"
            )
    known_total = sum(len(c["known"]) for c in times.values())
    lines += [
        "",
        f"Mails accepted by the relay by the end: {delivered} of {known_total} known-email "
        "requests (the worker sends after the reply; none for unknown emails).",
        "",
        "Before the mail queue (mail sent inside the action, before the reply) the same "
        "relay made a known email's reply about 208 ms slower (median of 15).",
        "",
        f"Machine load (1-minute load average) at the end: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores. On a busy machine the interval above is wide; rerun on "
        "an idle one to resolve the 5 ms goal.",
        "",
    ]
    return "\n".join(lines), all(verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=SAMPLES, help="per class and flow")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    model = latest_model(get_settings().model_dir)
    if model is None:
        raise SystemExit("no trained model: run make train")
    workdir = Path(tempfile.mkdtemp(prefix="mail-timing-"))
    relay = SlowRelay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    servers = start_assistant(
        model, workdir,
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "LOCK_STORE_URL": "memory://",
            "POLICY_FILE": str(bench_policy(workdir)),
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(controller.port),
            "LOG_LEVEL": "WARNING",
        },
        start_timeout=900,  # a busy shared machine can take minutes to load the model
    )  # fmt: skip
    try:
        assistant = next(servers)
        times = measure(assistant.rasa_url, args.samples, rng)
        known_total = sum(len(c["known"]) for c in times.values())
        deadline = time.monotonic() + 60 + known_total * RELAY_SECONDS
        while relay.received < known_total and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        servers.close()
        controller.stop()
    text, met = report(times, relay.received, rng)
    path = REPORTS / "mail_timing.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    if not met:
        raise SystemExit(f"the goal (< {GOAL_MS} ms) is not met")


if __name__ == "__main__":
    main()
