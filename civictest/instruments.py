"""Questionnaire instruments (SUS, SEQ, UMUX-Lite) as versioned data, with their sources (JAPAN.md section 1)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _all() -> dict:
    return json.loads(resources.files("civictest").joinpath("datafiles/instruments.json").read_text(encoding="utf-8"))


def instrument(kind: str) -> dict:
    """One instrument (`sus`, `seq`, `umux_lite`): items_ja/items_en, labels, scale_points, instrument_id."""
    return _all()[kind]


def items(kind: str, lang: str) -> list[str]:
    data = instrument(kind)
    return data.get(f"items_{lang}") or data["items_ja"]


def labels(kind: str, lang: str) -> list[str]:
    data = instrument(kind)
    return data.get(f"labels_{lang}") or data["labels_ja"]
