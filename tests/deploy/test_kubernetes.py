"""The Kubernetes manifests render (as `kubectl kustomize` would) and are valid Kubernetes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
KUBE = REPO / "deploy" / "kubernetes"
OVERLAY = KUBE / "overlays" / "example"
# The oldest Kubernetes still widely run that has every API used here (HPA v2, Ingress v1).
KUBERNETES_VERSION = "1.29.0"

sys.path.insert(0, str(KUBE))
from render import render  # noqa: E402


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in render(OVERLAY)}


def container(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("folder", [KUBE / "base", OVERLAY], ids=["base", "example"])
def test_every_manifest_validates_against_the_kubernetes_schema(folder):
    for doc in render(folder):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(
    not shutil.which("kubectl") and os.environ.get("READLIST_REQUIRE_KUBECTL") != "1",
    reason="kubectl is not installed: the Python renderer alone is checked",
)
def test_python_renderer_matches_kubectl_kustomize(rendered):
    done = subprocess.run(  # noqa: S603
        [shutil.which("kubectl") or "kubectl", "kustomize", str(OVERLAY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(done.stdout) if d}
    assert set(theirs) == set(rendered)
    for key, doc in theirs.items():
        assert json.dumps(doc, sort_keys=True) == json.dumps(rendered[key], sort_keys=True), key


def test_web_probes_split_liveness_from_readiness_and_autoscale(rendered):
    web = container(rendered["Deployment", "web"])
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert (REPO / "deploy" / "gunicorn.conf.py").exists()
    assert web["image"] == "registry.example.com/readlist:2026.11"
    hpa = rendered["HorizontalPodAutoscaler", "web"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web" and hpa["spec"]["minReplicas"] >= 2
    assert rendered["ConfigMap", "readlist-config"]["data"]["ALLOWED_HOSTS"].split(",")[-1] == (
        "localhost"  # the probes' Host header
    )


def test_one_worker_per_celery_queue_and_a_single_beat(rendered):
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE, *settings.READLIST_CELERY_QUEUES.values()}
    workers = {
        name: container(doc)["command"]
        for (kind, name), doc in rendered.items()
        if kind == "Deployment" and name.startswith("worker-")
    }
    assert {name.removeprefix("worker-") for name in workers} == queues
    for name, command in workers.items():
        assert f"--queues={name.removeprefix('worker-')}" in command
    beat = rendered["Deployment", "beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert rendered["Deployment", "worker-links"]["spec"]["replicas"] == 2  # the overlay's patch


def test_migrations_run_as_a_job_without_a_statement_timeout(rendered):
    job = rendered["Job", "migrate"]
    env = {e["name"]: e["value"] for e in container(job)["env"]}
    assert env["DATABASE_STATEMENT_TIMEOUT_MS"] == "0"
    assert "migrate --noinput" in container(job)["command"][-1]
