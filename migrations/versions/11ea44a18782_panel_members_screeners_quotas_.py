"""Panel (issue 15): members with double opt-in, screener questions and quotas per study, invitation rounds
and invitations with hashed personal-link tokens, joins and leaves counted per month, the incentives ledger.

Revision ID: 11ea44a18782
Revises: 354777cbe0e2
Create Date: 2026-12-05 23:47:20.560523

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '11ea44a18782'
down_revision = '354777cbe0e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('panel_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('link_nonce', sa.String(length=32), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('age_band', sa.String(length=20), nullable=True),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('device', sa.String(length=20), nullable=True),
    sa.Column('assistive_consent', sa.Boolean(), nullable=False),
    sa.Column('assistive_technology', sa.String(length=20), nullable=True),
    sa.Column('online_frequency', sa.String(length=20), nullable=True),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('availability', sa.String(length=200), nullable=False),
    sa.Column('last_tested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('ja', 'en')", name=op.f('ck_panel_member_language')),
    sa.CheckConstraint("status IN ('pending', 'active', 'left')", name=op.f('ck_panel_member_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_member')),
    sa.UniqueConstraint('email', name=op.f('uq_panel_member_email'))
    )
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.create_index('ix_panel_member_status_last_tested', ['status', 'last_tested_at'], unique=False)

    op.create_table('panel_monthly_count',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('joins', sa.Integer(), nullable=False),
    sa.Column('leaves', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_panel_monthly_count'))
    )
    op.create_table('panel_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('cell_key', sa.String(length=300), nullable=False),
    sa.Column('cell', sa.JSON(), nullable=False),
    sa.Column('target_count', sa.Integer(), nullable=True),
    sa.Column('target_share', sa.Float(), nullable=True),
    sa.CheckConstraint('(target_count IS NULL) <> (target_share IS NULL)', name=op.f('ck_panel_quota_one_target')),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_panel_quota_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_quota')),
    sa.UniqueConstraint('study_id', 'cell_key', name=op.f('uq_panel_quota_study_id_cell_key'))
    )
    with op.batch_alter_table('panel_quota', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_quota_study_id'), ['study_id'], unique=False)

    op.create_table('screener_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text_ja', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.String(length=300), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('eligible', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple')", name=op.f('ck_screener_question_kind')),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], name=op.f('fk_screener_question_study_id_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screener_question')),
    sa.UniqueConstraint('study_id', 'position', name=op.f('uq_screener_question_study_id_position'))
    )
    with op.batch_alter_table('screener_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screener_question_study_id'), ['study_id'], unique=False)

    op.create_table('panel_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('requested', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['test_session.id'], name=op.f('fk_panel_round_session_id_test_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_round'))
    )
    with op.batch_alter_table('panel_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_round_session_id'), ['session_id'], unique=False)

    op.create_table('panel_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('cell_key', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('screener_answers', sa.JSON(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'sent', 'joined', 'finished', 'screened_out')", name=op.f('ck_panel_invitation_state')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_panel_invitation_member_id_panel_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_panel_invitation_participant_id_participant')),
    sa.ForeignKeyConstraint(['round_id'], ['panel_round.id'], name=op.f('fk_panel_invitation_round_id_panel_round')),
    sa.ForeignKeyConstraint(['session_id'], ['test_session.id'], name=op.f('fk_panel_invitation_session_id_test_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_invitation')),
    sa.UniqueConstraint('member_id', 'session_id', name=op.f('uq_panel_invitation_member_id_session_id')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_panel_invitation_participant_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_panel_invitation_token_hash'))
    )
    with op.batch_alter_table('panel_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_invitation_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitation_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_invitation_session_id'), ['session_id'], unique=False)
    op.create_table('panel_incentive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount_yen', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_yen >= 0', name=op.f('ck_panel_incentive_amount_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_panel_incentive_member_id_panel_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_panel_incentive_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['test_session.id'], name=op.f('fk_panel_incentive_session_id_test_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_incentive')),
    sa.UniqueConstraint('member_id', 'session_id', name=op.f('uq_panel_incentive_member_id_session_id'))
    )
    with op.batch_alter_table('panel_incentive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_incentive_given_on'), ['given_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_incentive_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_incentive_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('panel_incentive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_incentive_session_id'))
        batch_op.drop_index(batch_op.f('ix_panel_incentive_member_id'))
        batch_op.drop_index(batch_op.f('ix_panel_incentive_given_on'))

    op.drop_table('panel_incentive')

    with op.batch_alter_table('panel_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_invitation_session_id'))
        batch_op.drop_index(batch_op.f('ix_panel_invitation_round_id'))
        batch_op.drop_index(batch_op.f('ix_panel_invitation_member_id'))

    op.drop_table('panel_invitation')
    with op.batch_alter_table('panel_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_round_session_id'))

    op.drop_table('panel_round')
    with op.batch_alter_table('screener_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screener_question_study_id'))

    op.drop_table('screener_question')
    with op.batch_alter_table('panel_quota', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_quota_study_id'))

    op.drop_table('panel_quota')
    op.drop_table('panel_monthly_count')
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_member_status_last_tested')

    op.drop_table('panel_member')
