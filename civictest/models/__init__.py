"""Database models: columns, relationships and small invariants. No reports, no url_for."""
from civictest.models.catalog import Department, Iteration, Service, Study, StudyTask, Task
from civictest.models.findings import Finding, FindingEvent, Tag
from civictest.models.mail import MailSuppression, OutgoingMail
from civictest.models.publication import PublishedSnapshot
from civictest.models.responses import (
    Attempt, AttemptTally, Comment, CommentTally, ParticipantTally, QuestionnaireResponse, QuestionnaireTally,
    SegmentTally,
)
from civictest.models.sessions import Participant, TestSession
from civictest.models.staff import AuditEvent, User
from civictest.models.surveys import (
    OrgUnit, RosterEntry, Survey, SurveyAnswer, SurveyItem, SurveyResponse, SurveyWave, SurveyWaveItem,
    SurveyWaveSnapshot,
)

__all__ = [
    "Attempt", "AttemptTally", "AuditEvent", "Comment", "CommentTally", "Department", "Finding", "FindingEvent", "Iteration",
    "MailSuppression", "OutgoingMail", "Participant", "ParticipantTally", "PublishedSnapshot", "QuestionnaireResponse", "QuestionnaireTally", "SegmentTally", "Service", "Study", "StudyTask",
    "Tag", "Task", "TestSession", "User",
    "OrgUnit", "RosterEntry", "Survey", "SurveyAnswer", "SurveyItem", "SurveyResponse", "SurveyWave", "SurveyWaveItem", "SurveyWaveSnapshot",
]
