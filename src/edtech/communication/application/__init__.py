"""Use cases of the communication slice: one module per intention."""

from edtech.communication.application.announce import (
    AcknowledgeAnnouncement,
    AnnounceCommand,
    CreateAnnouncement,
)
from edtech.communication.application.change_message import EditMessage, RetractMessage
from edtech.communication.application.common import Collaborators, Directory, DirectoryFactory
from edtech.communication.application.mark_read import MarkRead, ReadState
from edtech.communication.application.post_message import (
    Posted,
    PostMessage,
    QuietNotice,
    post_message,
)
from edtech.communication.application.record_deliveries import RecordDeliveries
from edtech.communication.application.release_due import ReleaseDue
from edtech.communication.application.safety import (
    BlockPerson,
    Export,
    ExportConversation,
    ReportMessage,
    SetMessagingSettings,
    SetQuietHours,
    UnblockPerson,
)
from edtech.communication.application.start_conversation import (
    StartConversation,
    StartConversationCommand,
    Started,
)

__all__ = [
    "AcknowledgeAnnouncement",
    "AnnounceCommand",
    "BlockPerson",
    "Collaborators",
    "CreateAnnouncement",
    "Directory",
    "DirectoryFactory",
    "EditMessage",
    "Export",
    "ExportConversation",
    "MarkRead",
    "PostMessage",
    "Posted",
    "QuietNotice",
    "ReadState",
    "RecordDeliveries",
    "ReleaseDue",
    "ReportMessage",
    "RetractMessage",
    "SetMessagingSettings",
    "SetQuietHours",
    "StartConversation",
    "StartConversationCommand",
    "Started",
    "UnblockPerson",
    "post_message",
]
