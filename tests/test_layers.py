"""The three layers stay apart: the domain knows no web framework or queue, the notifier
does not reach into the API, and the API holds no database models of its own."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "services"


def imported_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (SERVICES / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(SERVICES))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("fastapi", "starlette", "arq", "services.api", "services.notifier")),
        ("notifier", ("fastapi", "starlette", "services.api", "services.pages")),
        ("api", ("arq", "services.notifier")),
        ("pages", ("arq", "services.notifier", "services.api")),
    ],
)
def test_a_layer_does_not_import_what_it_must_not_know(
    package: str, forbidden: tuple[str, ...]
) -> None:
    offences = [
        f"{file} imports {name}"
        for file, names in imported_modules(package).items()
        for name in sorted(names)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]
    assert offences == []


def test_the_check_sees_real_imports() -> None:
    # Guard against a scan that silently reads nothing.
    assert "fastapi" in imported_modules("api")["api/app.py"]
    assert "sqlalchemy" in imported_modules("domain")["domain/db.py"]


AUTHZ = SERVICES / "domain" / "authz"


def test_only_the_authority_policy_refuses() -> None:
    # Authority lives in services/domain/authz: nothing else raises Forbidden or reads roles.
    offences = []
    for path in SERVICES.rglob("*.py"):
        if path.is_relative_to(AUTHZ) or path == SERVICES / "domain" / "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "Forbidden":
                offences.append(f"{path.relative_to(SERVICES)}:{node.lineno} uses Forbidden")
            reads_roles = (
                isinstance(node, ast.Attribute)
                and node.attr in ("person_roles", "permissions")
                and isinstance(node.value, ast.Name)
                and node.value.id == "principal"
            )
            if reads_roles:
                offences.append(f"{path.relative_to(SERVICES)}:{node.lineno} reads roles")
    assert offences == []
    # The scan reads the policy itself, so it would see a refusal.
    assert "Forbidden" in (AUTHZ / "core.py").read_text(encoding="utf-8")


ROOT = SERVICES.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_package_stays_on_its_floor() -> None:
    # The contracts are in pyproject.toml and list no exceptions; ARCHITECTURE.md explains them.
    assert "ignore_imports" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    run = lint_imports(ROOT / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_the_floor_check_sees_a_package_reaching_up(tmp_path: Path) -> None:
    # The same contract with the boards moved up above the workflows that use them: broken.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floors = config["tool"]["importlinter"]["contracts"][1]["layers"]
    register = next(n for n, floor in enumerate(floors) if "boards" in floor.split(" : "))
    workflows = next(n for n, floor in enumerate(floors) if "sign_off" in floor.split(" | "))
    floors[register] = " : ".join(p for p in floors[register].split(" : ") if p != "boards")
    floors.insert(workflows, "boards")
    swapped = tmp_path / "swapped.toml"
    swapped.write_text(_as_toml(config["tool"]["importlinter"]), encoding="utf-8")
    run = lint_imports(swapped)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "services.domain.sign_off is not allowed to import services.domain.boards" in (
        " ".join(run.stdout.split())
    )


def _as_toml(importlinter: dict[str, Any]) -> str:
    lines = ["[tool.importlinter]", f"root_package = {json.dumps(importlinter['root_package'])}"]
    for contract in importlinter["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    return "\n".join(lines) + "\n"


def test_architecture_md_shows_the_floors_the_contract_checks() -> None:
    # The table a newcomer reads and the contract make test checks must not drift apart.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    checked = [
        (sorted(re.split(r" [:|] ", floor)), " | " in floor)
        for floor in config["tool"]["importlinter"]["contracts"][1]["layers"]
    ]
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## The domain's floors", 1)[1].split("\n\n")[2]
    shown = [
        (sorted(re.findall(r"`([a-z_]+)`", row.split(" | ")[1])), "\\|" in row.split(" | ")[1])
        for row in table.splitlines()[2:]
    ]
    assert shown == checked
    assert len(shown) == 8
