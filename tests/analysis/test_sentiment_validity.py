"""Sentiment validity: figures hand-checked on small tables."""
import pandas as pd
import pytest

from civictest.analysis.sentiment_validity import sentiment_validity


def _frame(rows):  # noqa: ANN001, ANN202
    return pd.DataFrame(rows, columns=["inconvenient", "label", "n"])


def test_sentiment_that_tracks_outcomes_is_consistent():
    frame = _frame([(True, "negative", 18), (True, "neutral", 2), (False, "positive", 15), (False, "negative", 2),
                    (False, "neutral", 3), (True, "unscored", 4)])
    result = sentiment_validity(frame)
    # 18 of 20 scored comments on inconvenient attempts are negative; 2 of 20 on convenient ones.
    assert result["negative_among_inconvenient"]["completion_rate"] == pytest.approx(0.9)
    assert result["negative_among_convenient"]["completion_rate"] == pytest.approx(0.1)
    assert result["comparison"]["difference"] == pytest.approx(0.8)
    # agreement: (18 negative on bad + 15 positive on good) / 35 polar comments
    assert result["agreement"]["completion_rate"] == pytest.approx(33 / 35)
    assert result["unscored"] == 4 and result["consistent"] is True


def test_sentiment_unrelated_to_outcomes_is_not_consistent():
    frame = _frame([(True, "negative", 5), (True, "positive", 5), (False, "negative", 5), (False, "positive", 5)])
    result = sentiment_validity(frame)
    assert result["comparison"]["difference"] == pytest.approx(0.0)
    assert result["consistent"] is False and result["agreement"]["completion_rate"] == pytest.approx(0.5)


def test_no_comments_gives_nulls_not_zeros():
    result = sentiment_validity(_frame([]))
    assert result["negative_among_inconvenient"]["completion_rate"] is None
    assert result["comparison"] is None and result["consistent"] is False and result["unscored"] == 0
