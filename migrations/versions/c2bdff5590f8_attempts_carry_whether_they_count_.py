"""Attempts carry whether they count; questionnaires their study; covering report indexes

Revision ID: c2bdff5590f8
Revises: badde53cc3da
Create Date: 2026-11-26 17:47:41.143171

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2bdff5590f8'
down_revision = 'badde53cc3da'
branch_labels = None
depends_on = None


# The rule of civictest.counting as it stood at this revision, to fill the new columns of existing rows.
COUNTS = """
UPDATE attempt SET
  counts = (outcome <> 'not_attempted'
    AND NOT (source = 'self' AND EXISTS (
      SELECT 1 FROM attempt AS other WHERE other.participant_id = attempt.participant_id
        AND other.task_id = attempt.task_id AND other.source = 'observer'))
    AND EXISTS (
      SELECT 1 FROM participant JOIN test_session ON test_session.id = participant.session_id
      WHERE participant.id = attempt.participant_id AND participant.withdrawn = false
        AND test_session.excluded = false)),
  effective_seq = CASE WHEN source = 'observer' AND seq IS NULL THEN (
      SELECT other.seq FROM attempt AS other WHERE other.participant_id = attempt.participant_id
        AND other.task_id = attempt.task_id AND other.source = 'self') ELSE seq END,
  effective_seconds = CASE WHEN source = 'observer' AND seconds IS NULL THEN (
      SELECT other.seconds FROM attempt AS other WHERE other.participant_id = attempt.participant_id
        AND other.task_id = attempt.task_id AND other.source = 'self') ELSE seconds END
"""
LOGS = "UPDATE attempt SET effective_log_seconds = ln(effective_seconds) WHERE effective_seconds IS NOT NULL"
STUDIES = """
UPDATE questionnaire_response SET study_id = (
  SELECT test_session.study_id FROM participant JOIN test_session ON test_session.id = participant.session_id
  WHERE participant.id = questionnaire_response.participant_id)
"""


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counts', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('effective_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('effective_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('effective_log_seconds', sa.Float(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_attempt_report'))
    op.execute(COUNTS)
    op.execute(LOGS)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_report', ['study_id', 'counts', 'task_id', 'outcome', 'effective_seq', 'source', 'effective_seconds', 'effective_log_seconds'], unique=False)
        batch_op.create_index('ix_attempt_times', ['study_id', 'counts', 'task_id', 'effective_seconds', 'outcome'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_study_task'))
        batch_op.create_index('ix_comment_study_task', ['study_id', 'task_id', 'kind', 'sentiment_label', 'analyzer'], unique=False)

    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('study_id', sa.Integer(), nullable=True))
    op.execute(STUDIES)
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.alter_column('study_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_questionnaire_response_scores', ['study_id', 'kind', 'score'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_questionnaire_response_study_id_study'), 'study', ['study_id'], ['id'])


def downgrade():
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_questionnaire_response_study_id_study'), type_='foreignkey')
        batch_op.drop_index('ix_questionnaire_response_scores')
        batch_op.drop_column('study_id')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_study_task')
        batch_op.create_index(batch_op.f('ix_comment_study_task'), ['study_id', 'task_id'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_times')
        batch_op.drop_index('ix_attempt_report')
        batch_op.create_index(batch_op.f('ix_attempt_report'), ['study_id', 'task_id', 'outcome', 'seq', 'source', 'participant_id'], unique=False)
        batch_op.drop_column('effective_log_seconds')
        batch_op.drop_column('effective_seconds')
        batch_op.drop_column('effective_seq')
        batch_op.drop_column('counts')

