"""Live-service feedback (issue 16, branch feedback): anonymous answers attributed to a service's live iteration,
and their tally per iteration, rating and task_done (kept by civictest.services.feedback)

New tables only: nothing to fill from existing rows.

Revision ID: a05d2ab4160b
Revises: 5d7238d47ac1
Create Date: 2026-12-05 23:49:53.406303

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a05d2ab4160b'
down_revision = '5d7238d47ac1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('task_done', sa.String(length=10), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('redactions', sa.String(length=200), nullable=False),
    sa.Column('sentiment_label', sa.String(length=10), nullable=True),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('received_week', sa.Date(), nullable=False),
    sa.CheckConstraint("lang IN ('ja', 'en')", name=op.f('ck_feedback_response_lang_kind')),
    sa.CheckConstraint("task_done IS NULL OR task_done IN ('yes', 'partly', 'no')", name=op.f('ck_feedback_response_task_done_kind')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_response_rating_range')),
    sa.ForeignKeyConstraint(['iteration_id'], ['iteration.id'], name=op.f('fk_feedback_response_iteration_id_iteration')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_feedback_response_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_iteration_id'), ['iteration_id'], unique=False)
        batch_op.create_index('ix_feedback_service_newest', ['service_id', 'id'], unique=False)

    op.create_table('feedback_tally',
    sa.Column('iteration_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('task_done', sa.String(length=10), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('with_comment', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['iteration_id'], ['iteration.id'], name=op.f('fk_feedback_tally_iteration_id_iteration')),
    sa.PrimaryKeyConstraint('iteration_id', 'rating', 'task_done', name=op.f('pk_feedback_tally'))
    )


def downgrade():
    op.drop_table('feedback_tally')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_service_newest')
        batch_op.drop_index(batch_op.f('ix_feedback_response_iteration_id'))

    op.drop_table('feedback_response')
