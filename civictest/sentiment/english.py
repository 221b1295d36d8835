"""English analyzer: TextBlob's PatternAnalyzer polarity (offline) plus a civic-UX domain lexicon.

TextBlob's general lexicon misses the expressions that carry the sentiment of service feedback
("couldn't log in", "timed out", "never arrived", "saved me a trip"), and scores a few domain words
that are neutral here ("bulky waste", "first time", "available"). The domain rules are applied per
clause, with negation, contrast (the clause after "but"/"however" weighs more) and dampening of
requests and questions.
"""
from __future__ import annotations

import math
import re
from importlib import metadata

from . import symbols

EN_LEXICON_VERSION = "1"
NAME = "textblob-civic"

try:
    _TEXTBLOB_VERSION = metadata.version("textblob")
except metadata.PackageNotFoundError:  # pragma: no cover - reported by the loader
    _TEXTBLOB_VERSION = "missing"

VERSION = f"{_TEXTBLOB_VERSION}+en{EN_LEXICON_VERSION}"
ANALYZER_ID = f"{NAME}@{VERSION}"

# Words TextBlob scores that are neutral in this register (removed before TextBlob sees the clause).
_TB_NEUTRAL = re.compile(
    r"\b(?:first|new|old|full|available|honestly|many|large|only|last|next|second|foreign|real|just|"
    r"long|public|free|little|certain|main|whole|bulky waste|waste (?:collection|pickup|pick-up|fee|bin)s?|"
    r"general|special|social|national|local|private|please|kind of|sort of|okay|ok|alright|all right)\b",
    re.I,
)

# Contrast: the clause after these is the main point.
_CONTRAST_AFTER = re.compile(r"(?:,|;)?\s*\b(?:but|however|though|except that|shame|pity|unfortunately|sadly)\b[,]?\s*", re.I)
# Concessive subordinate clauses: "although X, Y" -> X weighs less.
_CONCESSIVE = re.compile(r"^\s*(?:although|though|even though|even if|while|despite)\b", re.I)
_SUMMARY = re.compile(r"^\s*(?:overall|all in all|in general|in the end|in short|to sum up|all things considered)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")

_REQUEST = re.compile(
    r"\b(?:please|could you|can you|would you|it would be (?:nice|good|great|helpful|better)|"
    r"it'd be (?:nice|good|great|helpful|better)|would be (?:nice|good|great|helpful|better) (?:to|if)|"
    r"i wish|i'd like|i would like|i hope|should (?:add|have|be|include|allow)|would appreciate|"
    r"(?:i|we) (?:suggest|request|recommend)|my (?:suggestion|request)|consider adding|make it possible)\b",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(?:is|are|can|could|do|does|did|will|would|how|what|when|where|which|who|why|should|may)\b", re.I
)

_NEG = r"(?:\bnot|n't|\bnever|\bno|\bhardly|\bbarely|\bnothing|\bwithout)"

# (pattern, weight, negatable). Applied in order; each match masks its span so that later,
# more general patterns do not count it again. Patterns run on lower-cased text with ’ -> '.
_RULES: list[tuple[re.Pattern, float, bool]] = []


def _rule(pattern: str, weight: float, negatable: bool = False) -> None:
    _RULES.append((re.compile(pattern), weight, negatable))


# -- sarcasm and counterfactual complaints
_rule(r"\bthanks? (?:you )?for nothing\b", -1.5)
_rule(r"^(?:great|wonderful|fantastic|perfect|brilliant|lovely|nice)[,!.]+ (?:another|now|yet|so|just)\b", -1.2)
_rule(r"\bwould(?: have|'ve) been (?:faster|quicker|easier|better|simpler)\b", -1.0)
_rule(r"\b(?:should|could) have (?:said|told|mentioned|warned|explained|been)\b", -0.7)
_rule(r"\bnot (?:what|how) (?:i|you|anyone|most people) (?:would|'d|could) (?:call|describe)\b", -1.2)
_rule(r"\b(?:impossible|hard|difficult|tough) to (?:get lost|go wrong|make (?:a )?mistakes?|miss|mess up|get (?:it )?wrong)\b", 1.2)
_rule(r"\b(?:easier|simpler|faster|quicker|smoother|clearer|better|shorter) than (?:i|we|expected|anticipated|i'd|before|last time)\b", 1.0)
_rule(r"\b(?:took|takes|taking|in|within) (?:me |us )?(?:less than|under|only|just|barely) (?:\w+ )?(?:minutes?|seconds?|mins?)\b", 0.8)
_rule(r"\b(?:took|takes|taking|waited|wait(?:ing)?) (?:me |us )?(?:over|more than|almost|nearly|at least|ages|forever|hours|days|weeks|an hour|a week)\b", -0.8)
_rule(r"\b(?:404|page not found|not found|server error|internal error|something went wrong|service unavailable|"
      r"under maintenance|access denied|forbidden)\b", -1.0)
# -- absence of problems (positive; before the problem words themselves)
_rule(r"\b(?:no|without(?: any)?|never had (?:a|any)|zero|not a single|didn't have any|did not have any) "
      r"(?:problems?|issues?|errors?|trouble|troubles|hassle|glitch(?:es)?|bugs?|complaints?|difficult(?:y|ies)|waiting|queu\w*|wait)\b", 1.0)
_rule(r"\bwithout (?:having to |needing to )?(?:going|go|visiting|calling|printing|waiting|queu\w*|taking (?:a|time)|leaving)\b", 0.8)
_rule(r"\b(?:no need to|didn't need (?:to|the|a|any)|did not need (?:to|the|a|any)|didn't have to|did not have to|"
      r"don't have to|do not have to|no longer have to)\b", 0.7)
# -- failures of online services
_rule(r"\b(?:can ?not|can't|couldn't|could not|unable to|wasn't able to|was not able to|weren't able to|"
      r"won't let me|wouldn't let me|doesn't let me|didn't let me|not able to|impossible to)\b", -1.0)
_rule(r"\b(?:doesn't|does not|didn't|did not|don't|do not|won't|will not|wouldn't|isn't|is not|wasn't|was not|aren't|"
      r"are not|weren't|never) (?:\w+ )?(?:work|load|open|accept|save|respond|show|display|recogni[sz]e|go through|upload|"
      r"submit|include|tell|say|explain|allow|support|arrive|come|appear|update|match|send|reach|connect|let|print)\w*\b", -1.0)
_rule(r"\b(?:not|never) (?:\w+ )?(?:working|loading|recogni[sz]ed|accepted|arrived|received|found|available|eligible|"
      r"responding|sent|saved|updated|clear|explained|shown|listed|possible)\b", -1.0)
_rule(r"\b(?:never|still|haven't|have not|hasn't|has not|didn't|did not|still haven't|still have not|still hasn't|"
      r"still has not|still didn't|still no)(?: yet)? ?(?:received|got|gotten|heard|arrived|came|come)\b", -1.0)
_rule(r"\bnone of (?:them|these|those|the \w+|it)\b", -0.8)
_rule(r"\b(?:don't|do not|didn't|did not|still don't|no) (?:know|idea) (?:whether|if|what|how|where|which|why|when)\b", -0.8)
_rule(r"\bspent (?:an hour|hours|ages|forever|the whole|all (?:day|morning|afternoon|evening)|\d+ (?:minutes|hours))\b", -0.6)
_rule(r"\b(?:shame|pity|unfortunately|sadly|regrettabl\w*)\b", -0.6)
_rule(r"\bno (?:way|option|button|field|explanation|reply|response|answer|confirmation|feedback|help|information|info|"
      r"instructions?|guidance|english|translation|idea)\b", -0.8)
_rule(r"\b(?:nobody|no one|no-one) (?:answered|replied|responded|picked up|called|helped|knew)\b", -1.0)
_rule(r"\b(?:time[ds]? ?out|timing out|timeouts?|timed-out|crash\w*|froze|freez\w*|frozen|hangs|hung|stuck|"
      r"broken|broke|bugs?|buggy|glitch\w*|errors?|fail\w*|expired|reject\w*|disconnected|kicked (?:me )?out|"
      r"logged (?:me )?out|log(?:ged)? out|lost (?:everything|all|my|the)|gave up|give up|giving up|"
      r"start(?:ed)? over|from scratch|over and over|again and again|twice|three times|four times|"
      r"several times|multiple times|many times|every time|each time|still waiting|waited|waiting for|"
      r"charged|overcharged|went down|is down|was down|been down|dead link|is dead|blank page|blank screen|"
      r"ended up|had to (?:ask|call|go|visit|start|enter|re-?enter|type|print|mail|post|wait|log|redo|do it)|"
      r"needed (?:my|someone|somebody|a)\w* help|keeps? (?:asking|rejecting|crashing|failing|freezing|"
      r"logging|timing|saying|showing|giving|reloading)|(?:does|did) nothing)\b", -0.8)
_rule(r"\b(?:too|way too|overly) (?:many|much|slow|long|small|tiny|complicated|complex|hard|difficult|"
      r"confusing|strict|short|late|hidden|vague|technical|expensive|large|big)\b", -0.9)
_rule(r"\b(?:nightmare|hassle|waste of (?:time|money)|wasted|jargon|headache|mess|disappoint\w*|frustrat\w*|"
      r"annoy\w*|ridiculous|useless|unhelpful|unclear|unusable|unreadable|unresponsive|invalid|inconvenient|"
      r"unfriendly|unintuitive|incomprehensible|illegible|pointless|misleading|outdated)\b", -0.8)
_rule(r"\b(?:confus\w*|vague|tiny|painful|impossible|cumbersome|clunky|tedious|slow|sluggish|laggy|"
      r"hard to|difficult to|awkward|messy|chaotic|glitchy|worse|worst|horrible|awful|terrible|poor|bad|rude|"
      r"stress(?:ful|ed)|upset|angry|furious|complicated|complex|difficult)\b", -0.8, True)
# -- positive experiences
_rule(r"\b(?:thank(?:s| you)|thx|appreciat\w*|grateful|lifesaver|life saver|life-saver|saved me|saves me|"
      r"saved (?:a|so|lots|me)|straightforward|painless|hassle[- ]free|stress[- ]free|smooth(?:ly)?|seamless\w*|"
      r"intuitive|user[- ]friendly|convenient|conveniently|helpful|handy|reassur\w*|efficient|quick(?:ly|er)?|"
      r"fast(?:er)?|easy|easier|easily|simple|simpler|simply|clear(?:ly)?|clearer|smoother|in (?:a )?(?:few )?minutes|within minutes|"
      r"right away|immediately|instantly|in no time|brilliant|well done|good job|great job|nice work|"
      r"works? (?:well|great|fine|perfectly)|worked (?:well|great|fine|perfectly|like a charm|first time)|"
      r"(?:that|it) works|improve(?:d|ment)|satisf\w*|glad|pleased|impress\w*|i (?:really )?(?:like|liked|enjoy(?:ed)?))\b", 0.6, True)

_NEGATED = re.compile(_NEG + r"(?:\s+\w+){0,2}\s*$")  # a negator up to two words before
_WS = re.compile(r"\s+")


def _domain_score(clause: str) -> float:
    """Sum of domain-rule weights for one lower-cased clause."""
    work = clause
    total = 0.0
    for pattern, weight, negatable in _RULES:
        if not pattern.search(work):
            continue
        pieces = []
        last = 0
        for m in pattern.finditer(work):
            w = weight
            if negatable:
                before = work[max(0, m.start() - 30):m.start()]
                if _NEGATED.search(before):
                    w = -1.2 * w if w > 0 else -0.8 * w
            total += w
            pieces.append(work[last:m.start()])
            pieces.append(" " * (m.end() - m.start()))
            last = m.end()
        pieces.append(work[last:])
        work = "".join(pieces)
    return total


class EnglishAnalyzer:
    """Thread-safe after construction (TextBlob's lexicon is loaded eagerly in ``__init__``)."""

    name = ANALYZER_ID
    neutral_band = 0.05

    def __init__(self) -> None:
        from textblob.en import sentiment as pattern_sentiment  # no NLTK data needed

        self._pattern = pattern_sentiment
        self._pattern("good")  # force the lazy lexicon load now, under the caller's lock

    def _textblob(self, clause: str) -> float:
        text = _TB_NEUTRAL.sub(" ", clause)
        if not text.strip():
            return 0.0
        polarity = float(self._pattern(text)[0])
        return polarity if abs(polarity) >= 0.12 else 0.0  # "carefully" -0.1, "clear" 0.1: noise

    def clause_score(self, clause: str) -> float:
        """Raw (unsquashed) evidence of one clause: TextBlob polarity + domain rules, with request/question dampening."""
        low = clause.lower().replace("’", "'").replace("‘", "'")
        raw_tb = self._textblob(clause)
        dom = _domain_score(low)
        pos = max(raw_tb, 0.0) + max(dom, 0.0) * 0.8
        neg = min(raw_tb, 0.0) + min(dom, 0.0) * 0.8
        if _REQUEST.search(low):
            pos *= 0.0
            neg *= 0.5
        if low.rstrip().endswith("?") or (_QUESTION_START.match(low) and "?" in low):
            pos *= 0.3
            neg *= 0.4
        p, n = symbols.emoji_counts(clause)
        return pos + neg + 0.7 * (min(p, 2) - min(n, 2))

    def evidence(self, text: str) -> float:
        """Weighted sum of clause scores over the comment."""
        total = 0.0
        for sentence in _SENTENCE.split(text):
            if not sentence.strip():
                continue
            summary = 2.0 if _SUMMARY.match(sentence) else 1.0
            parts = _CONTRAST_AFTER.split(sentence)
            n = len(parts)
            for i, part in enumerate(parts):
                if not part.strip():
                    continue
                weight = 1.0
                if n > 1:
                    weight = 1.5 if i == n - 1 else 0.6
                weight *= summary
                if _CONCESSIVE.match(part) and "," in part:
                    sub, main = part.split(",", 1)
                    total += weight * (0.5 * self.clause_score(sub) + 1.2 * self.clause_score(main))
                    continue
                total += weight * self.clause_score(part)
        return total

    #: Net evidence below this is too weak to call.
    min_evidence = 0.1

    def score(self, text: str) -> float:
        """Score in [-1, 1]: tanh of the evidence, kept inside the neutral band when the evidence is weak."""
        rating = symbols.star_rating(text)
        ev = self.evidence(text)
        if rating is not None:
            ev += 2.0 * (rating - 3.0) / 2.0
        score = math.tanh(ev)
        if abs(ev) < self.min_evidence:
            score = max(-self.neutral_band, min(self.neutral_band, score))
        return score


def load() -> EnglishAnalyzer:
    """Build the English analyzer (raises when TextBlob is unavailable)."""
    return EnglishAnalyzer()
