"""The product catalogue: every name and alias it lists is found in a message as the
`product` entity, in any language, with its spacing, capitals and one typo; common
words that mean a product ("webinar") are read too, but are no entity."""

from __future__ import annotations

import pytest

from bot.nlu.catalogue import CatalogueError, get_catalogue, parse_catalogue
from bot.nlu.entity_rules import extract_entities, fold, product_mentions


def products(text: str) -> list[tuple[str, str]]:
    return [
        (e.value, text[e.start : e.end]) for e in extract_entities(text) if e.entity == "product"
    ]


def test_every_name_and_alias_of_the_catalogue_is_found_with_its_code() -> None:
    catalogue = get_catalogue()
    for product in catalogue.products.values():
        for alias in product.aliases:
            text = f"a question about {alias} please"
            found = products(text)
            assert found == [(product.code, alias)], (alias, found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to cancel GoToMeeting", [("meetings", "GoToMeeting")]),
        ("problema con go-to-meeting", [("meetings", "go-to-meeting")]),
        ("is GOTO WEBINAR down", [("webinar", "GOTO WEBINAR")]),
        ("mon GoTo webinr ne marche pas", [("webinar", "GoTo webinr")]),
        ("cancel my gotomeetng plan", [("meetings", "gotomeetng")]),
        ("togliere opnvoice", [("toll_free", "opnvoice")]),
        ("résilier OpenVoice", [("toll_free", "OpenVoice")]),
        ("LogMeIn Pro renewal", [("logmein_pro", "LogMeIn Pro")]),
        (
            "add OpenVoice to GoTo Meeting",
            [("toll_free", "OpenVoice"), ("meetings", "GoTo Meeting")],
        ),
    ],
)
def test_names_are_found_as_customers_write_them(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert products(text) == expected


@pytest.mark.parametrize(
    "text",
    ["please log me in", "it is raining today", "annuler sans frais", "i forgot my login"],
)
def test_words_near_a_name_are_no_product(text: str) -> None:
    assert products(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("résilier les numéros verts", "toll_free"),
        ("le webinaire", "webinar"),
        ("la formazione online", "training"),
        ("the toll-free numbers add-on", "toll_free"),
        ("my webinr", "webinar"),
    ],
)
def test_common_words_mean_a_product_without_being_an_entity(text: str, code: str) -> None:
    assert products(text) == []
    assert [m.code for m in product_mentions(fold(text))] == [code]


def test_another_companys_product_is_none_of_ours() -> None:
    assert product_mentions(fold("my zoom meeting keeps crashing")) == []
    assert products("can I move from Zoom to GoTo Meeting?") == [("meetings", "GoTo Meeting")]


def test_the_catalogue_says_what_kind_each_product_is_and_how_replies_name_it() -> None:
    catalogue = get_catalogue()
    assert set(catalogue.codes("plan")) >= {"meetings", "webinar", "training"}
    assert catalogue.codes("add_on") == ["toll_free"]
    assert catalogue.products["toll_free"].plan == "meetings"
    assert catalogue.name("meetings") == "GoTo Meeting"
    assert catalogue.code_of(fold("Go To Training")) == "training"


def test_a_broken_catalogue_is_refused() -> None:
    with pytest.raises(CatalogueError, match="kind"):
        parse_catalogue({"products": {"x": {"name": "X", "kind": "gadget"}}})
    with pytest.raises(CatalogueError, match="plan"):
        parse_catalogue({"products": {"x": {"name": "X", "kind": "add_on", "plan": "nope"}}})
    with pytest.raises(CatalogueError, match="name"):
        parse_catalogue({"products": {"x": {"kind": "plan"}}})
