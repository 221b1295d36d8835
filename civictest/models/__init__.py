"""Database models: columns, relationships and small invariants. No reports, no url_for."""
from civictest.models.booking import Booking, BookingSlot
from civictest.models.catalog import Department, Iteration, Service, Study, StudyTask, Task
from civictest.models.feedback import FeedbackResponse, FeedbackTally
from civictest.models.findings import Finding, FindingEvent, Tag
from civictest.models.mail import MailSuppression, OutgoingMail
from civictest.models.panel import (
    PanelIncentive, PanelInvitation, PanelMember, PanelMonthlyCount, PanelQuota, PanelRound, ScreenerQuestion,
)
from civictest.models.publication import PublishedSnapshot
from civictest.models.responses import (
    Attempt, AttemptTally, Comment, CommentTally, ParticipantTally, QuestionnaireResponse, QuestionnaireTally,
    SegmentTally,
)
from civictest.models.sessions import Participant, TestSession
from civictest.models.staff import AuditEvent, RecoveryCode, User
from civictest.models.surveys import (
    OrgUnit, RosterEntry, RosterUpload, Survey, SurveyAnswer, SurveyItem, SurveyResponse, SurveyTally, SurveyWave,
    SurveyWaveItem, SurveyWaveSnapshot,
)

__all__ = [
    "Attempt", "AttemptTally", "AuditEvent", "Booking", "BookingSlot", "Comment", "CommentTally", "Department", "FeedbackResponse", "FeedbackTally", "Finding", "FindingEvent", "Iteration",
    "MailSuppression", "OutgoingMail", "PanelIncentive", "PanelInvitation", "PanelMember", "PanelMonthlyCount", "PanelQuota", "PanelRound",
    "Participant", "ParticipantTally", "PublishedSnapshot", "QuestionnaireResponse", "QuestionnaireTally", "RecoveryCode", "ScreenerQuestion", "SegmentTally", "Service", "Study", "StudyTask",
    "Tag", "Task", "TestSession", "User",
    "OrgUnit", "RosterEntry", "RosterUpload", "Survey", "SurveyAnswer", "SurveyItem", "SurveyResponse", "SurveyTally", "SurveyWave", "SurveyWaveItem", "SurveyWaveSnapshot",
]
