"""mail: outgoing_mail (one row per message, its delivery state) and mail_suppression (addresses that
bounced or unsubscribed, kept as SHA-256)

Revision ID: 354777cbe0e2
Revises: 089bc5065117
Create Date: 2026-12-05 23:51:19.867254

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '354777cbe0e2'
down_revision = '089bc5065117'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_suppression',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('bounce', 'unsubscribe')", name=op.f('ck_mail_suppression_reason')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_suppression')),
    sa.UniqueConstraint('address_hash', name=op.f('uq_mail_suppression_address_hash'))
    )
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('unsubscribe_url', sa.String(length=2000), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'retry', 'sent', 'failed', 'bounced', 'suppressed')", name=op.f('ck_outgoing_mail_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_mail_dedupe_key'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mail_status_kind', ['status', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_to_address'), ['to_address'], unique=False)



def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_to_address'))
        batch_op.drop_index('ix_outgoing_mail_status_kind')

    op.drop_table('outgoing_mail')
    op.drop_table('mail_suppression')
