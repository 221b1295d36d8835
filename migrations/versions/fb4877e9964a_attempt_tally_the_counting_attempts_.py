"""Attempt tally: the counting attempts summed per task, outcome, SEQ and source; reports no longer scan attempts

Revision ID: fb4877e9964a
Revises: c2bdff5590f8
Create Date: 2026-11-26 23:41:10.782222

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fb4877e9964a'
down_revision = 'c2bdff5590f8'
branch_labels = None
depends_on = None

# The tally of the attempts as stored (civictest.counting._tally_query at this revision); 0 = no SEQ.
FILL = """
INSERT INTO attempt_tally (study_id, task_id, outcome, seq, source, n, n_timed, sum_seconds, sum_log_seconds,
                           sum_log_seconds_sq)
SELECT study_id, task_id, outcome, coalesce(effective_seq, 0), source, count(*), count(effective_seconds),
       coalesce(sum(effective_seconds), 0.0), coalesce(sum(effective_log_seconds), 0.0),
       coalesce(sum(effective_log_seconds * effective_log_seconds), 0.0)
FROM attempt WHERE counts = true
GROUP BY study_id, task_id, outcome, coalesce(effective_seq, 0), source
"""


def upgrade():
    op.create_table('attempt_tally',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('n_timed', sa.Integer(), nullable=False),
    sa.Column('sum_seconds', sa.Float(), nullable=False),
    sa.Column('sum_log_seconds', sa.Float(), nullable=False),
    sa.Column('sum_log_seconds_sq', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_attempt_tally_study_id_study')),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_attempt_tally_task_id_task')),
    sa.PrimaryKeyConstraint('study_id', 'task_id', 'outcome', 'seq', 'source', name=op.f('pk_attempt_tally'))
    )
    op.execute(FILL)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_report'))


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_report'), ['study_id', 'counts', 'task_id', 'outcome', 'effective_seq', 'source', 'effective_seconds', 'effective_log_seconds'], unique=False)

    op.drop_table('attempt_tally')
