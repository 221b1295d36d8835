"""The English catalog is complete: no untranslated or fuzzy entries, and in step with the source."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "civictest" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _catalog(path: Path):  # noqa: ANN202
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_english_entry_is_translated_and_not_fuzzy():
    catalog = _catalog(PO)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalog_matches_the_strings_in_the_source(tmp_path):
    """A forgotten `pybabel update` shows up here as a msgid missing from the catalog."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    in_source = {m.id for m in _catalog(pot) if m.id}
    in_catalog = {m.id for m in _catalog(PO) if m.id}
    assert sorted(in_source - in_catalog) == []


def _key(text: str | list | tuple) -> str | tuple:
    """A plural message's forms: a list from read_mo, a tuple from read_po."""
    return text if isinstance(text, str) else tuple(text)


def test_committed_mo_file_is_compiled_from_the_current_po():
    """The .mo is committed so the README's commands need no compile step; it must match the .po."""
    from babel.messages.mofile import read_mo

    with (PO.with_suffix(".mo")).open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog(PO) if m.id and m.string and not m.fuzzy}
    assert compiled == source
