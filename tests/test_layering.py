"""Architecture rules that a test can check: pure modules import no Flask and no database layer, the CLI
imports no blueprint, and the app never imports the repository's benchmarks/."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "civictest"
# Pure: data in, data out; no Flask, no database, no request, so they can be used and tested anywhere.
PURE = ["analysis", "sentiment", "dashboards", "privacy.py", "oidc_claims.py", "charts.py", "maps.py", "geo.py", "consent.py", "panel_consent.py", "panel_selection.py", "booking_ics.py",
        "instruments.py", "config.py", "importing/spreadsheets.py", "importing/rows.py", "exporting/writers.py",
        "exporting/staff.py", "exporting/opendata.py", "exporting/metadata.py", "services/errors.py",
        "services/demo_data.py", "reporting/vocabulary.py", "exporting/datapackage.py", "importing/roster.py",
        "exporting/survey_opendata.py"]
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_babel", "civictest.extensions",
             "civictest.models", "sqlalchemy", "civictest.reporting.queries", "civictest.reporting.figures",
             "civictest.reporting.rows", "civictest.reporting.review", "civictest.services",
             "civictest.counting", "civictest.profile_tallies")
BLUEPRINTS = ("civictest.api", "civictest.auth", "civictest.compare", "civictest.facilitate", "civictest.manage",
              "civictest.participate", "civictest.public", "civictest.review", "civictest.surveys", "civictest.respond")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_file(name: str) -> Path | None:
    """The file of a civictest module (a package's __init__.py), or None for anything else."""
    base = PACKAGE.parent.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (function-level imports too); relative ones made absolute,
    `from package import module` as the module."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if _module_file(f"{base}.{alias.name}"))
    return names


def _reachable(path: Path) -> dict[str, str]:
    """civictest modules a file imports directly or through other civictest modules: {module: imported by}.
    The package root is not followed (create_app imports everything, inside the function)."""
    seen, todo = {}, [path]
    while todo:
        current = todo.pop()
        for name in _imports(current):
            module = _module_file(name) if name.startswith("civictest.") else None
            if module is not None and name not in seen:
                seen[name] = _module_name(current)
                todo.append(module)
    return seen


def _pure_files() -> list[Path]:
    files = []
    for entry in PURE:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return files


def test_pure_modules_import_no_flask_or_database():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(name for name in _imports(path) if name.startswith(FORBIDDEN))
        for path in _pure_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(_pure_files()) == len({p for p in _pure_files()}) > 30, "the pure modules exist"


def test_pure_modules_import_only_pure_civictest_modules():
    pure = {_module_name(path) for path in _pure_files()} | {"civictest.importing", "civictest.exporting",
                                                            "civictest.services"}
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(f"{name} (via {via})" for name, via in _reachable(path).items()
                                               if name not in pure)
        for path in _pure_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_cli_imports_no_blueprint_even_indirectly():
    cli = sorted((PACKAGE / "cli").rglob("*.py"))
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(f"{name} (via {via})" for name, via in _reachable(path).items()
                                               if name.startswith(BLUEPRINTS) or name in BLUEPRINTS)
        for path in cli
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(cli) >= 5, "the CLI package exists"


def test_nothing_in_the_package_imports_the_benchmarks():
    importers = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if any(name == "benchmarks" or name.startswith("benchmarks.") for name in _imports(path))
    )
    assert importers == []


def test_only_config_reads_the_environment():
    readers = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") and path.name != "config.py"
    ]
    assert readers == []


def test_templates_never_mark_user_text_safe():
    templates = Path(__file__).resolve().parent.parent / "templates"
    unsafe = [str(p) for p in templates.rglob("*.html") if "|safe" in p.read_text(encoding="utf-8")]
    assert unsafe == []


def test_reporting_reads_and_never_imports_the_write_side_or_a_blueprint():
    """Services write, reporting reads: a reporting module imports no service (but the domain errors), directly
    or through other civictest modules, and no blueprint; the pages, API and CLI come to reporting, not back."""
    reporting = sorted((PACKAGE / "reporting").rglob("*.py"))
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            f"{name} (via {via})" for name, via in _reachable(path).items()
            if (name.startswith("civictest.services.") and name != "civictest.services.errors")
            or name.startswith(BLUEPRINTS) or name in BLUEPRINTS or name.startswith("civictest.cli"))
        for path in reporting
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert "reporting/panel.py" in {str(p.relative_to(PACKAGE)) for p in reporting}, "the panel's figures exist"
