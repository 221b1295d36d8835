"""session booking: time slots and bookings

booking_slot: an in-person session's time slots; `booked` counts the places taken and CHECK booked <= capacity
makes the database refuse an overbooking. booking: one per panel invitation (booked, waiting or cancelled),
its calendar UID and SEQUENCE, the reference said at the door, reminder and attendance. New tables only.

Revision ID: c5f8f5b9f51b
Revises: 3f2c9d1e7a40
Create Date: 2026-12-06 03:32:08.705148

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5f8f5b9f51b'
down_revision = '3f2c9d1e7a40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_booking_slot_booked_within_capacity')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_booking_slot_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_booking_slot_ends_after_start')),
    sa.ForeignKeyConstraint(['session_id'], ['test_session.id'], name=op.f('fk_booking_slot_session_id_test_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_slot'))
    )
    with op.batch_alter_table('booking_slot', schema=None) as batch_op:
        batch_op.create_index('ix_booking_slot_session_starts', ['session_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_slot_starts_at'), ['starts_at'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.String(length=10), nullable=True),
    sa.Column('attendance_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("attendance IS NULL OR attendance IN ('attended', 'no_show')", name=op.f('ck_booking_attendance')),
    sa.CheckConstraint("state <> 'waiting' OR waiting_since IS NOT NULL", name=op.f('ck_booking_waiting_has_time')),
    sa.CheckConstraint("state IN ('booked', 'waiting', 'cancelled')", name=op.f('ck_booking_state')),
    sa.ForeignKeyConstraint(['attendance_by_id'], ['user.id'], name=op.f('fk_booking_attendance_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['panel_invitation.id'], name=op.f('fk_booking_invitation_id_panel_invitation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['test_session.id'], name=op.f('fk_booking_session_id_test_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['booking_slot.id'], name=op.f('fk_booking_slot_id_booking_slot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_booking_invitation_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_booking_reference')),
    sa.UniqueConstraint('uid', name=op.f('uq_booking_uid'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_session_state', ['session_id', 'state'], unique=False)
        batch_op.create_index('ix_booking_slot_state_waiting', ['slot_id', 'state', 'waiting_since'], unique=False)



def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_slot_state_waiting')
        batch_op.drop_index('ix_booking_session_state')

    op.drop_table('booking')
    with op.batch_alter_table('booking_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_slot_starts_at'))
        batch_op.drop_index('ix_booking_slot_session_starts')

    op.drop_table('booking_slot')
