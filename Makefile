# The two commands of the quick start: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: help venv install db train train-force run run-prod shell test test-fast test-browser lint audit eval help-index help-eval bench bench-load bench-failover clean web chromium haproxy agent

help:
	@echo "make run    set up, train if needed, start the assistant and print its URLs"
	@echo "make test   set up and run the test suite"
	@echo "make test-fast  the fast tests alone (tests/unit, SQLite; under a minute)"
	@echo "make run-prod  the production profile: 2 Rasa + 2 action servers behind HAProxy"
	@echo "make train  train the model if it is missing or older than its data"
	@echo "make shell  talk to the assistant in this terminal"
	@echo "make eval   measure the NLU and the help-centre search on held-out data (reports/)"
	@echo "make help-index  build the help-centre search index (after adding an article)"
	@echo "make help-eval   the help-centre search alone (reports/help_search.md)"
	@echo "make lint   ruff and mypy"
	@echo "make audit  known advisories of the pinned Python and npm packages (security/)"
	@echo "make agent NAME=marie  create an agent-desk sign-in (asks the password; SUPERVISOR=1: may see Insights)"
	@echo "make web    build the chat widget (web/dist/widget.js)"
	@echo "make test-browser  only the browser tests (screenshots in reports/browser/)"
	@echo "make bench  parse latency, handoff message latency, mail timing (reports/)"
	@echo "make bench-load  load benchmark against a bare rasa init (reports/bench.md, ~15 min)"
	@echo "make bench-failover  2 Rasa servers vs 1, and one killed mid-run (reports/failover.md)"

$(STAMP): requirements.txt
	@test -x $(PY) || { PYTHON=$$(scripts/find-python.sh) && "$$PYTHON" -m venv $(VENV); }
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || { \
	  echo "error: $(VENV) is not Python 3.10; delete it and run make again" >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv install: $(STAMP)

db: $(STAMP)
	$(PY) -m bot migrate
	$(PY) -m bot seed-demo

train: $(STAMP)
	$(PY) -m bot train --if-stale
	$(PY) -m bot help-index

# The help-centre search index alone (models/help_index/): after adding or changing an
# article; the intent model is not retrained.
help-index: $(STAMP)
	$(PY) -m bot help-index

# The help-centre search on its question set (reports/help_search.md).
help-eval: $(STAMP)
	$(PY) -m bench.help_eval

train-force: $(STAMP)
	$(PY) -m bot train

# The chat widget: packages from web/package-lock.json, bundle in web/dist/widget.js.
web/node_modules/.package-lock.json: web/package-lock.json
	npm ci --prefix web --no-audit --no-fund

web/dist/widget.js: web/node_modules/.package-lock.json $(wildcard web/src/*)
	npm run build --prefix web

web: web/dist/widget.js

# Debian's chromium for the browser tests (/usr/bin/chromium); not on a fresh machine.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Debian's HAProxy for make run-prod and its tests; not on a fresh machine.
haproxy:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || \
	  (apt-get update -qq && apt-get install -y -qq haproxy >/dev/null)

# The production profile on this machine (README, "Beyond one process"): PostgreSQL,
# Redis and RabbitMQ here unless set; RASA_SERVERS / ACTION_SERVERS (default 2 each).
# Not the demo: real mail through SMTP_HOST, or (SMTP_HOST unset) a local sink that
# discards every mail and says so.
run-prod: export DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
run-prod: export TRACKER_STORE_URL ?= postgresql://postgres@127.0.0.1:5432/test
run-prod: export LOCK_STORE_URL ?= redis://127.0.0.1:6379/1
run-prod: export SOCKETIO_MANAGER_URL ?= redis://127.0.0.1:6379/2
run-prod: export EVENT_BROKER_URL ?= amqp://guest:guest@127.0.0.1:5672/
run-prod: haproxy db train web
	$(PY) -m bot run-prod

# make run is the demo (DEMO=1 unless set): outbox mails, demo agent, open REST channel
# (see README, Security); it says so when it starts.
run: export DEMO ?= 1
run: db train web
	@$(PY) -m bot check --ports
	@echo ""
	@if $(PY) -c 'from bot.config.settings import get_settings as s; raise SystemExit(not s().demo)'; then \
	  echo "  DEMO MODE IS ON (DEMO=$$DEMO): mails with one-time codes and reset links are not sent;"; \
	  echo "  anyone who can open the site reads them at /outbox. The desk has a demo sign-in whose"; \
	  echo "  password is published below, and the REST channel is open. Fine on this machine only;"; \
	  echo "  without DEMO: real mail (SMTP_*, MAIL_FROM), no outbox, no demo agent."; \
	  echo ""; \
	  echo "  Support site + chat: http://localhost:$${SITE_PORT:-8000}/   (demo mails: /outbox)"; \
	  echo "  Agent desk:          http://localhost:$${DESK_PORT:-8001}/   (demo sign-in: demo / demo-agent-password)"; \
	else \
	  echo "  Support site + chat: http://localhost:$${SITE_PORT:-8000}/"; \
	  echo "  Agent desk:          http://localhost:$${DESK_PORT:-8001}/   (make agent NAME=... creates a sign-in)"; \
	fi
	@echo "  Rasa server (REST):  http://localhost:$${RASA_PORT:-5005}/webhooks/rest/webhook"
	@echo "  Rasa socket.io:      http://localhost:$${RASA_PORT:-5005}/socket.io"
	@echo "  Action server:       http://localhost:$${ACTION_PORT:-5055}/webhook"
	@echo "  Try: curl -s -XPOST localhost:$${RASA_PORT:-5005}/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{\"sender\":\"a\",\"message\":\"ciao\"}'"
	@echo "  Ctrl-C stops everything."
	@echo ""
	$(VENV)/bin/honcho start -f Procfile

shell: db train
	@$(PY) -m bot check
	umask 077; $(PY) -m bot serve actions > var/actions.log 2>&1 & \
	  trap "kill $$!" EXIT; \
	  $(PY) -m bot serve shell

test: train web chromium haproxy
	npm test --prefix web
	$(PY) -m pytest

# The fast tree (tests/unit mirrors bot/ and actions/) on SQLite only, on both cores:
# under a minute. make test runs it too, with PostgreSQL and the server-backed suites.
test-fast: $(STAMP)
	$(PY) -m pytest tests/unit -q -k "not postgresql" -n 2

test-browser: train web chromium
	$(PY) -m pytest tests/browser

agent: db
	$(PY) -m bot create-agent $(NAME) $(if $(SUPERVISOR),--supervisor)

# The audit's tools live in their own venv: pip-audit needs newer packaging and
# CacheControl than Rasa 3.6 allows in .venv.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: requirements-audit.txt
	@test -x $(AUDIT_VENV)/bin/python || { PYTHON=$$(scripts/find-python.sh) && "$$PYTHON" -m venv $(AUDIT_VENV); }
	$(AUDIT_VENV)/bin/python -m pip install --quiet -r requirements-audit.txt
	@touch $@

# pip-audit over requirements*.txt and npm audit over web/package-lock.json; fails on
# an advisory not reviewed in security/advisories.yml (AUDIT_OFFLINE=fail: also when
# an advisory database cannot be reached).
audit: $(STAMP) $(AUDIT_VENV)/.installed
	$(PY) scripts/audit.py --pip-audit $(AUDIT_VENV)/bin/pip-audit

lint: $(STAMP)
	$(VENV)/bin/ruff check bot actions tests bench scripts
	$(VENV)/bin/ruff format --check bot actions tests bench scripts
	$(VENV)/bin/mypy

eval: train
	$(PY) -m bench.nlu_eval
	$(PY) -m bench.help_eval

# Two Rasa servers behind HAProxy: throughput against one, a server killed mid-run
bench-failover: train haproxy
	$(PY) -m bench.failover

bench: train
	$(PY) -m bench.parse_latency
	$(PY) -m bench.handoff_latency
	$(PY) -m bench.mail_timing
	$(PY) -m bench.insights
	$(PY) -m bench.help_eval

# Our Rasa server under load, side by side with a bare `rasa init` trained in the run.
bench-load: train
	$(PY) -m bench.load --reuse-floor  # trains the floor when none of this Rasa version is kept

clean:
	rm -rf models var reports/*.tmp .pytest_cache
