"""Segment, participant, comment and questionnaire tallies: what segments, maps, sentiment and questionnaire
figures read instead of every attempt, comment or questionnaire; the newest comments of a study by index

Revision ID: 5d1e7a3c9b20
Revises: fb4877e9964a
Create Date: 2026-12-05 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e7a3c9b20'
down_revision = 'fb4877e9964a'
branch_labels = None
depends_on = None

# segment name -> participant column (civictest.reporting.vocabulary.SEGMENTS at this revision)
SEGMENTS = {"age_band": "age_band", "municipality": "municipality_code", "device": "device",
            "assistive_technology": "assistive_technology", "online_frequency": "online_frequency"}

# The tallies of the rows as stored (civictest.profile_tallies at this revision); '' = no answer.
FILL_SEGMENTS = """
INSERT INTO segment_tally (study_id, segment, value, task_id, outcome, hard, n)
SELECT a.study_id, '{segment}', coalesce(p.{column}, ''), a.task_id, a.outcome,
       CASE WHEN a.effective_seq IS NOT NULL AND a.effective_seq <= 4 THEN true ELSE false END, count(*)
FROM attempt a JOIN participant p ON p.id = a.participant_id
WHERE a.counts = true
GROUP BY a.study_id, coalesce(p.{column}, ''), a.task_id, a.outcome,
         CASE WHEN a.effective_seq IS NOT NULL AND a.effective_seq <= 4 THEN true ELSE false END
"""
FILL_PARTICIPANTS = """
INSERT INTO participant_tally (study_id, segment, value, n)
SELECT s.study_id, '{segment}', coalesce(p.{column}, ''), count(*)
FROM participant p JOIN test_session s ON s.id = p.session_id
WHERE p.withdrawn = false AND s.excluded = false
GROUP BY s.study_id, coalesce(p.{column}, '')
"""

FILL_COMMENTS = """
INSERT INTO comment_tally (study_id, task_id, kind, label, analyzer, state, n)
SELECT c.study_id, coalesce(c.task_id, 0), c.kind, coalesce(c.sentiment_label, 'unscored'), coalesce(c.analyzer, ''),
       CASE WHEN a.id IS NULL OR a.outcome = 'not_attempted' THEN ''
            WHEN a.outcome != 'success' OR a.seq <= 4 THEN 'inconvenient' ELSE 'convenient' END, count(*)
FROM comment c JOIN participant p ON p.id = c.participant_id
JOIN test_session s ON s.id = p.session_id AND s.excluded = false AND p.withdrawn = false
LEFT OUTER JOIN attempt a ON a.id = c.attempt_id
GROUP BY c.study_id, coalesce(c.task_id, 0), c.kind, coalesce(c.sentiment_label, 'unscored'), coalesce(c.analyzer, ''),
         CASE WHEN a.id IS NULL OR a.outcome = 'not_attempted' THEN ''
              WHEN a.outcome != 'success' OR a.seq <= 4 THEN 'inconvenient' ELSE 'convenient' END
"""
FILL_QUESTIONNAIRES = """
INSERT INTO questionnaire_tally (study_id, kind, score, n)
SELECT q.study_id, q.kind, coalesce(q.score, -1.0), count(*)
FROM questionnaire_response q JOIN participant p ON p.id = q.participant_id
JOIN test_session s ON s.id = p.session_id AND s.excluded = false AND p.withdrawn = false
GROUP BY q.study_id, q.kind, coalesce(q.score, -1.0)
"""


def upgrade():
    op.create_table('segment_tally',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('hard', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_segment_tally_study_id_study')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_segment_tally_task_id_task')),
    sa.PrimaryKeyConstraint('study_id', 'segment', 'value', 'task_id', 'outcome', 'hard',
                            name=op.f('pk_segment_tally'))
    )
    op.create_table('participant_tally',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_participant_tally_study_id_study')),
    sa.PrimaryKeyConstraint('study_id', 'segment', 'value', name=op.f('pk_participant_tally'))
    )
    op.create_table('comment_tally',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=10), nullable=False),
    sa.Column('analyzer', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_comment_tally_study_id_study')),
    sa.PrimaryKeyConstraint('study_id', 'task_id', 'kind', 'label', 'analyzer', 'state', name=op.f('pk_comment_tally'))
    )
    op.create_table('questionnaire_tally',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_questionnaire_tally_study_id_study')),
    sa.PrimaryKeyConstraint('study_id', 'kind', 'score', name=op.f('pk_questionnaire_tally'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_study_newest', ['study_id', 'id'], unique=False)
    for segment, column in SEGMENTS.items():
        op.execute(FILL_SEGMENTS.format(segment=segment, column=column))
        op.execute(FILL_PARTICIPANTS.format(segment=segment, column=column))
    op.execute(FILL_COMMENTS)
    op.execute(FILL_QUESTIONNAIRES)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_study_newest')
    op.drop_table('questionnaire_tally')
    op.drop_table('comment_tally')
    op.drop_table('participant_tally')
    op.drop_table('segment_tally')
