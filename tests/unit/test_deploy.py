"""deploy/: the Kubernetes manifests validate offline (kubernetes-validate, strict), name
only real settings, probe the paths our servers answer; the Dockerfile copies what
exists; HAProxy accepts its rendered configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bot.action_server import OPEN_PATHS
from bot.cluster import haproxy_config
from bot.settings import DEFAULTS, PROJECT_ROOT, load_settings
from tests.environment import require_service

K8S = PROJECT_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.28.0"
SERVICE_VARIABLES = {  # read by the postgres and rabbitmq images, not by us
    "POSTGRES_DB", "PGDATA", "POSTGRES_PASSWORD", "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS",
}  # fmt: skip


def resources() -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [(path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def containers(kind: str, name: str) -> list[dict]:
    for _, resource in resources():
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource["spec"]["template"]["spec"]["containers"]
    raise AssertionError(f"no {kind} {name}")


@pytest.mark.parametrize("path,resource", resources(), ids=lambda v: getattr(v, "name", ""))
def test_every_manifest_is_valid_kubernetes(path: Path, resource: dict) -> None:
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_manifests_set_only_settings_the_project_reads() -> None:
    names = set()
    for _, resource in resources():
        if resource["kind"] == "ConfigMap":
            names |= set(resource["data"])
        for container in (
            resource.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        ):
            names |= {variable["name"] for variable in container.get("env", [])}
    assert names - SERVICE_VARIABLES <= set(DEFAULTS), names - SERVICE_VARIABLES - set(DEFAULTS)


def test_servers_are_ready_only_when_they_answer_their_health_path() -> None:
    (rasa,) = containers("Deployment", "rasa")
    (actions,) = containers("Deployment", "actions")
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/"  # bot/rasa_server.py answers "ok"
    assert actions["readinessProbe"]["httpGet"]["path"] in OPEN_PATHS  # no token needed


def test_dockerfile_copies_files_that_exist_and_runs_our_entry_points() -> None:
    dockerfile = (PROJECT_ROOT / "deploy" / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (?!--chown)(.+)$", dockerfile, re.MULTILINE):
        for source in line.split()[:-1]:
            assert (PROJECT_ROOT / source).exists(), source
    commands = re.findall(r"^CMD \[(.+)\]$", dockerfile, re.MULTILINE)
    assert commands == [
        '".venv/bin/python", "-m", "bot", "serve", "actions"',
        '".venv/bin/python", "-m", "bot", "serve", "rasa"',
    ]


@pytest.mark.parametrize("servers", ["1", "2", "3"])
def test_haproxy_accepts_the_rendered_configuration(servers: str, tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not haproxy:
        require_service("HAProxy", "not installed (make haproxy installs it)")
    settings = load_settings(
        env_file=None,
        environ={"SECRET_KEY": "k" * 40, "RASA_SERVERS": servers, "ACTION_SERVERS": servers},
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(settings, tmp_path / "stats.sock"))
    command = [str(haproxy), "-c", "-f", str(config)]
    checked = subprocess.run(command, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert config.read_text().count("server rasa") == 2 * int(servers)
