"""Key phrases ("themes") residents use, with how often they come up in negative comments.

Japanese: nouns and compound nouns from MeCab (the tokenizer the Japanese analyzer already loads).
English: noun phrases chunked from TextBlob's ``PatternTagger`` tags (works offline; ``TextBlob(...)
.noun_phrases`` needs NLTK data and is not used).

The caller groups comments (per task and iteration) and calls ``themes`` once per group.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from . import core
from .language import EN, JA, detect
from .normalize import clean, strip_urls, truncate

log = logging.getLogger("civictest.sentiment")


@dataclass(frozen=True, slots=True)
class Comment:
    text: str | None
    label: str | None = None  # None: scored with ``analyze``


JA_STOPWORDS = frozenset("""
こと もの ため よう ところ 時 とき 方 ほう 感じ 今回 前回 次回 自分 私 わたし 僕 特 本当 的 等 中 後 前 場合 様 さま さん 皆
これ それ あれ どれ ここ そこ 何 なに 以上 以下 全部 全体 最初 最後 途中 今後 一つ 一番 部分 意見 感想 気 目 点 所 件 回 度
分 人 日 月 年 頃 ごろ 以外 他 ほか 全て すべて 色々 いろいろ 大変 今 今日 昨日 明日 毎回 毎日 はず わけ 訳 つもり まま うち
みたい そう 上 下 内 外 際 間 どこ いつ だれ 誰 自体 一度 二度 一回 結局 正直 普通 特に 少し 全然 全く 本当に とても 以前 最近
必要 可能 不要 大丈夫 問題 簡単 便利 不便 丁寧 親切 面倒 快適 スムーズ 楽 安心 不安 満足 不満 最高 最悪 残念 無理 複雑 心配
ありがとう 感謝 お願い 助かり 質問 要望 希望 コメント 特になし なし 以来 予定 予想 想像 期待 思い 感 時間 手間 エラー
""".split())
# エラー and 時間 are stop words only on their own; compounds (ログインエラー, 待ち時間) are kept.
_JA_STOP_ALONE_ONLY = frozenset({"エラー", "時間", "手間", "問題"})

EN_STOPWORDS = frozenset("""
thing things time times way ways lot lots bit anything everything something nothing one ones minute minutes day days today
week weeks month months year years people person i me my it its this that these those everyone someone anyone nobody
problem problems issue issues question questions comment comments thanks thank lot anything others other end start kind
sort number use experience information info help hour hours second seconds morning night mr ms please etc
need needs work way lot couple few bit easy
""".split())
_EN_NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
_JA_NOUN_POS1 = frozenset({"一般", "サ変接続", "固有名詞", "接尾", "数", "副詞可能", "形容動詞語幹"})

_tagger_lock = threading.Lock()
_en_tagger = None
_en_failed = False


def _english_tagger():
    global _en_tagger, _en_failed
    if _en_tagger is not None or _en_failed:
        return _en_tagger
    with _tagger_lock:
        if _en_tagger is None and not _en_failed:
            try:
                from textblob.en.inflect import singularize
                from textblob.en.taggers import PatternTagger

                tagger = PatternTagger()
                tagger.tag("warm up the lexicon")
                _en_tagger = (tagger, singularize)
            except Exception as exc:  # log once; English themes are then empty
                _en_failed = True
                log.warning("sentiment themes: English tagger unavailable (%s: %s)", type(exc).__name__, exc)
    return _en_tagger


def _polar_adjective(word: str) -> bool:
    analyzer, _ = core._get(EN)
    if analyzer is None:
        return False
    return abs(analyzer._pattern(word)[0]) > 0.0


def english_phrases(text: str) -> list[str]:
    """Noun phrases: optional non-evaluative adjectives followed by nouns, lower-cased, last noun singular."""
    tagger = _english_tagger()
    if tagger is None:
        return []
    tag, singularize = tagger
    try:
        tagged = tag.tag(text)
    except Exception:
        return []
    phrases: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        while run and run[-1][1] not in _EN_NOUN_TAGS:
            run.pop()
        plural = bool(run) and run[-1][1] in ("NNS", "NNPS")
        words = [w.lower() for w, _ in run]
        run.clear()
        while words and words[0] in EN_STOPWORDS:
            words.pop(0)
        if not words:
            return
        words = words[-4:]
        if plural and words[-1].isalpha() and len(words[-1]) > 3:
            words[-1] = singularize(words[-1])
        phrase = " ".join(words)
        if len(phrase) >= 3 and phrase not in EN_STOPWORDS and any(c.isalpha() for c in phrase):
            phrases.append(phrase)

    for word, t in tagged:
        if t in _EN_NOUN_TAGS and word.isascii() and any(c.isalpha() for c in word):
            run.append((word, t))
        elif t == "JJ" and not _polar_adjective(word):
            if run and run[-1][1] in _EN_NOUN_TAGS:
                flush()
            run.append((word, t))
        else:
            flush()
    flush()
    return phrases


def _katakana(surface: str) -> bool:
    return bool(surface) and all("\u30a0" <= c <= "\u30ff" for c in surface)


def japanese_phrases(text: str) -> list[str]:
    """Nouns and compound nouns (consecutive nouns, honorific prefixes dropped)."""
    analyzer, _ = core._get(JA)
    if analyzer is None:
        return []
    try:
        toks = analyzer.tokenize(text)
    except Exception:
        return []
    phrases: list[str] = []
    run: list = []

    def flush() -> None:
        while run and (run[0].pos1 in ("接尾", "数") or run[0].surface in JA_STOPWORDS):
            run.pop(0)
        while run and (run[-1].pos1 == "数" or (run[-1].surface in JA_STOPWORDS and run[-1].surface not in _JA_STOP_ALONE_ONLY)):
            run.pop()
        if run:
            phrase = "".join(t.surface for t in run)
            alone = len(run) == 1
            if len(phrase) >= 2 and not (alone and (phrase in JA_STOPWORDS or run[0].pos1 in ("形容動詞語幹", "副詞可能"))):
                phrases.append(phrase)
        run.clear()

    for t in toks:
        if t.pos == "名詞" and t.pos1 in _JA_NOUN_POS1:
            run.append(t)
        elif run and _katakana(t.surface) and _katakana(run[-1].surface):
            run.append(t)  # ipadic splits some katakana words (スマホだと -> スマ|ホ|だ): keep the word whole
        else:
            flush()
    flush()
    return phrases


def _unpack(item) -> tuple[str | None, str | None]:
    if isinstance(item, Comment):
        return item.text, item.label
    if isinstance(item, str) or item is None:
        return item, None
    if isinstance(item, Mapping):
        return item.get("text"), item.get("label")
    text, label = item  # (text, label) pair
    return text, label


def _excerpt(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def themes(comments: Iterable, *, limit: int = 20, min_count: int = 2, examples: int = 2,
           example_chars: int = 300) -> list[dict]:
    """Key phrases sorted by count (comments mentioning them), then by share of negative mentions.

    ``comments``: (text, label) pairs, ``Comment`` objects, mappings with text/label, or bare texts
    (a missing label is computed with ``analyze``). A phrase counts once per comment; ``limit=0``
    returns all phrases with at least ``min_count`` comments. Examples are cleaned texts (HTML
    stripped), cut to ``example_chars``. Returns
    ``[{"phrase", "lang", "count", "negative_share", "examples": [text, text], "also": [phrase, ...]}]``;
    ``also``: phrases only ever mentioned in comments that mention ``phrase`` (folded into its row).
    """
    count: dict[tuple[str, str], int] = defaultdict(int)
    negative: dict[tuple[str, str], int] = defaultdict(int)
    samples: dict[tuple[str, str], list[str]] = defaultdict(list)
    first_seen: dict[tuple[str, str], int] = {}
    seen_in: dict[tuple[str, str], set[int]] = defaultdict(set)
    for n, item in enumerate(comments):
        text, label = _unpack(item)
        cleaned = clean(text)
        if not cleaned:
            continue
        if label is None:
            label = core.analyze(cleaned).label
        body = truncate(strip_urls(cleaned))
        lang = detect(body).lang
        if lang == JA:
            found = {(p, JA) for p in japanese_phrases(body)}
        elif lang == EN:
            found = {(p, EN) for p in english_phrases(body)}
        else:
            continue
        for key in found:
            count[key] += 1
            seen_in[key].add(n)
            first_seen.setdefault(key, n)
            if label == core.NEGATIVE:
                negative[key] += 1
            excerpt = _excerpt(cleaned, example_chars)
            if len(samples[key]) < examples and excerpt not in samples[key]:
                samples[key].append(excerpt)
    rows = [
        {
            "phrase": phrase,
            "lang": lang,
            "count": c,
            "negative_share": round(negative[(phrase, lang)] / c, 3),
            "examples": samples[(phrase, lang)],
        }
        for (phrase, lang), c in count.items()
        if c >= min_count
    ]
    rows.sort(key=lambda r: (-r["count"], -r["negative_share"], first_seen[(r["phrase"], r["lang"])]))
    rows = _fold_repeats(rows, seen_in)
    return rows[:limit] if limit else rows


def _fold_repeats(rows: list[dict], seen_in: dict[tuple[str, str], set[int]]) -> list[dict]:
    """A phrase whose comments all mention a phrase above it (準備 and 書類, スマホ and 写真: the same comments)
    is not a topic of its own: it joins that row as "also" instead of repeating the row below it."""
    kept: list[dict] = []
    for row in rows:
        comments = seen_in[(row["phrase"], row["lang"])]
        home = next((k for k in kept if k["lang"] == row["lang"]
                     and comments <= seen_in[(k["phrase"], k["lang"])]), None)
        if home is None:
            kept.append({**row, "also": []})
        else:
            home["also"].append(row["phrase"])
    return kept
