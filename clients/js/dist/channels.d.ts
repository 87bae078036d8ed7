/** Any op failed. `ref` is null when the frame's own `ref` could not be read. */
export type ErrorReply = {
    "op": "reply";
    "ref": string | null;
    "ok": false;
    "error": {
        "code": "bad_json" | "bad_frame" | "bad_channel" | "forbidden" | "not_subscribed" | "too_many_subscriptions" | "not_supported" | "rate_limited" | "invalid" | "conflict" | "not_found" | "unavailable" | "unauthenticated";
        "message": string;
    };
};
export type PingFrame = {
    "ref"?: string | null;
    "op": "ping";
};
/** The answer to `ping` (with the ping's `ref`, null if it had none). */
export type Pong = {
    "op": "pong";
    "ref": string | null;
};
/** People who came and went on a presence channel (coalesced; no offset). */
export type PresenceDiff = {
    "op": "presence_diff";
    "channel": string;
    "joins": Array<{
        "person_id": string;
        "name": string;
        "roles"?: Array<string>;
    }>;
    "leaves": Array<{
        "person_id": string;
        "name": string;
        "roles"?: Array<string>;
    }>;
};
export type PresenceFrame = {
    "ref"?: string | null;
    "op": "presence";
    "channel": string;
};
/** Who is in the channel now. */
export type PresenceReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": {
        "channel": string;
        "count": number;
        "members"?: Array<{
            "person_id": string;
            "name": string;
            "roles"?: Array<string>;
        }>;
    };
};
export type RefreshFrame = {
    "ref"?: string | null;
    "op": "refresh";
    "token": string;
};
/** The socket now runs on the new token. */
export type RefreshReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": {
        "expires_at": number | null;
    };
};
export type SendFrame = {
    "ref"?: string | null;
    "op": "send";
    "channel": string;
    "id": string;
    "data": Record<string, unknown>;
};
/** `send` took effect (or had, for a retried `id`: the first reply again). */
export type SendReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": Record<string, unknown>;
};
/** An ephemeral signal (someone is typing): no offset, never recovered. */
export type Signal = {
    "op": "signal";
    "channel": string;
    "type": "typing";
    "data": {
        "person_id": string;
        "name": string;
    };
};
/** The client's last offset in a channel, and the epoch it belongs to. */
export type Since = {
    "offset": number;
    "epoch"?: string;
};
export type SubscribeFrame = {
    "ref"?: string | null;
    "op": "subscribe";
    "channel": string;
    "since"?: Since | null;
};
/** `subscribe` succeeded. The source of the `epoch` and `offset` that `since` needs. */
export type SubscribeReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": {
        "channel": string;
        "epoch": string;
        "offset": number;
        "recovered"?: boolean;
    };
};
export type TypingFrame = {
    "ref"?: string | null;
    "op": "typing";
    "channel": string;
};
/** `typing` was passed on to the others. */
export type TypingReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": Record<string, unknown>;
};
export type UnsubscribeFrame = {
    "ref"?: string | null;
    "op": "unsubscribe";
    "channel": string;
};
/** `unsubscribe` succeeded. */
export type UnsubscribeReply = {
    "op": "reply";
    "ref": string | null;
    "ok": true;
    "data": {
        "channel": string;
    };
};
/** The server ended a subscription: access to the channel was withdrawn (a roster change, or found at `refresh`). No more events of it come; subscribing again gets `forbidden` while the access stays withdrawn. */
export type Unsubscribed = {
    "op": "unsubscribed";
    "channel": string;
    "error": {
        "code": "forbidden";
        "message": string;
    };
};
export type AttendanceAbsenceReportedData = {
    "session_id": string;
    "section_id": string;
    "student_id": string;
    "day": string;
    "category": string;
    "code": string;
    "minutes_late": number | null;
};
export type AttendanceExcuseDecidedData = {
    "excuse_id": string;
    "student_id": string;
    "submitted_by": string;
    "decision": string;
    "note": string | null;
    "excused_marks": number;
};
export type AttendanceMarkChangedData = {
    "session_id": string;
    "student_id": string;
    "source": string;
    "mark": AttendanceMarkData;
};
export type AttendanceMarkData = {
    "student_id": string;
    "teacher_code": string | null;
    "official_code": string | null;
    "category": string | null;
    "minutes_late": number | null;
    "arrived_at": string | null;
    "departed_at": string | null;
    "source": string | null;
    "version": number;
};
/** A student joined the session's roster (`added`, with their unmarked mark: add the tile) or left it (`removed`: their unmarked tile goes; a recorded mark is never removed). */
export type AttendanceRosterChangedData = {
    "session_id": string;
    "section_id": string;
    "student_id": string;
    "change": "added" | "removed";
    "mark": AttendanceMarkData | null;
};
export type AttendanceScanRecordedData = {
    "session_id": string;
    "student_id": string;
    "scanned_at": string;
    "source": string;
    "mark": AttendanceMarkData;
};
/** The session will not take place: no absences, no alerts. `by_hand`: its teacher or the office cancelled this one session; otherwise a closure or holiday cancelled the day's. */
export type AttendanceSessionCancelledData = {
    "session_id": string;
    "section_id": string;
    "day": string;
    "reason": string;
    "by_hand"?: boolean;
};
export type AttendanceSessionClosedData = {
    "session_id": string;
    "section_id": string;
    "automatic": boolean;
    "marked_absent": number;
};
export type AttendanceSessionStateData = {
    "session_id": string;
    "section_id": string;
};
export type BillingCreditNoteIssuedData = {
    "credit_note_id": string;
    "invoice_id": string;
    "account_id": string;
    "number": string;
    "currency": string;
    "amount_minor": number;
};
/** Paid, voided or written off. */
export type BillingInvoiceClosedData = {
    "invoice_id": string;
    "account_id": string;
    "number": string;
};
export type BillingInvoiceIssuedData = {
    "invoice_id": string;
    "account_id": string;
    "number": string;
    "currency": string;
    "total_minor": number;
    "amount_due_minor": number;
    "due_on": string;
    "student_ids": Array<string>;
};
export type BillingInvoiceOverdueData = {
    "invoice_id": string;
    "account_id": string;
    "number": string;
    "currency": string;
    "amount_due_minor": number;
    "due_on": string;
    "reminder": number;
};
export type BillingPaymentReceivedData = {
    "payment_id": string;
    "account_id": string;
    "receipt_number": string;
    "currency": string;
    "amount_minor": number;
    "allocated_minor": number;
    "method": string;
};
export type BillingPaymentRefundedData = {
    "refund_id": string;
    "payment_id": string;
    "account_id": string;
    "number": string;
    "currency": string;
    "amount_minor": number;
};
export type CommunicationAnnouncementAcknowledgedData = {
    "announcement_id": string;
    "sender_id": string;
    "person_id": string;
    "acknowledged_at": string;
};
export type CommunicationAnnouncementPublishedData = {
    "announcement_id": string;
    "sender_id": string;
    "title": string;
    "body": string;
    "priority": string;
    "requires_ack": boolean;
    "published_at": string;
    "attachments": Array<CommunicationAttachmentData>;
};
/** A file a message or an announcement carries. `download` and `thumbnail` are REST paths that check access again (a retraction ends it). */
export type CommunicationAttachmentData = {
    "file_id": string;
    "filename": string;
    "content_type": string;
    "size_bytes": number;
    "download": string;
    "thumbnail": string | null;
};
export type CommunicationConversationStartedData = {
    "conversation_id": string;
    "kind": string;
    "started_by": string;
    "participant_ids": Array<string>;
};
export type CommunicationDeliveredData = {
    "conversation_id": string;
    "message_id": string;
    "seq": number;
    "person_id": string;
    "delivered_at": string;
};
export type CommunicationMessageEditedData = {
    "conversation_id": string;
    "message_id": string;
    "seq": number;
    "body": string;
    "version": number;
    "edited_at": string;
};
export type CommunicationMessagePostedData = {
    "conversation_id": string;
    "message_id": string;
    "seq": number;
    "sender_id": string;
    "client_id": string;
    "kind": string;
    "body": string;
    "created_at": string;
    "attachments": Array<CommunicationAttachmentData>;
};
/** A new message, as announced on a participant's inbox: a preview, not the message. */
export type CommunicationMessagePreviewData = {
    "conversation_id": string;
    "message_id": string;
    "seq": number;
    "sender_id": string;
    "preview": string;
    "created_at": string;
    "attachment_count": number;
};
/** The message's body and files are gone for participants: its files can no longer be downloaded. */
export type CommunicationMessageRetractedData = {
    "conversation_id": string;
    "message_id": string;
    "seq": number;
    "retracted_at": string;
};
/** Quiet hours ended: the messages held meanwhile. */
export type CommunicationNotificationsReleasedData = {
    "person_id": string;
    "conversation_ids": Array<string>;
    "message_ids": Array<string>;
};
export type CommunicationReadData = {
    "conversation_id": string;
    "person_id": string;
    "read_seq": number;
};
export type CommunicationSendMessageData = {
    "body": string;
    "attachment_ids"?: Array<string>;
};
export type GradesAssessmentPublishedData = {
    "section_id": string;
    "assessment_id": string;
    "publication_id": string;
    "scope": string;
    "published_by": string;
    "published_by_name": string;
    "changes": Array<GradesChangeData>;
};
export type GradesCellChangedData = {
    "section_id": string;
    "assessment_id": string;
    "student_id": string;
    "draft": GradesMarkData;
    "published": GradesMarkData | null;
    "version": number;
    "editor_id": string;
    "editor_name": string;
};
export type GradesChangeData = {
    "student_id": string;
    "before": GradesMarkData | null;
    "after": GradesMarkData;
    "summary": Array<string>;
};
/** A student's newly visible result, on the student's and entitled guardians' inboxes. */
export type GradesGradesPublishedData = {
    "section_id": string;
    "assessment_id": string;
    "assessment_title": string;
    "publication_id": string;
    "student_id": string;
    "result": GradesResultData;
    "previous": GradesMarkData | null;
    "changes": Array<string>;
    "total": Record<string, unknown>;
};
export type GradesMarkData = {
    "points": string | null;
    "entered": string | null;
    "comment": string | null;
    "flags": Array<string>;
};
export type GradesResultData = {
    "points": string | null;
    "entered": string | null;
    "comment": string | null;
    "flags": Array<string>;
    "max_points": string;
};
/** A session whose period started `minutes` ago with nobody marked (to its teachers and the school's attendance officers, once). */
export type InsightsAttendanceNotTakenData = {
    "session_id": string;
    "section_id": string;
    "school_id": string;
    "day": string;
    "starts_at": string;
    "minutes": number;
    "students": number;
};
export type InsightsSignalChangedData = {
    "signal_id": string;
    "student_id": string;
    "school_id": string | null;
    "indicator": string;
    "level": string;
    "previous_level": string;
    "evidence": string;
    "missed": number;
    "counted": number;
    "missed_sessions": Array<string>;
    "links"?: Array<Record<string, unknown>>;
    "section_ids"?: Array<string>;
};
/** The batch's counts now: `reached` recipients (any channel sent, or seen or read in the app) of `total`, and per channel how many attempts are sent, failed, skipped, pending. */
export type NotificationsBatchProgressData = {
    "batch_id": string;
    "total": number;
    "reached": number;
    "percent": number;
    "channels": Record<string, unknown>;
};
export type NotificationsChannelCountsData = {
    "sent": number;
    "failed": number;
    "skipped": number;
    "pending": number;
};
export type OnerosterImportFinishedData = {
    "import_id": string;
    "state": string;
    "report": Record<string, unknown> | null;
    "problem": Record<string, unknown> | null;
};
export type OnerosterImportProgressedData = {
    "import_id": string;
    "phase": string;
    "file": string | null;
    "done": number;
    "total": number;
};
/** Every channel pattern, each with its event types and their `data`. */
export interface ChannelEvents {
    "attendance.session.{id}": {
        "attendance.mark_changed": AttendanceMarkChangedData;
        "attendance.roster_changed": AttendanceRosterChangedData;
        "attendance.scan_recorded": AttendanceScanRecordedData;
        "attendance.session_cancelled": AttendanceSessionCancelledData;
        "attendance.session_closed": AttendanceSessionClosedData;
        "attendance.session_locked": AttendanceSessionStateData;
        "attendance.session_opened": AttendanceSessionStateData;
    };
    "billing.institution.{id}": {
        "billing.credit_note_issued": BillingCreditNoteIssuedData;
        "billing.invoice_issued": BillingInvoiceIssuedData;
        "billing.invoice_marked_uncollectible": BillingInvoiceClosedData;
        "billing.invoice_overdue": BillingInvoiceOverdueData;
        "billing.invoice_paid": BillingInvoiceClosedData;
        "billing.invoice_voided": BillingInvoiceClosedData;
        "billing.payment_received": BillingPaymentReceivedData;
        "billing.payment_refunded": BillingPaymentRefundedData;
    };
    "chat.conversation.{id}": {
        "chat.delivered": CommunicationDeliveredData;
        "chat.message_edited": CommunicationMessageEditedData;
        "chat.message_posted": CommunicationMessagePostedData;
        "chat.message_retracted": CommunicationMessageRetractedData;
        "chat.read": CommunicationReadData;
    };
    "grades.section.{id}": {
        "grades.assessment_published": GradesAssessmentPublishedData;
        "grades.cell_changed": GradesCellChangedData;
    };
    "insights.school.{id}": {
        "insights.signal_changed": InsightsSignalChangedData;
    };
    "insights.section.{id}": {
        "insights.signal_changed": InsightsSignalChangedData;
    };
    "notifications.batch.{id}": {
        "notifications.progress": NotificationsBatchProgressData;
    };
    "oneroster.import.{id}": {
        "oneroster.import_finished": OnerosterImportFinishedData;
        "oneroster.import_progressed": OnerosterImportProgressedData;
    };
    "user.{id}": {
        "announcement.acknowledged": CommunicationAnnouncementAcknowledgedData;
        "announcement.published": CommunicationAnnouncementPublishedData;
        "attendance.absence_reported": AttendanceAbsenceReportedData;
        "attendance.excuse_decided": AttendanceExcuseDecidedData;
        "attendance.session_cancelled": AttendanceSessionCancelledData;
        "billing.invoice_issued": BillingInvoiceIssuedData;
        "billing.invoice_overdue": BillingInvoiceOverdueData;
        "billing.payment_received": BillingPaymentReceivedData;
        "chat.conversation_started": CommunicationConversationStartedData;
        "chat.message_posted": CommunicationMessagePreviewData;
        "chat.notifications_released": CommunicationNotificationsReleasedData;
        "chat.read": CommunicationReadData;
        "grades.published": GradesGradesPublishedData;
        "insights.attendance_not_taken": InsightsAttendanceNotTakenData;
    };
}
export type ChannelPattern = keyof ChannelEvents;
/** An `event` frame of a channel of pattern `P`: a union discriminated by `type`, so
 * `if (frame.type === "attendance.scan_recorded")` narrows `frame.data`. */
export type EventFrame<P extends ChannelPattern = ChannelPattern> = {
    [K in P]: {
        [T in keyof ChannelEvents[K] & string]: {
            op: "event";
            channel: string;
            offset: number;
            type: T;
            data: ChannelEvents[K][T];
            ts: string;
        };
    }[keyof ChannelEvents[K] & string];
}[P];
