"""The communication domain: pure rules about conversations, messages, policy and announcements."""

from edtech.communication.domain.announcements import (
    Announcement,
    Audience,
    AudienceKind,
    Priority,
    may_announce,
)
from edtech.communication.domain.attachments import (
    MAX_ATTACHMENTS,
    Attachment,
    attachment_view,
    check_attachment_ids,
)
from edtech.communication.domain.conversations import (
    Conversation,
    ConversationKind,
    Participant,
    direct_key,
)
from edtech.communication.domain.deliveries import Reached, receipts_owed
from edtech.communication.domain.events import (
    AnnouncementAcknowledged,
    AnnouncementPublished,
    ConversationExported,
    ConversationRead,
    ConversationStarted,
    MessageDelivered,
    MessageEdited,
    MessagePosted,
    MessageReported,
    MessageRetracted,
    NotificationsReleased,
)
from edtech.communication.domain.messages import (
    MAX_BODY,
    Message,
    MessageKind,
    MessageVersion,
    clean_body,
)
from edtech.communication.domain.policy import (
    ChildLink,
    Context,
    ContextKind,
    MessagingPolicy,
    PolicySettings,
    Profile,
    Verdict,
)
from edtech.communication.domain.quiet_hours import QuietHours, reply_note
from edtech.communication.domain.safety import clean_reason, may_block, may_export

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_BODY",
    "Announcement",
    "AnnouncementAcknowledged",
    "AnnouncementPublished",
    "Attachment",
    "Audience",
    "AudienceKind",
    "ChildLink",
    "Context",
    "ContextKind",
    "Conversation",
    "ConversationExported",
    "ConversationKind",
    "ConversationRead",
    "ConversationStarted",
    "Message",
    "MessageDelivered",
    "MessageEdited",
    "MessageKind",
    "MessagePosted",
    "MessageReported",
    "MessageRetracted",
    "MessageVersion",
    "MessagingPolicy",
    "NotificationsReleased",
    "Participant",
    "PolicySettings",
    "Priority",
    "Profile",
    "QuietHours",
    "Reached",
    "Verdict",
    "attachment_view",
    "check_attachment_ids",
    "clean_body",
    "clean_reason",
    "direct_key",
    "may_announce",
    "may_block",
    "may_export",
    "receipts_owed",
    "reply_note",
]
