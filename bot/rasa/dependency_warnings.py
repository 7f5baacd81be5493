"""Keep the console for real warnings: the deprecation notices Rasa 3.6's dependencies
raise about each other (sanic_cors on distutils, apscheduler on pkg_resources,
matplotlib and packaging on pyparsing, typer and spaCy on click...) are ignored;
deprecations raised on behalf of our own code, and every other warning, still show.

Sanic puts a "once" filter for DeprecationWarning in front of PYTHONWARNINGS when it
is imported, and Rasa adds its own filters when it configures logging, so the entry
points of the two Sanic servers call `quiet_dependency_warnings` after Rasa's set-up
(bot/rasa/server.py, bot/rasa/action_server.py); it imports Sanic first.
"""

from __future__ import annotations

import logging
import warnings

# Modules a warning is attributed to that are ours: their deprecations must show.
OUR_MODULES = r"(bot|actions|tests|bench|scripts|__main__)(\.|$)"
DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)
# Rasa's advice for the ResponseSelector's loss; config.yml's settings were measured
# (reports/nlu.md), so the advice is known and printed on every model load.
KNOWN_ADVICE = (r"constrain_similarities is set to `False`",)
# What Rasa's training-data validation says about our data that is known and checked
# elsewhere: responses sent by forms, custom actions or the desk rather than by a story
# or rule, and the retrieval intent `faq` counted twice when Rasa merges it into the
# domain. tests/e2e/test_data_validate.py accepts each only where it really is so.
UNUSED_RESPONSE = r"The utterance '([\w/]+)' is not used in any story or rule"
FAQ_DUPLICATE = r"The following duplicated intents have been found across .* domain files: faq"
# Rasa's advice on the pipeline, which knows only its own components: FAQ keys come
# from bot.nlu.faq_selector.FaqSelector, entities from the catalogue and rules
# (bot.nlu.components.RuleEntityExtractor), both trained on that data.
PIPELINE_ADVICE = (
    r"You have defined training data with examples for training a response selector",
    r"You have defined training data consisting of entity examples",
)
TRAINING_NOTICES = (UNUSED_RESPONSE, FAQ_DUPLICATE, *PIPELINE_ADVICE)


def quiet_dependency_warnings() -> None:
    """Ignore other packages' deprecation notices and Rasa's known config advice;
    spaCy's INFO lines about building its blank pipelines (printed twice) go too."""
    import sanic.app  # noqa: F401  # its import adds a filter in front: ours go before it

    logging.getLogger("spacy").setLevel(logging.WARNING)

    for category in DEPRECATIONS:
        warnings.filterwarnings("ignore", category=category, module=rf"(?!{OUR_MODULES})")
    for message in KNOWN_ADVICE:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)


def quiet_training_notices() -> None:
    """The console of a training run shows only what needs a look: Rasa's notices on
    our data that tests/e2e/test_data_validate.py checks are ignored here."""
    quiet_dependency_warnings()
    for message in TRAINING_NOTICES:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)
