"""The shape ARCHITECTURE.md promises, checked: statuses are enums, use cases take typed
commands, every audit record goes through one helper, and modules and functions stay small
enough to read (a long function says why in its docstring)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "services"
MODULE_LINES = 400
FUNCTION_LINES = 60
# The fields a status lives in; compared, set or filtered only as enum members.
STATUS_NAMES = frozenset({"status", "previous_status"})


def _modules(under: Path = SERVICES) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(under.rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _is_status(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in STATUS_NAMES) or (
        isinstance(node, ast.Name) and node.id in STATUS_NAMES
    )


def _has_text(node: ast.AST) -> bool:
    """A string literal, or a tuple, list or set that holds one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_has_text(element) for element in node.elts)
    return False


def bare_statuses(tree: ast.AST, *, keywords: bool = True) -> list[int]:
    """Lines that compare, set or filter a status with a bare string; with ``keywords``, also
    those that pass one as ``status=`` (in the domain, where every such call makes a record:
    the API's own ``Health(status="ok")`` is not a record's status)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_status(s) for s in sides) and any(_has_text(s) for s in sides):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign):
            # (Not an annotated field's default: a request schema's `status: Status = "draft"`
            # is the API's contract, written as the OpenAPI shows it.)
            if any(_is_status(t) for t in node.targets) and _has_text(node.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            function = node.func
            if (
                isinstance(function, ast.Attribute)
                and function.attr in {"in_", "not_in"}
                and _is_status(function.value)
                and any(_has_text(a) for a in node.args)
            ):
                lines.append(node.lineno)
            if keywords:
                lines += [
                    node.lineno
                    for keyword in node.keywords
                    if keyword.arg in STATUS_NAMES and _has_text(keyword.value)
                ]
    return sorted(set(lines))


def test_bare_statuses_are_found() -> None:
    # The check itself: each way of writing a status as a bare string is caught.
    source = "\n".join(
        [
            'a = x.status == "draft"',
            'x.status = "held"',
            'q = Model.status.in_(("open", "closed"))',
            'b = status not in ("pending",)',
            'm = Meeting(status="scheduled")',
            "ok = x.status == MeetingStatus.HELD",
            'fine = response.status_code == "200"',
        ]
    )
    assert bare_statuses(ast.parse(source)) == [1, 2, 3, 4, 5]


def test_statuses_are_enums_everywhere() -> None:
    found = [
        f"{path}:{line}"
        for path, tree in _modules()
        for line in bare_statuses(tree, keywords=path.parts[1] == "domain")
    ]
    assert found == [], "use the status enums in services/domain/models/ instead of strings"


def _untyped_commands(tree: ast.AST) -> list[str]:
    """Public use cases that take a mapping of fields rather than a typed command."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and not node.name.startswith(
            "_"
        ):
            for argument in [*node.args.args, *node.args.kwonlyargs]:
                annotation = ast.unparse(argument.annotation) if argument.annotation else ""
                untyped = "Mapping[str, Any]" in annotation or annotation == "dict[str, Any]"
                if untyped and argument.arg in {"fields", "changes", "values", "spec", "rows"}:
                    found.append(f"{node.name}({argument.arg})")
    return found


# Mappings that are not a use case's fields, each with why it stays one.
NOT_COMMANDS = {
    # The hashed fields of an audit record: JSON values by name, the hash's input.
    "services/domain/audit/service.py: hash_of(fields)",
    # What builds a command from a request body's fields.
    "services/domain/commands.py: of(values)",
    # The demo data files (demo/organisations.json, demo/routes/), read as JSON.
    "services/domain/demo/governance.py: seed_routes(spec)",
    "services/domain/demo/loader.py: seed_organisation(spec)",
    # A tracker row's values as read from the file, before they become a NewDocument.
    "services/domain/imports/tracker.py: status_for_new(values)",
    # The columns a send sets as it finishes, for one UPDATE.
    "services/domain/notifications/sending.py: finish_claimed(values)",
}


def test_use_cases_take_typed_commands() -> None:
    found = [
        f"{path}: {name}"
        for path, tree in _modules(SERVICES / "domain")
        for name in _untyped_commands(tree)
        if f"{path}: {name}" not in NOT_COMMANDS
    ]
    assert found == [], "take a command (services/domain/commands.py), not a mapping"


def test_audit_records_go_through_one_helper() -> None:
    # audit/changes.py record_change (or entry, for a batch) names the entity's type once.
    found = []
    for path, tree in _modules():
        if path.parts[:3] == ("services", "domain", "audit"):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"record", "Entry"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                found.append(f"{path}:{node.lineno}")
    assert found == [], "record a change with audit/changes.py record_change"


def test_modules_are_at_most_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(SERVICES.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}, "split the module by meaning (ARCHITECTURE.md)"


def test_a_long_function_says_why() -> None:
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                doc = (ast.get_docstring(node) or "").lower()
                if length > FUNCTION_LINES and "long because" not in doc:
                    found.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    assert found == [], "split it, or say in its docstring why it is long ('Long because ...')"
