"""A TypeScript integrator's client, from the committed spec: openapi-typescript writes the types
without a warning and with every operation, `tsc --strict` compiles clients/typescript/src/drive.ts
against them, and the program drives the live API through a document's life with openapi-fetch.

The tools are pinned in clients/typescript/package-lock.json; `make install` runs `npm ci`. The
generated types and the compiled program stay inside this checkout (both are gitignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import World
from tests.once import once_per_run

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "openapi.json"
CLIENT = ROOT / "clients" / "typescript"
GENERATED = CLIENT / "src" / "generated" / "schema.d.ts"
BIN = CLIENT / "node_modules" / ".bin"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# What openapi-typescript prints when all is well (bin/cli.js): its banner and the file written.
# Its warnings (" ⚠  ...", console.warn) and errors (" ✘  ...") are any other line.
GENERATOR_SAYS = (re.compile(r"^✨ openapi-typescript \d+\.\d+\.\d+$"), re.compile(r"^🚀 .+ → .+"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
STEPS = ["create", "cursors", "search", "upload", "etag", "problem", "consultation", "sign-off"]


@dataclass
class Run:
    returncode: int
    output: str


def run(*command: str | Path, env: dict[str, str] | None = None, timeout: float = 180) -> Run:
    """Run a Node tool in the client's folder; stdout and stderr together, colours removed."""
    node = shutil.which("node")
    if node is None or not (BIN / "openapi-typescript").exists():
        pytest.fail(
            "Node.js 20 and the client's npm packages are needed: `make install` runs npm ci in "
            "clients/typescript (node and npm must be on PATH)."
        )
    done = subprocess.run(
        [str(part) for part in command],
        cwd=CLIENT,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, ANSI.sub("", done.stdout))


def generate(spec: Path, output: Path) -> Run:
    return run(BIN / "openapi-typescript", spec, "--output", output)


def generator_warnings(generated: Run) -> list[str]:
    lines = [line for line in generated.output.splitlines() if line.strip()]
    return [line for line in lines if not any(said.match(line) for said in GENERATOR_SAYS)]


def interface(source: str, name: str) -> str:
    start = source.index(f"export interface {name} {{\n")
    return source[start : source.index("\n}\n", start)]


def typed_operations(block: str) -> set[tuple[str, str, str]]:
    """(path or webhook, method, operationId) for every method the block types as an operation."""
    found, current = set(), ""
    for line in block.splitlines():
        if key := re.fullmatch(r'    "([^"]+)": \{', line):
            current = key.group(1)
        elif method := re.fullmatch(r'        (\w+): operations\["([^"]+)"\];', line):
            found.add((current, method.group(1), method.group(2)))
    return found


def spec_operations(items: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (key, method, operation["operationId"])
        for key, item in items.items()
        for method, operation in item.items()
        if method in METHODS
    }


def _load_run(saved: dict[str, Any]) -> Run:
    return Run(saved["returncode"], saved["output"])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The types generated from the committed spec, written where drive.ts imports them: once
    per run, whichever worker asks first (tests/once.py)."""
    return once_per_run(
        tmp_path_factory, "typescript-types", lambda _: generate(SPEC, GENERATED), _load_run
    )


@pytest.fixture(scope="module")
def compiled(generated: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    assert generated.returncode == 0, generated.output

    def compile_client(_: Path) -> Run:
        shutil.rmtree(CLIENT / "dist", ignore_errors=True)
        return run(BIN / "tsc", "-p", ".")

    return once_per_run(tmp_path_factory, "typescript-compiled", compile_client, _load_run)


def test_the_generator_reads_the_committed_spec_without_a_warning(generated: Run) -> None:
    assert generated.returncode == 0, generated.output
    assert generator_warnings(generated) == []
    assert GENERATED.stat().st_size > 0


def test_a_warning_of_the_generator_would_be_caught(tmp_path: Path) -> None:
    # The check above must be able to fail: a discriminator mapped to a string schema is a
    # warning openapi-typescript prints while still writing the types.
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "defective", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "oneOf": [{"$ref": "#/components/schemas/Name"}],
                    "discriminator": {
                        "propertyName": "kind",
                        "mapping": {"name": "#/components/schemas/Name"},
                    },
                },
                "Name": {"type": "string"},
            }
        },
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    defective = generate(tmp_path / "spec.json", tmp_path / "schema.d.ts")
    assert defective.returncode == 0, defective.output
    warnings = generator_warnings(defective)
    assert len(warnings) == 1 and "Discriminator mapping" in warnings[0], defective.output


def test_every_operation_of_the_spec_is_typed(generated: Run) -> None:
    assert generated.returncode == 0, generated.output
    spec = json.loads(SPEC.read_text())
    source = GENERATED.read_text()
    paths = spec_operations(spec["paths"])
    webhooks = spec_operations(spec.get("webhooks", {}))
    assert len(paths) > 100, len(paths)
    assert typed_operations(interface(source, "paths")) == paths
    assert typed_operations(interface(source, "webhooks")) == webhooks
    operations = set(re.findall(r"^    (\w+): \{$", interface(source, "operations"), re.M))
    assert operations == {operation_id for *_, operation_id in paths | webhooks}


def test_the_client_compiles_under_strict(compiled: Run) -> None:
    config = json.loads((CLIENT / "tsconfig.json").read_text())
    assert config["compilerOptions"]["strict"] is True
    assert compiled.returncode == 0, compiled.output
    assert compiled.output.strip() == ""
    assert (CLIENT / "dist" / "drive.js").exists()


async def test_the_client_drives_the_live_api(compiled: Run, live_api: str, world: World) -> None:
    assert compiled.returncode == 0, compiled.output
    a = world.a
    drove = run(
        "node",
        "dist/drive.js",
        env={
            "BASE_URL": live_api,
            "POLICY_OFFICER_KEY": a.policy_officer.key,
            "AUTHOR_KEY": a.author.key,
            "APPROVER_KEY": a.approver.key,
            "AUTHOR_ID": str(a.author.person_id),
            "APPROVER_ID": str(a.approver.person_id),
            "READER_ID": str(a.reader.person_id),
        },
        timeout=120,
    )
    assert drove.returncode == 0, drove.output
    lines = drove.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"ok {step}" for step in STEPS], drove.output
    assert "ok cursors: 3 documents in 2 pages" in lines
    assert "ok etag: " in drove.output and "stale 412, without If-Match 428" in drove.output
    assert 'ok problem: 404 /problems/not-found "' in drove.output
