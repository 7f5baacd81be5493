"""deploy/: the Kubernetes manifests validate offline (kubernetes-validate, strict), name
only real settings, probe the paths our servers answer; the Dockerfile copies what
exists; HAProxy accepts its rendered configuration."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bot.config.settings import DEFAULTS, PROJECT_ROOT, load_settings
from bot.ops.cluster import haproxy_config
from bot.rasa.action_server import OPEN_PATHS
from tests.support.environment import require_service

K8S = PROJECT_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.28.0"
SERVICE_VARIABLES = {  # read by the postgres, rabbitmq and redis images, not by us
    "POSTGRES_DB", "PGDATA", "POSTGRES_PASSWORD", "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS",
    "REDISCLI_AUTH",
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
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/"  # bot/rasa/server.py answers "ok"
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


# --- hardening: every pod, every image, who may reach the services ---------------------

WORKLOADS = ("Deployment", "StatefulSet", "Job")
PROJECT_VERSION = re.search(
    r'^version = "(.+)"$', (PROJECT_ROOT / "pyproject.toml").read_text(), re.MULTILINE
)[1]  # fmt: skip
# who needs each service: the processes that open connections to it
ALLOWED_CLIENTS = {
    "redis": {"rasa"},  # locks (LOCK_STORE_URL) and the socket.io manager
    "rabbitmq": {"rasa"},  # the event broker
    "actions": {"rasa"},  # ACTION_ENDPOINT_URL
    "postgres": {"rasa", "actions", "desk", "mail", "migrate"},
}


def pod_templates() -> list[tuple[str, dict]]:
    """(workload name, pod template) of every Deployment, StatefulSet and Job."""
    return [
        (resource["metadata"]["name"], resource["spec"]["template"])
        for _, resource in resources()
        if resource["kind"] in WORKLOADS
    ]


def all_containers(pod: dict) -> list[dict]:
    return pod["spec"]["containers"] + pod["spec"].get("initContainers", [])


@pytest.mark.parametrize("name,pod", pod_templates(), ids=[name for name, _ in pod_templates()])
def test_every_pod_runs_unprivileged_on_a_read_only_root(name: str, pod: dict) -> None:
    spec = pod["spec"]
    pod_context = spec.get("securityContext", {})
    assert spec.get("automountServiceAccountToken") is False, name  # no pod calls the API
    for container in all_containers(pod):
        context = container.get("securityContext", {})
        merged = {**pod_context, **context}
        where = f"{name}/{container['name']}"
        assert merged.get("runAsNonRoot") is True, where
        assert merged.get("runAsUser", 0) != 0, where
        assert merged.get("seccompProfile") == {"type": "RuntimeDefault"}, where
        assert context.get("allowPrivilegeEscalation") is False, where
        assert context.get("readOnlyRootFilesystem") is True, where
        assert context.get("capabilities") == {"drop": ["ALL"]}, where
        assert not context.get("privileged"), where


@pytest.mark.parametrize("name,pod", pod_templates(), ids=[name for name, _ in pod_templates()])
def test_every_container_has_requests_and_limits(name: str, pod: dict) -> None:
    for container in all_containers(pod):
        resources_ = container.get("resources", {})
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources_.get(kind, {})), (name, container["name"])


@pytest.mark.parametrize("name,pod", pod_templates(), ids=[name for name, _ in pod_templates()])
def test_a_read_only_root_still_has_somewhere_to_write(name: str, pod: dict) -> None:
    """/tmp (Rasa unpacks its model there) is an emptyDir in every container; our images
    also write var/ (the active credentials copy)."""
    volumes = {volume["name"]: volume for volume in pod["spec"].get("volumes", [])}
    for container in all_containers(pod):
        mounts = {
            m["mountPath"]: volumes.get(m["name"], {}) for m in container.get("volumeMounts", [])
        }
        assert "emptyDir" in mounts.get("/tmp", {}), (name, container["name"])
        if container["image"].startswith("support-assistant/"):
            assert "emptyDir" in mounts.get("/app/var", {}), (name, container["name"])


def _pinned(image: str) -> bool:
    """name:1.2.3, name:15.6 (PostgreSQL's minor is its patch) or name@sha256:...: a
    rollout names exactly what it runs; never :latest, :7 or no tag."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return (
        bool(name)
        and "/" not in tag
        and re.fullmatch(r"\d+(\.\d+){1,2}(-[a-z0-9.-]+)?", tag) is not None
    )


def test_every_image_has_a_pinned_tag() -> None:
    images = [c["image"] for _, pod in pod_templates() for c in all_containers(pod)]
    assert images and [image for image in images if not _pinned(image)] == []
    ours = {image for image in images if image.startswith("support-assistant/")}
    assert ours == {
        f"support-assistant/rasa:{PROJECT_VERSION}",
        f"support-assistant/actions:{PROJECT_VERSION}",
    }
    dockerfile = (PROJECT_ROOT / "deploy" / "Dockerfile").read_text()
    stages = set(re.findall(r"^FROM \S+ AS (\S+)", dockerfile, re.MULTILINE))
    bases = set(re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)) - stages
    assert bases and all(_pinned(base) for base in bases), bases


def _labels(pod: dict) -> dict[str, str]:
    return pod.get("metadata", {}).get("labels", {})


def _selects(selector: dict, labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, selector  # expressions would need evaluating
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


@pytest.mark.parametrize("service", sorted(ALLOWED_CLIENTS))
def test_only_the_pods_that_need_a_service_may_reach_it(service: str) -> None:
    pods = dict(pod_templates())
    target = _labels(pods[service])
    policies = [
        r
        for _, r in resources()
        if r["kind"] == "NetworkPolicy" and _selects(r["spec"]["podSelector"], target)
    ]
    assert policies, f"no NetworkPolicy selects {service}"
    assert any("Ingress" in p["spec"].get("policyTypes", []) for p in policies)
    allowed: set[str] = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            assert rule.get("from"), (
                f"{policy['metadata']['name']}: a rule without from allows every pod"
            )
            assert rule.get("ports"), f"{policy['metadata']['name']}: every port"
            for peer in rule["from"]:
                assert set(peer) == {"podSelector"}, peer  # no namespace, no address range
                allowed |= {
                    n for n, pod in pods.items() if _selects(peer["podSelector"], _labels(pod))
                }
    assert allowed == ALLOWED_CLIENTS[service]


def test_every_pod_is_denied_ingress_unless_a_policy_allows_it() -> None:
    denying = [
        r for _, r in resources()
        if r["kind"] == "NetworkPolicy" and "Ingress" in r["spec"].get("policyTypes", [])
        and not r["spec"].get("ingress")
    ]  # fmt: skip
    for name, pod in pod_templates():
        assert any(_selects(p["spec"]["podSelector"], _labels(pod)) for p in denying), name


def test_redis_requires_the_password_from_the_secret(tmp_path: Path) -> None:
    """Run the redis container's own command here: without the password nothing passes."""
    import redis

    (server,) = containers("Deployment", "redis")
    secret = {
        e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in server["env"] if "valueFrom" in e
    }
    assert secret == {"REDISCLI_AUTH": "REDIS_PASSWORD"}  # the readiness probe's redis-cli too
    if not shutil.which("redis-server"):
        require_service("redis-server", "not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = server["command"] + server.get("args", [])
    command = [part.replace("/tmp/", f"{tmp_path}/") for part in command]
    command += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    process = subprocess.Popen(
        command, env={"PATH": os.environ["PATH"], "REDISCLI_AUTH": "pw-from-secret"}
    )
    try:
        anonymous = redis.Redis(port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                anonymous.ping()
                raise AssertionError("redis answered without a password")
            except redis.AuthenticationError:
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "no redis"
                time.sleep(0.1)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port, password="guessed").ping()
        assert redis.Redis(port=port, password="pw-from-secret").ping()
        assert "pw-from-secret" not in " ".join(command)  # not in argv
    finally:
        process.terminate()
        process.wait(timeout=20)
