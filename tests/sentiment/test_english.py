"""Rules of the English analyzer (TextBlob + domain lexicon)."""
import pytest

from civictest.sentiment import analyze


def label(text):
    result = analyze(text)
    assert result.lang == "en", result
    assert result.analyzer.startswith("textblob-civic@"), result
    return result.label


@pytest.mark.parametrize("text", [
    "I couldn't log in.",
    "The page timed out twice.",
    "The verification email never arrived.",
    "Upload doesn't work on Android.",
    "The app crashed and I lost my draft.",
    "I had to start over.",
    "Way too many steps.",
    "Nobody answered the phone.",
    "I still haven't received my certificate.",
])
def test_failures_are_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize("text, expected", [
    ("Not bad at all.", "positive"),
    ("It is not user-friendly.", "negative"),
    ("I wouldn't call it intuitive.", "negative"),
    ("No problems with the upload.", "positive"),
    ("Done without going to the ward office.", "positive"),
])
def test_negation(text, expected):
    assert label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The layout is nice, but the form rejected my postcode.", "negative"),
    ("It was a bit slow, but overall I'm satisfied.", "positive"),
    ("Although loading took a while, the process was smooth.", "positive"),
])
def test_contrast(text, expected):
    assert label(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Please add a Chinese version.", "neutral"),
    ("It would be great to have a progress bar.", "neutral"),
    ("Is the site available on Sundays?", "neutral"),
    ("Can I pay the bulky waste fee online?", "neutral"),
    ("Thank you, this saved me a trip.", "positive"),
    ("Thanks for nothing.", "negative"),
    ("Going to the counter would have been faster.", "negative"),
])
def test_requests_questions_sarcasm(text, expected):
    assert label(text) == expected
