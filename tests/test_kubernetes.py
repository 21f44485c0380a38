"""The Kubernetes manifests (deploy/kubernetes/): every overlay rendered with kubectl's kustomize
and validated against the schemas of the pinned Kubernetes version, then held to what the
deployment promises: restricted pods, probes, resources, the migrate Job before the rollout,
secrets only by reference, pinned images and setting names that the service reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.domain.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KUBERNETES = ROOT / "deploy" / "kubernetes"
# The version every manifest is validated against: kubectl's (1.32) on this project's machines.
# Moving it is deliberate: read the deprecations of the versions between, then change it here
# and in deploy/kubernetes/README.md.
KUBERNETES_VERSION = "1.32.0"
# What is deployed: the base and every overlay (components are rendered through an overlay).
RENDERED = ["base", "overlays/production", "overlays/with-cloudnative-pg"]
# The only kinds not validated against Kubernetes' schemas: custom resources, whose schemas
# come with their operators. They are checked field by field below (_CUSTOM_RESOURCES).
NOT_IN_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("postgresql.cnpg.io/v1", "Cluster"),
}
# Variables read by libraries rather than by Settings: asyncpg (libpq's names), boto3, OTel.
OTHER_VARIABLES = {
    "PGUSER",
    "PGPASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
}
RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail(
            "kubectl is not installed, and make test renders deploy/kubernetes with its "
            "kustomize: install kubectl 1.32 (https://kubernetes.io/docs/tasks/tools/, or "
            "`apt-get install kubectl` from the Kubernetes apt repository, pkgs.k8s.io)"
        )
    return found


@cache
def _render(directory: str) -> tuple[str, ...]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(KUBERNETES / directory)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"kubectl kustomize {directory}: {result.stderr}"
    return tuple(yaml.safe_dump(doc) for doc in yaml.safe_load_all(result.stdout) if doc)


def render(directory: str) -> list[dict[str, Any]]:
    """The documents ``kubectl kustomize`` makes of ``directory`` (fresh copies)."""
    return [yaml.safe_load(doc) for doc in _render(directory)]


def one(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


def workloads(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every Deployment and Job: what runs pods."""
    return (d for d in docs if d["kind"] in ("Deployment", "Job"))


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("directory", RENDERED)
def test_every_document_is_valid_for_the_pinned_kubernetes_version(directory: str) -> None:
    docs = render(directory)
    assert docs
    problems = []
    for doc in docs:
        name = f"{doc['kind']} {doc['metadata']['name']}"
        if (doc["apiVersion"], doc["kind"]) in NOT_IN_SCHEMAS:
            problems += [f"{name}: {p}" for p in _CUSTOM_RESOURCES[doc["kind"]](doc)]
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as invalid:
            problems.append(f"{name}: {invalid.message} at {list(invalid.path)}")
    assert problems == []


def test_the_validation_refuses_an_unknown_field_and_a_wrong_type() -> None:
    # Strict validation is what catches a misspelt field, which Kubernetes would drop silently.
    api = one(render("base"), "Deployment", "policygov-api")
    kubernetes_validate.validate(api, KUBERNETES_VERSION, strict=True)
    api["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(api, KUBERNETES_VERSION, strict=True)
    job = one(render("base"), "Job")
    job["spec"]["backoffLimit"] = "four"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


def _service_monitor(doc: dict[str, Any]) -> list[str]:
    spec = doc.get("spec", {})
    problems = [f"unknown field {k}" for k in spec if k not in {"selector", "endpoints"}]
    if not spec.get("selector", {}).get("matchLabels"):
        problems.append("spec.selector.matchLabels is empty")
    endpoints = spec.get("endpoints") or [{}]
    for endpoint in endpoints:
        if not isinstance(endpoint.get("port"), str):
            problems.append("an endpoint without a named port")
        if not str(endpoint.get("path", "")).startswith("/"):
            problems.append("an endpoint without a path")
        if not re.fullmatch(r"\d+s", str(endpoint.get("interval", ""))):
            problems.append("an endpoint without an interval in seconds")
    return problems


def _cnpg_cluster(doc: dict[str, Any]) -> list[str]:
    spec = doc.get("spec", {})
    known = {"instances", "imageName", "primaryUpdateStrategy", "affinity", "bootstrap"}
    known |= {"postgresql", "storage", "resources"}
    problems = [f"unknown field {k}" for k in spec if k not in known]
    if not isinstance(spec.get("instances"), int) or spec["instances"] < 2:
        problems.append("fewer than two instances: no replica")
    if not re.fullmatch(r"[\w./-]+:\d+\.\d+", str(spec.get("imageName", ""))):
        problems.append("imageName is not pinned to a PostgreSQL version")
    if not re.fullmatch(r"\d+[MGT]i", str(spec.get("storage", {}).get("size", ""))):
        problems.append("storage.size is not a quantity")
    initdb = spec.get("bootstrap", {}).get("initdb", {})
    if not (isinstance(initdb.get("database"), str) and isinstance(initdb.get("owner"), str)):
        problems.append("bootstrap.initdb names no database and owner")
    if not all(
        isinstance(v, str) for v in spec.get("postgresql", {}).get("parameters", {}).values()
    ):
        problems.append("postgresql.parameters must be strings")
    return problems


_CUSTOM_RESOURCES = {"ServiceMonitor": _service_monitor, "Cluster": _cnpg_cluster}


def test_the_custom_resource_checks_find_a_broken_one() -> None:
    monitor = one(render("base"), "ServiceMonitor")
    assert _service_monitor(monitor) == []
    monitor["spec"]["endpoint"] = monitor["spec"].pop("endpoints")
    assert "unknown field endpoint" in _service_monitor(monitor)
    cluster = one(render("overlays/with-cloudnative-pg"), "Cluster")
    assert _cnpg_cluster(cluster) == []
    cluster["spec"]["instances"] = 1
    assert _cnpg_cluster(cluster) == ["fewer than two instances: no replica"]


def restricted_problems(workload: dict[str, Any]) -> list[str]:
    """What in ``workload``'s pods breaks the restricted Pod Security Standard or lacks limits."""
    pod = workload["spec"]["template"]["spec"]
    pod_context = pod.get("securityContext", {})
    problems = []
    if pod.get("automountServiceAccountToken") is not False:
        problems.append("mounts a service account token")
    for container in containers(pod):
        context = {**pod_context, **container.get("securityContext", {})}
        name = container["name"]
        if context.get("runAsNonRoot") is not True or context.get("runAsUser") == 0:
            problems.append(f"{name} may run as root")
        if context.get("seccompProfile") != {"type": "RuntimeDefault"}:
            problems.append(f"{name} has no RuntimeDefault seccomp profile")
        problems += [
            f"{name}: {key} is not {value}"
            for key, value in RESTRICTED_CONTAINER.items()
            if context.get(key) != value
        ]
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            if set(resources.get(bound, {})) != {"cpu", "memory"}:
                problems.append(f"{name} has no cpu and memory {bound}")
    return problems


@pytest.mark.parametrize("directory", RENDERED)
def test_every_pod_is_restricted_non_root_read_only_and_bounded(directory: str) -> None:
    docs = render(directory)
    assert {d["metadata"]["name"] for d in workloads(docs)} >= {
        "policygov-api",
        "policygov-notifier",
    }
    assert {w["metadata"]["name"]: restricted_problems(w) for w in workloads(docs)} == {
        w["metadata"]["name"]: [] for w in workloads(docs)
    }


def test_the_restricted_check_finds_a_root_container() -> None:
    api = one(render("base"), "Deployment", "policygov-api")
    api["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0
    del api["spec"]["template"]["spec"]["initContainers"][0]["resources"]["limits"]
    assert restricted_problems(api) == [
        "wait-for-migrations has no cpu and memory limits",
        "api may run as root",
    ]


def test_a_read_only_root_filesystem_leaves_var_and_tmp_writable() -> None:
    # The notifier writes its health to /app/var; exports and uploads go through /tmp.
    for workload in workloads(render("base")):
        pod = workload["spec"]["template"]["spec"]
        empty_dirs = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in containers(pod):
            mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert {mounted.get("/app/var"), mounted.get("/tmp")} <= empty_dirs, container["name"]


def test_the_api_is_probed_over_http_and_the_notifier_by_its_own_health() -> None:
    docs = render("overlays/production")
    [api] = one(docs, "Deployment", "policygov-api")["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in api["ports"]}
    assert ports == {"http": 8000, "metrics": 9464}
    probes = {kind: api[f"{kind}Probe"]["httpGet"] for kind in ("startup", "liveness", "readiness")}
    assert probes == {
        "startup": {"path": "/healthz", "port": "http"},
        "liveness": {"path": "/healthz", "port": "http"},
        "readiness": {"path": "/readyz", "port": "http"},
    }
    notifier_pod = one(docs, "Deployment", "policygov-notifier")["spec"]["template"]["spec"]
    [notifier] = notifier_pod["containers"]
    assert notifier["command"] == ["policygov", "worker"]
    health = ["policygov", "notifier", "health"]
    assert notifier["startupProbe"]["exec"]["command"] == [*health, "--alive"]
    assert notifier["livenessProbe"]["exec"]["command"] == [*health, "--alive"]
    assert notifier["readinessProbe"]["exec"]["command"] == health


@pytest.mark.parametrize("directory", RENDERED)
def test_the_hpa_scales_the_api_and_the_pdb_covers_its_pods_only(directory: str) -> None:
    docs = render(directory)
    api = one(docs, "Deployment", "policygov-api")
    notifier = one(docs, "Deployment", "policygov-notifier")
    # The HPA owns the API's count: an apply that set `replicas` would reset it.
    assert "replicas" not in api["spec"]
    assert notifier["spec"]["replicas"] >= 1
    hpa = one(docs, "HorizontalPodAutoscaler")
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "policygov-api"}
    assert hpa["spec"]["scaleTargetRef"] == target
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    selector = one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    assert matches(selector, api["spec"]["template"]["metadata"]["labels"])
    assert not matches(selector, notifier["spec"]["template"]["metadata"]["labels"])


def test_production_scales_the_api_and_the_notifier_apart() -> None:
    docs = render("overlays/production")
    hpa = one(docs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 12)
    assert one(docs, "Deployment", "policygov-notifier")["spec"]["replicas"] == 2


def image_tag(image: str) -> str:
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"{image} has no tag"
    return tag


@pytest.mark.parametrize("directory", RENDERED)
def test_the_migrate_job_is_the_releases_and_its_pods_wait_for_it(directory: str) -> None:
    docs = render(directory)
    job = one(docs, "Job")
    [migrate] = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["policygov", "migrate"]
    # A Job's pods cannot be changed: each release's Job is a new one, named after its tag.
    assert job["metadata"]["name"] == f"policygov-migrate-{image_tag(migrate['image'])}"
    for name in ("policygov-api", "policygov-notifier"):
        pod = one(docs, "Deployment", name)["spec"]["template"]["spec"]
        [wait] = pod["initContainers"]
        assert wait["command"][:3] == ["policygov", "migrate", "--check"], name
        assert "--wait" in wait["command"]
        assert {c["image"] for c in containers(pod)} == {migrate["image"]}, name


@pytest.mark.parametrize("directory", RENDERED)
def test_every_image_is_pinned_to_a_release(directory: str) -> None:
    images = {
        c["image"]
        for w in workloads(render(directory))
        for c in containers(w["spec"]["template"]["spec"])
    }
    assert images
    for image in images:
        assert re.fullmatch(r"v?\d+\.\d+\.\d+([-.][0-9A-Za-z.]+)?", image_tag(image)), image


def test_the_api_is_reached_through_its_service_and_ingress_only() -> None:
    docs = render("overlays/production")
    api_labels = one(docs, "Deployment", "policygov-api")["spec"]["template"]["metadata"]["labels"]
    service = one(docs, "Service", "policygov-api")["spec"]
    assert matches(service["selector"], api_labels)
    assert {p["name"]: p["targetPort"] for p in service["ports"]} == {
        "http": "http",
        "metrics": "metrics",
    }
    ingress = one(docs, "Ingress")["spec"]
    [rule] = ingress["rules"]
    [path] = rule["http"]["paths"]
    assert path["backend"]["service"] == {"name": "policygov-api", "port": {"name": "http"}}
    assert ingress["tls"][0]["hosts"] == [rule["host"]] == ["policies.example.org"]


def test_network_policies_let_only_the_ingress_controller_and_prometheus_in() -> None:
    docs = render("overlays/production")
    policies = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "NetworkPolicy"}
    deny = policies.pop("policygov-deny-ingress")
    assert deny == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "policygov"}},
        "policyTypes": ["Ingress"],
    }

    def allowed(spec: dict[str, Any]) -> set[tuple[str, Any]]:
        return {
            (
                source["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
                port["port"],
            )
            for rule in spec["ingress"]
            for source in rule["from"]
            for port in rule["ports"]
        }

    assert allowed(policies["policygov-api"]) == {
        ("ingress-nginx", "http"),
        ("monitoring", "metrics"),
    }
    assert allowed(policies["policygov-notifier"]) == {("monitoring", "metrics")}


def test_the_service_monitor_scrapes_the_api_and_the_notifier_metrics_ports() -> None:
    docs = render("overlays/production")
    monitor = one(docs, "ServiceMonitor")["spec"]
    [endpoint] = monitor["endpoints"]
    scraped = {
        d["metadata"]["name"]: next(
            p["port"] for p in d["spec"]["ports"] if p["name"] == endpoint["port"]
        )
        for d in docs
        if d["kind"] == "Service"
        and matches(monitor["selector"]["matchLabels"], d["metadata"]["labels"])
    }
    config = one(docs, "ConfigMap")["data"]
    assert scraped == {
        "policygov-api": int(config["POLICYGOV_API_METRICS_PORT"]),
        "policygov-notifier-metrics": int(config["POLICYGOV_NOTIFIER_METRICS_PORT"]),
    }
    assert config["POLICYGOV_METRICS_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("directory", RENDERED)
def test_no_secret_is_written_in_the_manifests(directory: str) -> None:
    docs = render(directory)
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Secret"] == []
    referred = set()
    for workload in workloads(docs):
        for container in containers(workload["spec"]["template"]["spec"]):
            referred |= {
                s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s
            }
            for variable in container.get("env", []):
                assert "value" in variable or "secretKeyRef" in variable.get("valueFrom", {})
                if "secretKeyRef" in variable.get("valueFrom", {}):
                    referred.add(variable["valueFrom"]["secretKeyRef"]["name"])
    # Made by the operator (README) and, with CloudNativePG, by the operator's operator.
    assert referred <= {"policygov", "policygov-db-app"}
    assert "policygov" in referred
    for kustomization in KUBERNETES.rglob("kustomization.yaml"):
        assert "secretGenerator" not in yaml.safe_load(kustomization.read_text()), kustomization


def unknown_variables(names: set[str]) -> set[str]:
    """The names no setting (and no library we use) reads: a typo Kubernetes passes on silently."""
    fields = set(Settings.model_fields)
    return {
        name
        for name in names
        if name not in OTHER_VARIABLES
        and not (
            name.startswith("POLICYGOV_") and name.removeprefix("POLICYGOV_").lower() in fields
        )
    }


def variables_set(directory: str) -> set[str]:
    docs = render(directory)
    names = {key for d in docs if d["kind"] == "ConfigMap" for key in d["data"]}
    for workload in workloads(docs):
        for container in containers(workload["spec"]["template"]["spec"]):
            names |= {variable["name"] for variable in container.get("env", [])}
    return names


def secret_variables_documented() -> set[str]:
    """The keys of the Secret `policygov` as the README creates it."""
    readme = (KUBERNETES / "README.md").read_text()
    return set(re.findall(r"--from-literal=([A-Z0-9_]+)=", readme))


@pytest.mark.parametrize("directory", RENDERED)
def test_every_variable_set_is_one_the_service_reads(directory: str) -> None:
    assert unknown_variables(variables_set(directory)) == set()


def test_the_secret_the_readme_creates_holds_only_settings_the_service_reads() -> None:
    documented = secret_variables_documented()
    assert {"POLICYGOV_DATABASE_URL", "POLICYGOV_REDIS_URL", "POLICYGOV_SECRET_KEY"} <= documented
    assert unknown_variables(documented) == set()


def test_a_misspelt_variable_is_found() -> None:
    assert unknown_variables({"POLICYGOV_DATABASE_URL", "POLICYGOV_DATABSE_URL", "PGPASS"}) == {
        "POLICYGOV_DATABSE_URL",
        "PGPASS",
    }


def test_cloudnative_pg_gives_a_primary_and_a_replica_and_its_own_credentials() -> None:
    docs = render("overlays/with-cloudnative-pg")
    cluster = one(docs, "Cluster")
    name, initdb = cluster["metadata"]["name"], cluster["spec"]["bootstrap"]["initdb"]
    assert cluster["spec"]["instances"] >= 2
    urls = {
        "POLICYGOV_DATABASE_URL": f"postgresql+asyncpg://{name}-rw:5432/{initdb['database']}",
        "POLICYGOV_DATABASE_REPLICA_URL": f"postgresql+asyncpg://{name}-ro:5432/{initdb['database']}",
    }
    credentials = {"PGUSER": "username", "PGPASSWORD": "password"}
    for workload in workloads(docs):
        for container in containers(workload["spec"]["template"]["spec"]):
            env = {v["name"]: v for v in container["env"]}
            assert {k: env[k]["value"] for k in urls} == urls, container["name"]
            refs = {k: env[k]["valueFrom"]["secretKeyRef"] for k in credentials}
            assert refs == {k: {"name": f"{name}-app", "key": v} for k, v in credentials.items()}
