"""make run-prod's plan, without starting anything: ports, the shared services it
insists on, the settings that name a broker or a socket.io manager."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cluster import procfile, topology, write_profile
from bot.event_broker import broker_arguments
from bot.settings import SettingsError, load_settings

SHARED = {
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
    "SOCKETIO_MANAGER_URL": "redis://127.0.0.1:6379/2",
}


def settings(**values: str):
    return load_settings(env_file=None, environ={**SHARED, **values})


def test_servers_listen_just_above_haproxy_and_each_gets_its_own_port() -> None:
    plan = topology(settings(RASA_SERVERS="3", ACTION_SERVERS="2"))
    assert plan.rasa_ports == (5006, 5007, 5008)
    assert plan.action_ports == (5056, 5057)
    lines = procfile(settings(RASA_SERVERS="3", ACTION_SERVERS="2"), Path("haproxy.cfg"))
    assert sum(line.startswith("rasa") for line in lines.splitlines()) == 3
    assert "rasa3: RASA_PORT=5008 " in lines and "actions2: ACTION_PORT=5057 " in lines


def test_server_ports_that_would_collide_are_refused() -> None:
    with pytest.raises(SettingsError, match="RASA_SERVERS"):
        topology(settings(RASA_PORT="5005", ACTION_PORT="5007", RASA_SERVERS="3"))


@pytest.mark.parametrize(
    "name,value",
    [
        ("TRACKER_STORE_URL", "sqlite:///var/tracker.db"),
        ("DATABASE_URL", "sqlite:///var/accounts.db"),
        ("LOCK_STORE_URL", "memory://"),
        ("SOCKETIO_MANAGER_URL", ""),
    ],
)
def test_run_prod_refuses_stores_that_one_process_keeps_to_itself(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        write_profile(settings(**{name: value}))


@pytest.mark.parametrize(
    "name,value",
    [
        ("EVENT_BROKER_URL", "http://127.0.0.1:5672/"),
        ("SOCKETIO_MANAGER_URL", "amqp://127.0.0.1/"),
        ("RASA_SERVERS", "0"),
        ("ACTION_SERVERS", "many"),
        ("RASA_API_URL", "rasa:5005"),
    ],
)
def test_bad_scale_out_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings(**{name: value})


def test_broker_url_gives_credentials_and_a_queue_with_its_own_exchange() -> None:
    arguments = broker_arguments("amqp://user:p%40ss@rabbit:5673/vhost", "events_a")
    assert (arguments["username"], arguments["password"], arguments["port"]) == (
        "user", "p@ss", 5673,
    )  # fmt: skip
    assert arguments["queues"] == ["events_a"] and arguments["exchange_name"] == "events_a"
