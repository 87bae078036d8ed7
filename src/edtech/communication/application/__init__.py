"""Use cases of the communication slice, one per module (`verb_noun.py` holds `VerbNoun`);
shared helpers in `common.py`, the roster port in `ports.py`."""

from edtech.communication.application.acknowledge_announcement import AcknowledgeAnnouncement
from edtech.communication.application.block_person import BlockPerson
from edtech.communication.application.common import roster_directory
from edtech.communication.application.create_announcement import (
    AnnounceCommand,
    CreateAnnouncement,
)
from edtech.communication.application.edit_message import EditMessage
from edtech.communication.application.export_conversation import Export, ExportConversation
from edtech.communication.application.mark_read import MarkRead, ReadState
from edtech.communication.application.ports import Directory, DirectoryFactory, DirectoryPort
from edtech.communication.application.post_message import (
    Posted,
    PostMessage,
    QuietNotice,
    post_message,
)
from edtech.communication.application.record_deliveries import RecordDeliveries
from edtech.communication.application.release_due import ReleaseDue
from edtech.communication.application.report_message import ReportMessage
from edtech.communication.application.retract_message import RetractMessage
from edtech.communication.application.set_messaging_settings import SetMessagingSettings
from edtech.communication.application.set_quiet_hours import SetQuietHours
from edtech.communication.application.start_conversation import (
    StartConversation,
    StartConversationCommand,
    Started,
)
from edtech.communication.application.unblock_person import UnblockPerson

__all__ = [
    "AcknowledgeAnnouncement",
    "AnnounceCommand",
    "BlockPerson",
    "CreateAnnouncement",
    "Directory",
    "DirectoryFactory",
    "DirectoryPort",
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
    "roster_directory",
]
