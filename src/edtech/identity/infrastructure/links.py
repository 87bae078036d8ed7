"""Tables of invitations, password resets, platform operators and the identity audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.domain.links import EmailChange, Invitation, InvitationState, PasswordReset
from edtech.kernel.ids import new_id
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

invitation_table = sa.Table(
    "invitation",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "person_id",
        sa.Uuid(),
        sa.ForeignKey("person.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("invited_by", sa.Uuid(), nullable=True),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("send_count", sa.Integer(), nullable=False),
    sa.Column("opened_at", UTCDateTime(), nullable=True),
    sa.Column("accepted_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

password_reset_table = sa.Table(
    "password_reset",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime(), nullable=True),
    sa.Column("client_address", sa.String(64), nullable=True),
)

email_change_table = sa.Table(
    "email_change",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("new_email", sa.String(254), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime(), nullable=True),
)

# Not tenant-owned in spirit (an operator works across tenants), but an operator is a login,
# and a login belongs to one institution.
platform_operator_table = sa.Table(
    "platform_operator",
    metadata,
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("account.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

audit_entry_table = sa.Table(
    "audit_entry",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("at", UTCDateTime(), nullable=False, index=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("subject_person_id", sa.Uuid(), nullable=True, index=True),
    sa.Column("client_address", sa.String(64), nullable=True),
    sa.Column("detail", sa.JSON(), nullable=True),
)

mapper_registry.map_imperatively(Invitation, invitation_table)
mapper_registry.map_imperatively(PasswordReset, password_reset_table)
mapper_registry.map_imperatively(EmailChange, email_change_table)


class SqlAlchemyInvitations:
    """Invitations by token hash, by id inside an institution, or the live one of a person."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, invitation: Invitation) -> None:
        self.session.add(invitation)

    async def get(self, institution_id: uuid.UUID, invitation_id: uuid.UUID) -> Invitation | None:
        found = await self.session.get(Invitation, invitation_id)
        if found is None or found.institution_id != institution_id:
            return None
        return found

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        stmt = sa.select(Invitation).where(invitation_table.c.token_hash == token_hash)
        return (await self.session.scalars(stmt)).one_or_none()

    async def live_of(
        self, person_ids: list[uuid.UUID], now: datetime
    ) -> dict[uuid.UUID, Invitation]:
        """The live (not revoked, accepted or expired) invitation of each of these people."""
        t = invitation_table
        stmt = sa.select(Invitation).where(
            t.c.person_id.in_(person_ids),
            t.c.revoked_at.is_(None),
            t.c.accepted_at.is_(None),
            t.c.expires_at > now,
        )
        return {i.person_id: i for i in await self.session.scalars(stmt)}

    async def revoke_live(self, person_id: uuid.UUID, at: datetime) -> None:
        """Withdraw every live link of a person (they chose a password another way)."""
        t = invitation_table
        await self.session.execute(
            sa.update(t)
            .where(t.c.person_id == person_id, t.c.revoked_at.is_(None), t.c.accepted_at.is_(None))
            .values(revoked_at=at)
        )


class SqlAlchemyPasswordResets:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, reset: PasswordReset) -> None:
        self.session.add(reset)

    async def by_token_hash(self, token_hash: str) -> PasswordReset | None:
        stmt = sa.select(PasswordReset).where(password_reset_table.c.token_hash == token_hash)
        return (await self.session.scalars(stmt)).one_or_none()


class SqlAlchemyEmailChanges:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, change: EmailChange) -> None:
        self.session.add(change)

    async def by_token_hash(self, token_hash: str) -> EmailChange | None:
        stmt = sa.select(EmailChange).where(email_change_table.c.token_hash == token_hash)
        return (await self.session.scalars(stmt)).one_or_none()


class SqlAlchemyOperators:
    """Which logins are platform operators (set only from the command line)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def is_operator(self, account_id: uuid.UUID) -> bool:
        t = platform_operator_table
        found = await self.session.scalar(
            sa.select(t.c.account_id).where(t.c.account_id == account_id)
        )
        return found is not None

    async def add(self, account_id: uuid.UUID, at: datetime) -> bool:
        """Make the login an operator; False if it already was."""
        if await self.is_operator(account_id):
            return False
        await self.session.execute(
            sa.insert(platform_operator_table).values(account_id=account_id, created_at=at)
        )
        return True


class SqlAlchemyAudit:
    """Appends to the identity audit trail (who did what to whose login, when, from where)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        institution_id: uuid.UUID,
        at: datetime,
        action: str,
        actor: str,
        subject_person_id: uuid.UUID | None = None,
        client_address: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self.session.execute(
            sa.insert(audit_entry_table).values(
                id=new_id(),
                institution_id=institution_id,
                at=at,
                action=action,
                actor=actor[:120],
                subject_person_id=subject_person_id,
                client_address=client_address,
                detail=detail,
            )
        )


# Read queries.


def invitation_state_column(now: datetime) -> sa.ColumnElement[str]:
    """`InvitationState` of the joined latest invitation (`none` when there is none)."""
    t = invitation_table
    return sa.case(
        (t.c.id.is_(None), InvitationState.NONE.value),
        (t.c.revoked_at.is_not(None), InvitationState.REVOKED.value),
        (t.c.accepted_at.is_not(None), InvitationState.ACCEPTED.value),
        (t.c.expires_at <= now, InvitationState.EXPIRED.value),
        (t.c.opened_at.is_not(None), InvitationState.OPENED.value),
        (t.c.sent_at.is_not(None), InvitationState.SENT.value),
        else_=InvitationState.PENDING.value,
    )


def invitations_by_person_query(
    people: sa.Select[Any], now: datetime, state: InvitationState | None
) -> sa.Select[Any]:
    """Each person of `people` (id, given_name, family_name, email, in its order) with their
    latest invitation and its state, optionally only those in `state`."""
    t = invitation_table
    listed = people.order_by(None).subquery("listed")
    each = t.alias("each_invitation")
    latest = (
        sa.select(each.c.id)
        .where(each.c.person_id == listed.c.id)
        .order_by(each.c.created_at.desc(), each.c.id.desc())
        .limit(1)
        .correlate(listed)
        .scalar_subquery()
    )
    state_col = invitation_state_column(now).label("state")
    stmt = (
        sa.select(
            listed.c.id.label("person_id"),
            listed.c.given_name,
            listed.c.family_name,
            listed.c.email.label("person_email"),
            t.c.id.label("invitation_id"),
            t.c.email.label("invitation_email"),
            t.c.created_at,
            t.c.expires_at,
            t.c.sent_at,
            t.c.send_count,
            t.c.opened_at,
            t.c.accepted_at,
            t.c.revoked_at,
            state_col,
        )
        .select_from(listed.outerjoin(t, t.c.id == latest))
        .order_by(listed.c.family_name, listed.c.given_name, listed.c.id)
    )
    if state is not None:
        stmt = stmt.where(invitation_state_column(now) == state.value)
    return stmt


def audit_query(
    institution_id: uuid.UUID,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> sa.Select[Any]:
    """The institution's audit trail, newest first, filtered by what is given (`since`
    inclusive, `until` exclusive)."""
    t = audit_entry_table
    stmt = sa.select(t).where(t.c.institution_id == institution_id)
    if action is not None:
        stmt = stmt.where(t.c.action == action)
    if actor is not None:
        stmt = stmt.where(t.c.actor == actor)
    if subject_person_id is not None:
        stmt = stmt.where(t.c.subject_person_id == subject_person_id)
    if since is not None:
        stmt = stmt.where(t.c.at >= since)
    if until is not None:
        stmt = stmt.where(t.c.at < until)
    return stmt.order_by(t.c.at.desc(), t.c.id.desc())
