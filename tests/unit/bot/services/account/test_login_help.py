""" "I can't log in": what the customer says happens picks the right checklist step."""

from __future__ import annotations

import pytest

from bot.services.account.login_help import LoginProblem, advise, classify, typo_suggestion


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("La password non viene accettata", LoginProblem.PASSWORD),
        ("Mon mot de passe est refusé", LoginProblem.PASSWORD),
        ("My password isn't accepted", LoginProblem.PASSWORD),
        ("L'email non viene riconosciuta", LoginProblem.EMAIL),
        ("Mon adresse e-mail n'est pas reconnue", LoginProblem.EMAIL),
        ("it says no account found for this address", LoginProblem.EMAIL),
        ("Accedo con un nome utente", LoginProblem.USERNAME),
        ("Je me connecte avec un nom d'utilisateur", LoginProblem.USERNAME),
        ("Sono stato invitato a una riunione", LoginProblem.PARTICIPANT),
        ("J'ai été invité à une réunion", LoginProblem.PARTICIPANT),
        ("La page ne se charge pas", LoginProblem.BROWSER),
        ("I use Internet Explorer 11", LoginProblem.BROWSER),
        (
            "I'm the owner but also a collaborator on my company's account",
            LoginProblem.EMAIL_CONFLICT,
        ),
        ("la pagina dice nessun prodotto disponibile", LoginProblem.ACCOUNT_STATE),
        ("I changed my password yesterday and now it fails", LoginProblem.CREDENTIALS_CHANGED),
        ("boh", LoginProblem.UNKNOWN),
    ],
)
def test_the_problem_is_recognised_in_three_languages(text: str, problem: LoginProblem) -> None:
    assert classify(text) is problem


def test_the_matching_tip_comes_first_then_the_rest_of_the_checklist() -> None:
    advice = advise("my password isn't accepted", None, outage=False)
    assert advice.responses == ["utter_login_tip_password", "utter_login_more_checks"]
    assert not advice.offers_person


def test_an_outage_is_said_first() -> None:
    advice = advise("The page doesn't load", None, outage=True)
    assert advice.responses[:2] == ["utter_service_incident", "utter_login_tip_browser"]


def test_the_email_conflict_goes_to_a_person() -> None:
    advice = advise("my email is a team member of another account", None, outage=False)
    assert advice.responses == ["utter_login_email_conflict"]
    assert advice.offers_person


def test_a_typo_in_the_domain_is_pointed_out_without_any_lookup() -> None:
    assert typo_suggestion("mario@gmial.com") == "gmail.com"
    assert typo_suggestion("mario@gmail.com") is None
    advice = advise("it doesn't work with mario@gmial.com", "mario@gmial.com", outage=False)
    assert advice.problem is LoginProblem.EMAIL
    assert "utter_login_email_typo" in advice.responses and advice.typo_domain == "gmail.com"
