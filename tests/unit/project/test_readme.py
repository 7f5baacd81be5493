"""The README's promises that code can check."""

from bot.config.settings import PROJECT_ROOT
from bot.ops.demo_data import DEMO_ACCOUNTS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_demo_account_is_listed_with_its_situation() -> None:
    for demo in DEMO_ACCOUNTS:
        assert f"| `{demo.email}` | {demo.public_id} | {demo.situation} |" in README


def test_quick_start_is_the_two_make_commands() -> None:
    assert "make run" in README and "make test" in README
