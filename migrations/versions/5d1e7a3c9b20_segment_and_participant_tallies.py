"""Segment and participant tallies: counting attempts and participants per profile answer, so that segments and
maps no longer join every attempt to its participant

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
    for segment, column in SEGMENTS.items():
        op.execute(FILL_SEGMENTS.format(segment=segment, column=column))
        op.execute(FILL_PARTICIPANTS.format(segment=segment, column=column))


def downgrade():
    op.drop_table('participant_tally')
    op.drop_table('segment_tally')
