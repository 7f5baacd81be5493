"""The help-centre search of a running process: the index loaded once, and loaded
again when its file changes, so `python -m bot help-centre import` + `help-index`
is answered by running servers without a restart (and without retraining).

Each search costs one stat of the index file; a changed file (another size, time or
inode: `save_index` replaces it whole) is read again. The first load (`warm_up`, run by
the action server before it listens) builds the index with `load_or_build` if none is
current.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

from bot.config.settings import get_settings
from bot.services.help_centre.index import INDEX_FILE, index_directory, load_or_build, read_index
from bot.services.help_centre.search import HelpSearch

logger = logging.getLogger(__name__)

Stamp = tuple[int, int, int]  # size, modification time (ns), inode


def _stamp(path: Path) -> Stamp | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ino


class LiveSearch:
    """The search over the newest index in `index_dir` (thread-safe)."""

    def __init__(self, help_dir: Path, index_dir: Path) -> None:
        self.help_dir = help_dir
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._search: HelpSearch | None = None
        self._stamp: Stamp | None = None

    def current(self) -> HelpSearch | None:
        """The search over the index as it is now; None when there are no articles."""
        stamp = _stamp(self.index_dir / INDEX_FILE)
        if self._search is not None and stamp == self._stamp:
            return self._search if self._search.index.passages else None
        with self._lock:
            stamp = _stamp(self.index_dir / INDEX_FILE)
            if self._search is None or stamp != self._stamp:
                self._load(stamp)
        search = self._search
        return search if search is not None and search.index.passages else None

    def _load(self, stamp: Stamp | None) -> None:
        index = read_index(self.index_dir) if self._search is not None else None
        if index is None:  # the first load, or the file went: build if not current
            index, built = load_or_build(self.help_dir, self.index_dir)
            if built:
                logger.info("help centre: index built (%d articles)", len(index.articles))
            stamp = _stamp(self.index_dir / INDEX_FILE)
        else:
            logger.info("help centre: index reloaded (%d articles)", len(index.articles))
        self._search, self._stamp = HelpSearch(index), stamp


@lru_cache(maxsize=1)
def process_search() -> LiveSearch:
    """The process's one search over HELP_CENTRE_DIR's index in MODEL_DIR."""
    settings = get_settings()
    return LiveSearch(settings.help_centre_dir, index_directory(settings.model_dir))


def warm_up() -> None:
    """Load the index, the ranker and the sentence encoder now, so the first customer
    who needs the help centre does not wait for them (the action server calls this
    before it listens). A failure is logged: the first search tries again."""
    try:
        search = process_search().current()
        if search is not None:
            search.search("warm up", "en", limit=1)
    except Exception:
        logger.exception("help centre: could not load the search index")
