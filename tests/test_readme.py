"""README.md and README.ja.md: linked from each other, and the same commands (a fresh machine's first hour)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EN = (ROOT / "README.md").read_text(encoding="utf-8")
JA = (ROOT / "README.ja.md").read_text(encoding="utf-8")
FENCE = re.compile(r"```bash\n(.*?)```", re.S)


def test_each_readme_links_the_other():
    assert "(README.ja.md)" in EN
    assert "(README.md)" in JA


def test_same_two_commands_at_the_top():
    en, ja = FENCE.findall(EN), FENCE.findall(JA)
    assert en[:2] == ja[:2]
    assert en[:2] == ["pip install -r requirements.txt && flask --app app demo && flask --app app run\n",
                      "pip install -r requirements-dev.txt && pytest\n"]
    assert EN.index("```bash") < EN.index("\n## ") and JA.index("```bash") < JA.index("\n## ")


def test_same_commands_and_sections_throughout():
    """Every inline command, variable and path of one README is in the other (they are kept in step)."""
    ja = JA
    for placeholder, english in PLACEHOLDERS.items():
        ja = ja.replace(placeholder, english)
    code = re.compile(r"`([^`\n]+)`")
    assert set(code.findall(EN)) == set(code.findall(ja))
    assert EN.count("\n## ") == JA.count("\n## ")


#: Placeholders that are translated inside commands.
PLACEHOLDERS = {"<招待コード>": "<invite code>", "<トークン>": "<token>", '"内容"': '"what"'}
