"""The registry of Rasa patches (bot/rasa/patches/registry.py): every target exists in
the installed Rasa, the pinned releases are the installed ones, nothing is replaced on
another release or when a target is gone, and installing twice changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.rasa.patches import registry
from bot.rasa.patches.registry import (
    PATCHES,
    PINNED,
    Patch,
    PatchError,
    check_targets,
    install_all,
    installed_versions,
    markdown_table,
    restore_all,
)
from tests.support.environment import ROOT


def current(patches: tuple[Patch, ...] = PATCHES) -> dict[str, object]:
    """What each target is now, as its owner holds it (a staticmethod stays one)."""
    values = {}
    for patch in patches:
        for target in patch.targets:
            owner, attribute = registry._owner(target)
            values[target] = vars(owner).get(attribute, getattr(owner, attribute))
    return values


@pytest.fixture
def clean() -> Iterator[None]:
    restore_all()
    yield
    restore_all()


def test_every_target_exists_in_the_installed_rasa() -> None:
    check_targets(PATCHES)


def test_the_pinned_releases_are_installed_and_pinned_in_requirements() -> None:
    assert installed_versions() == PINNED
    requirements = (ROOT / "requirements.txt").read_text()
    for package, version in PINNED.items():
        assert re.search(rf"^{package}=={re.escape(version)}\b", requirements, re.M | re.I)


def test_another_rasa_release_is_refused_before_anything_is_replaced(clean: None) -> None:
    before = current()
    with pytest.raises(PatchError, match=r"rasa 3\.6\.20 is installed"):
        install_all(versions={**PINNED, "rasa": "3.6.20"})
    assert current() == before


def test_a_missing_target_is_refused_before_anything_is_replaced(clean: None) -> None:
    gone = Patch("gone", ("rasa.core.actions.action:RemoteAction.no_such_method",), "test",
                 lambda: None)  # fmt: skip
    before = current()
    with pytest.raises(PatchError, match=r"RemoteAction\.no_such_method"):
        install_all(patches=(*PATCHES, gone))
    assert current() == before


def test_installing_twice_changes_nothing_and_restoring_gives_rasa_back(clean: None) -> None:
    originals = current()
    first = install_all()
    assert set(first) == {p.name for p in PATCHES if p.install and p.process == "rasa server"}
    patched = current()
    assert patched != originals
    assert install_all() == []
    assert current() == patched
    restore_all()
    assert current() == originals


def test_the_readme_lists_every_patch() -> None:
    assert markdown_table() in (ROOT / "README.md").read_text()
