"""Render a kustomization the way `kubectl kustomize` does, for the features these manifests use.

CI machines may lack kubectl; this renders deploy/kubernetes/* with PyYAML alone so the
manifests can be validated anywhere (tests/deploy/test_kubernetes.py), and the test checks it
against `kubectl kustomize` wherever kubectl is installed. Supported: resources (files and
directories), namespace, labels (metadata only), images, and strategic-merge patches by path.
Anything else in a kustomization is refused rather than silently ignored.

    python deploy/kubernetes/render.py deploy/kubernetes/overlays/example
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge for what these manifests patch: maps merge, lists of named maps merge by
    name, anything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        out = [copy.deepcopy(i) for i in base]
        for item in patch:
            match = next((n for n, b in enumerate(out) if b["name"] == item["name"]), None)
            if match is None:
                out.append(copy.deepcopy(item))
            else:
                out[match] = _merge(out[match], item)
        return out
    return copy.deepcopy(patch)


def _key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def _containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    return pod.get("containers", []) + pod.get("initContainers", [])


def render(folder: Path) -> list[dict]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise ValueError(f"{folder}: unsupported kustomization fields {sorted(unknown)}")
    docs: list[dict] = []
    for entry in kustomization.get("resources", []):
        path = (folder / entry).resolve()
        if path.is_dir():
            docs.extend(render(path))
        else:
            docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    for patch in kustomization.get("patches", []):
        if set(patch) != {"path"}:
            raise ValueError(f"{folder}: only patches by path are supported, got {patch}")
        for change in yaml.safe_load_all((folder / patch["path"]).read_text()):
            matches = [n for n, d in enumerate(docs) if _key(d) == _key(change)]
            if len(matches) != 1:
                raise ValueError(
                    f"{folder}: patch {patch['path']} matches {len(matches)} resources"
                )
            docs[matches[0]] = _merge(docs[matches[0]], change)
    for group in kustomization.get("labels", []):
        if set(group) - {"pairs"}:
            raise ValueError(f"{folder}: only labels with pairs are supported")
        for doc in docs:
            doc["metadata"].setdefault("labels", {}).update(group["pairs"])
    for image in kustomization.get("images", []):
        for doc in docs:
            for container in _containers(doc):
                name = container["image"].split("@")[0].rsplit(":", 1)[0]
                if name == image["name"]:
                    tag = image.get("newTag")
                    new = image.get("newName", image["name"])
                    container["image"] = f"{new}:{tag}" if tag else new
    namespace = kustomization.get("namespace")
    if namespace:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = namespace
    return docs


if __name__ == "__main__":
    sys.stdout.write(yaml.safe_dump_all(render(Path(sys.argv[1])), sort_keys=True))
