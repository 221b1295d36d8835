"""The words of every rule the figures follow, in one place (pure: no Flask, no database).

Codes are what the database, the API and the exports store; labels are the Japanese source strings that pages
and files translate (marked with N_ so that pybabel extracts them; translate them where they are shown).
Which participants and attempts count is decided in civictest.counting with these names; what makes an attempt
inconvenient is METRICS 13 (civictest.analysis.metrics.is_inconvenient), whose threshold is here.
"""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional name pybabel extracts
    """Mark a string for translation without translating it here."""
    return message


# ---------------------------------------------------------------- attempts
SUCCESS, PARTIAL, FAILURE, ABANDONED, NOT_ATTEMPTED = "success", "partial", "failure", "abandoned", "not_attempted"
# Outcomes of an attempt that counts (not_attempted never counts: the task was not tried, e.g. the device broke).
ATTEMPTED_OUTCOMES = (SUCCESS, PARTIAL, FAILURE, ABANDONED)
OUTCOMES = (*ATTEMPTED_OUTCOMES, NOT_ATTEMPTED)  # every outcome the database accepts
OUTCOME_LABELS = {
    SUCCESS: N_("できた"),
    PARTIAL: N_("難しかったができた"),
    FAILURE: N_("できなかった"),
    ABANDONED: N_("あきらめた"),
    NOT_ATTEMPTED: N_("実施しなかった"),
}

SELF, OBSERVER = "self", "observer"  # who recorded an attempt: the resident, or a facilitator watching
SOURCES = (SELF, OBSERVER)
SOURCE_LABELS = {SELF: N_("本人"), OBSERVER: N_("観察者")}

SEQ_MIN, SEQ_MAX = 1, 7
# METRICS 13: an attempt is inconvenient when its outcome is not success or its SEQ rating is this or lower.
SEQ_HARD_MAX = 4
NO_RATING = 0  # the tallies' SEQ key for attempts without a rating (SQL unique keys cannot hold NULL)

# ---------------------------------------------------------------- comments
SENTIMENT_LABELS = ("positive", "neutral", "negative", "unscored")
SCORED_SENTIMENTS = ("positive", "neutral", "negative")
# Comment.kind: about one task, about the whole service (with the questionnaire), a facilitator's note
TASK_COMMENT, OVERALL_COMMENT, OBSERVER_NOTE = "task", "overall", "observer"
UNSCORED = "unscored"
# CommentTally.state: what the attempt a comment is about says (METRICS 13), for the sentiment validity check
INCONVENIENT, CONVENIENT, NO_ATTEMPT = "inconvenient", "convenient", ""
NO_SCORE = -1.0  # QuestionnaireTally.score of a questionnaire without a valid score

# ---------------------------------------------------------------- residents' profile segments
# segment name -> Participant column; the order is the order pages show them in.
SEGMENTS = {"age_band": "age_band", "municipality": "municipality_code", "device": "device",
            "assistive_technology": "assistive_technology", "online_frequency": "online_frequency"}
# Sensitive (disability-related) segments: shown only once every session of the iteration is closed, since
# two readings a resident apart would otherwise reveal that resident's answer (reporting.figures.Figures.segments).
SENSITIVE_SEGMENTS = ("assistive_technology",)
UNKNOWN = "unknown"  # a profile question left unanswered, as figures and files name it

# ---------------------------------------------------------------- findings
FINDING_STATUSES = ("new", "triaged", "planned", "fixed", "verified", "wont_fix")
OPEN_FINDING_STATUSES = ("new", "triaged", "planned")  # still to be fixed
AWAITING_VERIFICATION = ("fixed",)  # fixed, until the next round's figures confirm it
UNRESOLVED_FINDING_STATUSES = OPEN_FINDING_STATUSES + AWAITING_VERIFICATION
PUBLIC_FINDING_STATUSES = ("fixed", "verified")  # what the public "you said, we did" page may show
SEVERITIES = (4, 3, 2, 1)  # most severe first
