from bot.dialogue.fallbacks import RESUMED, fallbacks_in_a_row, is_repeated_fallback


def test_counts_only_the_latest_run_of_misunderstandings() -> None:
    assert fallbacks_in_a_row(["greet", "nlu_fallback", "inform", "nlu_fallback"]) == 1
    assert fallbacks_in_a_row(["nlu_fallback", "nlu_fallback"]) == 2
    assert fallbacks_in_a_row([]) == 0


def test_second_fallback_in_a_row_offers_a_person() -> None:
    assert not is_repeated_fallback(["greet", "nlu_fallback"])
    assert is_repeated_fallback(["greet", "nlu_fallback", "nlu_fallback"])


def test_what_the_customer_wrote_to_a_person_is_no_misunderstanding() -> None:
    # after the agent handed back, a first "skip" the bot does not understand is the first
    to_the_agent = ["talk_to_human", "nlu_fallback", "nlu_fallback"]
    assert not is_repeated_fallback([*to_the_agent, RESUMED, "nlu_fallback"])
    assert is_repeated_fallback([*to_the_agent, RESUMED, "nlu_fallback", "nlu_fallback"])
