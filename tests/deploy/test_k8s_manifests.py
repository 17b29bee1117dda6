"""deploy/k8s/: valid Kubernetes 1.30 objects (kubernetes-validate, strict: unknown fields are
errors), and what the README promises of them: every Deployment's containers are probed without
a token in the URL and sized, the queue processes have a claimer id per pod, the disruption
budgets and Services select existing Deployments, the secrets come from the one Secret.

kubernetes-validate needs a newer jsonschema than Rasa allows, so it is not in .venv:
`make k8s-tools` installs it (requirements-k8s.txt) into var/tools/k8s, run here in a
subprocess. Without it the validation test is skipped, and fails under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TOOLS = ROOT / "var" / "tools" / "k8s"
KUBERNETES_VERSION = "1.30.0"


def _validate(*files: Path) -> subprocess.CompletedProcess[str]:
    if not (TOOLS / "kubernetes_validate").is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("kubernetes-validate is required when CI=true: run `make k8s-tools`")
        pytest.skip("kubernetes-validate not installed (run `make k8s-tools`)")
    env = {**os.environ, "PYTHONPATH": str(TOOLS)}
    return subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--no-warn",
                           "-k", KUBERNETES_VERSION, *map(str, files)],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def _objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]  # fmt: skip


def _deployments() -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in _objects() if o["kind"] == "Deployment"}


def test_the_manifests_are_valid_kubernetes_objects() -> None:
    done = _validate(*sorted(K8S.glob("*.yaml")))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_refuses_an_unknown_field(tmp_path: Path) -> None:
    broken = next(yaml.safe_load_all((K8S / "actions.yaml").read_text()))
    broken["spec"]["replica"] = 2  # misspelt
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken))
    assert _validate(path).returncode != 0


def test_every_process_has_a_deployment_probed_and_sized() -> None:
    deployments = _deployments()
    assert set(deployments) == {"ingest", "rasa", "actions", "api", "worker"}
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert {"livenessProbe", "readinessProbe"} <= set(container), name
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            path = container.get(probe, {}).get("httpGet", {}).get("path", "")
            assert "token" not in path.lower(), (name, probe)  # probe URLs get logged
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]
        sources = container["envFrom"]
        assert {"secretRef": {"name": "booking-secrets"}} in sources, name


def _mebibytes(quantity: str) -> float:
    units = {"Mi": 1.0, "Gi": 1024.0}
    return float(quantity[:-2]) * units[quantity[-2:]]


def test_memory_requests_cover_the_measured_rss() -> None:
    """docs/BENCHMARKS.md: Rasa 840 MB, action server 151 MB, ingest 542 MB RSS."""
    measured = {"rasa": 840, "actions": 151, "ingest": 542}
    for name, deployment in _deployments().items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        request = _mebibytes(container["resources"]["requests"]["memory"])
        limit = _mebibytes(container["resources"]["limits"]["memory"])
        assert request * 1.048576 >= measured.get(name, 0) and limit > request, name


def test_queue_processes_have_a_claimer_id_per_pod() -> None:
    for name in ("rasa", "ingest"):
        [container] = _deployments()[name]["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert env["CLAIMER_ID"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}


def test_budgets_and_services_select_deployments() -> None:
    labels = [d["spec"]["template"]["metadata"]["labels"] for d in _deployments().values()]
    selecting = [o for o in _objects() if o["kind"] in ("Service", "PodDisruptionBudget")]
    selectors = [o["spec"]["selector"].get("matchLabels", o["spec"]["selector"]) for o in selecting]
    assert {"app.kubernetes.io/name": "rasa"} in selectors
    for selector in selectors:
        assert any(selector.items() <= label.items() for label in labels), selector
    budgets = [o for o in _objects() if o["kind"] == "PodDisruptionBudget"]
    assert {b["metadata"]["name"] for b in budgets} >= {"rasa", "ingest"}


def test_docker_compose_restarts_and_checks_as_the_manifests_probe() -> None:
    """Each process's compose health check asks the path of one of its Kubernetes probes."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name, deployment in _deployments().items():
        service = services[name]
        assert service["restart"] == "unless-stopped", name
        check = " ".join(service["healthcheck"]["test"])
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        probes = [container[p] for p in ("livenessProbe", "readinessProbe") if p in container]
        paths = [p["httpGet"]["path"] for p in probes if "httpGet" in p]
        commands = [" ".join(p["exec"]["command"]) for p in probes if "exec" in p]
        assert any(check.endswith(f"{path}") for path in paths) or any(
            command.split(" ", 2)[-1] in check for command in commands
        ), (name, check)
