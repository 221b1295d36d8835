"""Architecture rules that a test can check: pure modules import no Flask and no database layer."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "civictest"
PURE = ["analysis", "sentiment", "privacy.py", "charts.py", "maps.py", "geo.py", "importing/spreadsheets.py",
        "importing/rows.py", "exporting/writers.py", "exporting/staff.py", "exporting/opendata.py",
        "exporting/metadata.py"]
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_babel", "civictest.extensions",
             "civictest.models", "civictest.data", "sqlalchemy")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


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
    assert _pure_files(), "the pure modules exist"


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
