export type AcceptIn = {
    "token": string;
    "password": string;
};
export type AcceptedOut = {
    "access_token": string;
    "token_type"?: "bearer";
    "expires_in": number;
    "refresh_token": string;
    "refresh_expires_in": number;
    "person_id": string;
};
export type AccountKind = "family" | "sponsor";
export type AccountStudentIn = {
    "student_id": string;
    "fee_plan_id"?: string | null;
};
export type AccountStudentOut = {
    "student_id": string;
    "fee_plan_id": string | null;
};
export type AcknowledgementOut = {
    "person_id": string;
    "display_name": string | null;
    "acknowledged_at": string | null;
};
export type AcknowledgementsOut = {
    "announcement_id": string;
    "total": number;
    "acknowledged": Array<AcknowledgementOut>;
    "pending": Array<AcknowledgementOut>;
};
export type AgingOut = {
    "as_of": string;
    "currency": string;
    "rows": Array<AgingRowOut>;
    "total": MoneyOut;
};
export type AgingRowOut = {
    "account_id": string;
    "name": string;
    "current": MoneyOut;
    "days_1_30": MoneyOut;
    "days_31_60": MoneyOut;
    "days_61_90": MoneyOut;
    "days_90_plus": MoneyOut;
    "total": MoneyOut;
};
export type AllocationIn = {
    "invoice_id": string;
    "amount": string;
};
export type AnnouncementIn = {
    "title": string;
    "body": string;
    "audience": AudienceIO;
    "priority"?: Priority;
    "requires_ack"?: boolean;
    "publish_at"?: string | null;
    "attachment_ids"?: Array<string>;
};
export type AnnouncementOut = {
    "id": string;
    "sender_id": string;
    "title": string;
    "body": string;
    "priority": Priority;
    "audience": AudienceIO;
    "requires_ack": boolean;
    "publish_at": string;
    "published_at": string | null;
    "created_at": string;
    "attachments"?: Array<AttachmentOut>;
};
export type AssessmentIn = {
    "title": string;
    "category_id": string;
    "grading_period_id": string;
    "scheme_id": string;
    "max_points": number | string;
    "due_at"?: string | null;
    "post_policy"?: PostPolicy | null;
    "reason"?: string | null;
};
export type AssessmentOut = {
    "id": string;
    "section_id": string;
    "category_id": string;
    "grading_period_id": string;
    "scheme_id": string;
    "title": string;
    "max_points": string;
    "due_at": string | null;
    "post_policy": PostPolicy | null;
    "version": number;
    "created_at": string;
};
export type AssessmentPatchIn = {
    "title"?: string | null;
    "category_id"?: string | null;
    "max_points"?: number | string | null;
    "due_at"?: string | null;
    "post_policy"?: PostPolicy | null;
    "version"?: number | null;
    "reason"?: string | null;
};
/** A file the message or announcement carries. Both paths check access again: whoever may read what carries it (not after a retraction). */
export type AttachmentOut = {
    "file_id": string;
    "filename": string;
    "content_type": string;
    "size_bytes": number;
    "download": string;
    "thumbnail": string | null;
};
export type AttemptOut = {
    "channel": Channel;
    "state": "pending" | "sending" | "sent" | "failed" | "skipped";
    "due_at": string;
    "reason": string | null;
    "tries": number;
    "finished_at": string | null;
};
export type AttendanceLetterIn = {
    "student_id": string;
    "from"?: string | null;
    "to"?: string | null;
};
export type AudienceIO = {
    "kind": AudienceKind;
    "school_id"?: string | null;
    "section_id"?: string | null;
    "role"?: Role | null;
};
export type AudienceKind = "school" | "section" | "role" | "section_guardians";
/** One audited action. */
export type AuditEntryOut = {
    "id": string;
    "at": string;
    "action": string;
    "actor": string;
    "subject_person_id": string | null;
    "client_address": string | null;
    "detail": Record<string, unknown> | null;
};
export type BandIn = {
    "letter": string;
    "min_percent": number | string;
    "value_percent"?: number | string | null;
};
export type BandOut = {
    "letter": string;
    "min_percent": string;
    "value_percent": string | null;
};
export type BatchIn = {
    "items": Array<BatchItemIn>;
    "reason"?: string | null;
};
export type BatchItemIn = {
    "assessment_id": string;
    "student_id": string;
    "value"?: number | string | null;
    "comment"?: string | null;
    "flags"?: Array<Flag>;
    "version"?: number | null;
};
export type BatchItemOut = {
    "index": number;
    "changed": boolean;
    "result": ResultOut;
};
export type BellScheduleIn = {
    "school_id": string;
    "name": string;
    "periods": Array<PeriodIO>;
};
export type BellScheduleOut = {
    "id": string;
    "school_id": string;
    "name": string;
    "periods": Array<PeriodIO>;
};
export type BlockIn = {
    "person_id": string;
};
export type BlockOut = {
    "person_id": string;
    "created_at": string;
};
export type BoardOut = {
    "session": Edtech__attendance__api__schemas__SessionOut;
    "marks": Array<Edtech__attendance__api__schemas__MarkOut>;
    "tally": Record<string, unknown>;
    "missing": Array<StudentRef>;
    "channel": ChannelPosition;
};
export type Body_attach_excuse_note_api_v1_files_excuse_notes__excuse_id__post = {
    "file": string;
};
export type Body_sign_in_api_v1_auth_token_post = {
    "grant_type"?: string | null;
    "username": string;
    "password": string;
    "scope"?: string;
    "client_id"?: string | null;
    "client_secret"?: string | null;
};
export type Body_token_ims_oneroster_oauth2_token_post = {
    "grant_type": string;
    "scope"?: string | null;
};
export type Body_upload_attachment_api_v1_files_attachments_post = {
    "file": string;
};
/** Why the session will not take place; the board and its students see it. */
export type CancelIn = {
    "reason": string;
};
export type CategoryBody = {
    "category": Edtech__oneroster__api__gradebook__CategoryIn;
};
export type CategoryRetention = {
    "category": Edtech__files__domain__Category;
    "days": number | null;
    "default_days": number | null;
    "min_days": number;
    "max_days": number;
    "may_keep_forever": boolean;
};
export type CategoryTotalOut = {
    "category_id": string;
    "name": string;
    "weight_ppm": number;
    "drop_lowest": number;
    "points": string;
    "max_points": string;
    "percent": string | null;
    "assessments": Array<Edtech__grades__api__schemas__views__LineOut>;
};
export type CellOut = {
    "assessment_id": string;
    "result_id": string | null;
    "draft": Edtech__grades__api__schemas__results__MarkOut | null;
    "published": Edtech__grades__api__schemas__results__MarkOut | null;
    "unpublished_changes": boolean;
    "version": number;
};
export type ChangeOut = {
    "id": string;
    "result_id": string;
    "assessment_id": string;
    "student_id": string;
    "field": string;
    "before": Edtech__grades__api__schemas__results__MarkOut | null;
    "after": Edtech__grades__api__schemas__results__MarkOut;
    "actor_id": string;
    "actor_name": string;
    "reason": string | null;
    "publication_id": string | null;
    "at": string;
};
export type ChangePasswordIn = {
    "current_password": string;
    "new_password": string;
};
/** Where a notification may go besides the in-app inbox (always on). */
export type Channel = "push" | "email" | "sms";
export type ChannelCountsOut = {
    "sent": number;
    "failed": number;
    "skipped": number;
    "pending": number;
};
/** Subscribe to `name` with `since: {offset, epoch}` to get exactly what came after. */
export type ChannelPosition = {
    "name": string;
    "offset": number;
    "epoch": string | null;
};
export type CheckInIn = {
    "token": string;
    "device_id": string;
};
export type CheckInOut = {
    "result": string;
    "session_id": string;
    "category": string | null;
    "minutes_late": number | null;
};
export type CheckoutIn = {
    "amount": string;
    "currency": string;
};
export type CheckoutOut = {
    "id": string;
    "account_id": string;
    "amount": MoneyOut;
    "provider": string;
    "intent_ref": string;
    "redirect_url": string;
};
export type ChildOut = {
    "can_view_attendance"?: boolean;
    "can_view_grades"?: boolean;
    "can_view_billing"?: boolean;
    "can_message"?: boolean;
    "student_id": string;
    "given_name": string;
    "family_name": string;
    "display_name": string;
    "grade_level": string | null;
    "link_id": string;
    "relationship": string;
};
/** OneRoster `classType`: a homeroom (daily attendance) or a scheduled class. */
export type ClassType = "homeroom" | "scheduled";
export type ClientIn = {
    "name": string;
    "scopes": Array<string>;
};
export type ClientOut = {
    "client_id": string;
    "client_secret": string;
    "scopes": Array<string>;
    "token_url"?: string;
};
export type CodeIn = {
    "code": string;
    "name": string;
    "category": Edtech__attendance__domain__codes__Category;
    "present_percent": number;
};
export type CodeOut = {
    "code": string;
    "name": string;
    "category": Edtech__attendance__domain__codes__Category;
    "present_percent": number;
    "ed_fi_category": string;
    "is_system": boolean;
    "is_active": boolean;
};
export type CodePatch = {
    "name"?: string | null;
    "category"?: Edtech__attendance__domain__codes__Category | null;
    "present_percent"?: number | null;
    "is_active"?: boolean | null;
};
export type ContextIn = {
    "kind": ContextKind;
    "id": string;
};
/** What a conversation is about. */
export type ContextKind = "student" | "section";
export type ContextOut = {
    "kind": ContextKind;
    "id": string;
};
export type ConversationIn = {
    "kind"?: ConversationKind;
    "participant_ids": Array<string>;
    "context"?: ContextIn | null;
    "title"?: string | null;
};
export type ConversationKind = "direct" | "group";
export type ConversationOut = {
    "id": string;
    "kind": ConversationKind;
    "context": ContextOut | null;
    "title": string | null;
    "created_by": string;
    "created_at": string;
    "last_seq": number;
    "last_message_at": string | null;
    "read_seq": number;
    "unread": number;
    "participants": Array<ParticipantOut>;
};
export type ConversationPage = {
    "items": Array<ConversationOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
    "unread_total": number;
};
export type CountOut = {
    "changed": number;
};
export type CourseIn = {
    "school_id": string;
    "code": string;
    "title": string;
    "sourced_id"?: string | null;
};
export type CourseOut = {
    "id": string;
    "school_id": string;
    "code": string;
    "title": string;
    "sourced_id": string | null;
};
export type CoursePatch = {
    "code"?: string | null;
    "title"?: string | null;
    "sourced_id"?: string | null;
};
export type CredentialIn = {
    "student_id": string;
    "kind": CredentialKind;
    "value": string;
};
export type CredentialKind = "card" | "nfc" | "barcode" | "qr";
export type CredentialOut = {
    "id": string;
};
export type CreditNoteIn = {
    "amount": string;
    "currency"?: string | null;
    "reason": string;
};
/** A holiday or closure (no sessions; those already planned are cancelled), or an early release (a school day on another bell schedule of the school). */
export type DayIn = {
    "kind": DayKind;
    "reason": string;
    "school_id": string;
    "day"?: string | null;
    "bell_schedule_id"?: string | null;
};
/** A holiday or a closure is a non-school day (no sessions); an early release is a school day that keeps another bell schedule. */
export type DayKind = "holiday" | "closure" | "early_release";
export type DayOut = {
    "id": string;
    "school_id": string | null;
    "day": string;
    "kind": DayKind;
    "reason": string;
    "bell_schedule_id": string | null;
    "declared_at": string;
    "declared_by": string | null;
};
export type DayReportOut = {
    "day": string;
    "sessions": Array<SessionLineOut>;
};
export type DecisionIn = {
    "approve": boolean;
    "note"?: string | null;
};
export type DeclaredDayOut = {
    "id": string;
    "school_id": string | null;
    "day": string;
    "kind": DayKind;
    "reason": string;
    "bell_schedule_id": string | null;
    "declared_at": string;
    "declared_by": string | null;
    "cancelled_sessions": number;
};
export type DeviceCreatedOut = {
    "id": string;
    "school_id": string;
    "name": string;
    "location": string | null;
    "key_prefix": string;
    "created_at": string;
    "revoked_at": string | null;
    "last_seen_at": string | null;
    "key": string;
};
export type EmailChangeIn = {
    "current_password": string;
    "new_email": string;
};
export type EmailOut = {
    "email": string;
};
export type EndIn = {
    "ends_on"?: string | null;
};
export type EnrollmentIn = {
    "section_id": string;
    "person_id": string;
    "role": EnrollmentRole;
    "is_primary"?: boolean;
    "begins_on"?: string | null;
    "ends_on"?: string | null;
};
export type EnrollmentOut = {
    "id": string;
    "section_id": string;
    "section_title": string;
    "person_id": string;
    "person_name": string;
    "role": EnrollmentRole;
    "is_primary": boolean;
    "begins_on": string;
    "ends_on": string | null;
    "active": boolean;
};
export type EnrollmentPatch = {
    "is_primary"?: boolean | null;
    "begins_on"?: string | null;
};
export type EnrollmentRole = "student" | "teacher" | "aide";
export type ErasedFile = {
    "file_id": string;
    "category": string;
    "why"?: string | null;
};
export type ErasedOut = {
    "what": string;
    "why": string;
};
export type ExcuseIn = {
    "student_id": string;
    "starts_on": string;
    "ends_on": string;
    "reason": string;
    "attachment_ref"?: string | null;
};
export type ExcuseOut = {
    "id": string;
    "student_id": string;
    "submitted_by": string;
    "starts_on": string;
    "ends_on": string;
    "reason": string;
    "attachment_ref": string | null;
    "state": string;
    "submitted_at": string;
    "decided_by": string | null;
    "decided_at": string | null;
    "note": string | null;
};
export type ExcuseState = "pending" | "approved" | "rejected";
export type ExportAuditOut = {
    "id": string;
    "conversation_id": string;
    "actor_id": string;
    "reason": string;
    "created_at": string;
};
export type ExportOut = {
    "export_id": string;
    "conversation": Record<string, unknown>;
    "messages": Array<Record<string, unknown>>;
};
/** One page of a school's feature table, from `first` to `as_of` (school days). */
export type FeaturePage = {
    "items": Array<FeatureRowOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
    "first": string;
    "as_of": string;
    "feature_version": number;
};
/** One student's features (version 3) and score. `days_enrolled`: school days with an ended session of the student in the range; `days_absent`: enrolled days not attended (a half day attended counts 0.5); `absence_rate`: days_absent ÷ days_enrolled, 0–1; `absences_unexcused`: periods absent without an approved note; `absences_excused`: periods absent with an approved note; `tardies`: periods marked tardy; `minutes_late`: minutes late over the tardy periods; `longest_absence_streak`: most enrolled days in a row with nothing attended; `current_absence_streak`: enrolled days with nothing attended up to the last one; `recent_days_absent`: days absent among the last 10 enrolled days; `courses_with_total`: courses with a published total on `as_of` (insights keeps each course's last two totals and the days it first saw them: a course whose earliest kept total came later has none); `lowest_course_total`: the lowest published course total on `as_of`, % (empty: none); `failing_courses`: courses whose total on `as_of` is below the institution's `failing_percent`; `largest_grade_drop`: the most points a course total on `as_of` had fallen since the publication before it (0: none fell, or that one is no longer kept); `missing_work`: published results flagged missing, over every course: the latest count (no history is kept), 0 when no course had a total on `as_of`. */
export type FeatureRowOut = {
    "student_id": string;
    "feature_version": number;
    "as_of": string;
    "days_enrolled": number;
    "days_absent": number;
    "absence_rate": number;
    "absences_unexcused": number;
    "absences_excused": number;
    "tardies": number;
    "minutes_late": number;
    "longest_absence_streak": number;
    "current_absence_streak": number;
    "recent_days_absent": number;
    "courses_with_total": number;
    "lowest_course_total": number | null;
    "failing_courses": number;
    "largest_grade_drop": number;
    "missing_work": number;
    "score_level": Level;
    "score_value": number;
    "score_reasons": Array<string>;
    "scorer": string;
};
export type FeeItemIn = {
    "category_id": string;
    "name": string;
    "amount": string;
    "currency"?: string | null;
    "target"?: Target;
    "target_value"?: string | null;
};
export type FeeItemOut = {
    "id": string;
    "category_id": string;
    "name": string;
    "amount": MoneyOut;
    "target": Target;
    "target_value": string | null;
};
export type FeePlanIn = {
    "name": string;
    "item_ids": Array<string>;
    "installments": Array<InstallmentIn>;
};
export type FeePlanOut = {
    "id": string;
    "name": string;
    "currency": string;
    "item_ids": Array<string>;
    "installments": Array<InstallmentOut>;
};
/** A stored file; fetch its bytes from `download`. */
export type FileOut = {
    "id": string;
    "category": Edtech__files__domain__Category;
    "record_type": RecordType;
    "record_id": string;
    "filename": string;
    "content_type": string;
    "size_bytes": number;
    "sha256": string;
    "created_at": string;
    "download": string;
    "thumbnail"?: string | null;
};
/** Marks on a result: late and missing are facts; excused and exempt leave it out of totals; extra credit allows a score above the maximum. */
export type Flag = "late" | "missing" | "excused" | "exempt" | "extra_credit";
export type GenerateIn = {
    "plan_id": string;
    "term_id"?: string | null;
    "due_by"?: string | null;
    "finalize"?: boolean;
};
export type GradebookIn = {
    "weighting"?: Weighting;
    "post_policy"?: PostPolicy;
    "total_scheme_id"?: string | null;
    "categories": Array<Edtech__grades__api__schemas__setup__CategoryIn>;
    "version"?: number | null;
};
export type GradebookOut = {
    "section_id": string;
    "weighting": Weighting;
    "post_policy": PostPolicy;
    "total_scheme_id": string | null;
    "categories": Array<Edtech__grades__api__schemas__setup__CategoryOut>;
    "version": number;
};
export type GrantIn = {
    "student_id": string;
    "kind": GrantKind;
    "name": string;
    "percent"?: string | null;
    "amount"?: string | null;
    "category_id"?: string | null;
    "valid_from"?: string | null;
    "valid_to"?: string | null;
};
export type GrantKind = "sibling" | "staff" | "merit" | "need";
export type GrantOut = {
    "id": string;
    "student_id": string;
    "kind": GrantKind;
    "name": string;
    "percent_bp": number | null;
    "amount": MoneyOut | null;
    "category_id": string | null;
    "valid_from": string | null;
    "valid_to": string | null;
};
/** Students × assessments: one page of students, every (filtered) assessment as a column. */
export type GridPage = {
    "assessments": Array<AssessmentOut>;
    "items": Array<GridRowOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type GridRowOut = {
    "student_id": string;
    "student_name": string;
    "cells": Array<CellOut>;
    "teacher_total": string | null;
    "published_total": string | null;
};
export type GuardianLinkIn = {
    "can_view_attendance"?: boolean;
    "can_view_grades"?: boolean;
    "can_view_billing"?: boolean;
    "can_message"?: boolean;
    "student_id": string;
    "guardian_id": string;
    "relationship"?: string;
    "legal_guardian"?: boolean;
    "lives_with"?: boolean;
    "contact_priority"?: number;
    "custody_restriction"?: boolean;
    "custody_note"?: string | null;
    "begins_on"?: string | null;
};
export type GuardianLinkOut = {
    "can_view_attendance"?: boolean;
    "can_view_grades"?: boolean;
    "can_view_billing"?: boolean;
    "can_message"?: boolean;
    "id": string;
    "student_id": string;
    "student_name": string;
    "guardian_id": string;
    "guardian_name": string;
    "relationship": string;
    "legal_guardian": boolean;
    "lives_with": boolean;
    "contact_priority": number;
    "custody_restriction": boolean;
    "custody_note": string | null;
    "begins_on": string;
    "ends_on": string | null;
    "active": boolean;
};
export type GuardianLinkPatch = {
    "relationship"?: string | null;
    "legal_guardian"?: boolean | null;
    "lives_with"?: boolean | null;
    "contact_priority"?: number | null;
    "custody_restriction"?: boolean | null;
    "custody_note"?: string | null;
    "can_view_attendance"?: boolean | null;
    "can_view_grades"?: boolean | null;
    "can_view_billing"?: boolean | null;
    "can_message"?: boolean | null;
};
/** A roster import. `state` is `queued`, `running`, `succeeded` or `failed`; `progress` says how far it got (`phase` queued, started, applying with `file` and `done` of `total` files, finished); a succeeded import has its `report` (created, changed, ended, unchanged per entity; warnings), a failed one its `problem` (`detail` and `errors` with `loc` = file, line, column), which changed nothing. `job` is the background job's own state (attempts, last error). */
export type ImportOut = {
    "id": string;
    "state": string;
    "dry_run": boolean;
    "lenient": boolean;
    "progress": Record<string, unknown>;
    "report": Record<string, unknown> | null;
    "problem": Record<string, unknown> | null;
    "created_at": string;
    "started_at": string | null;
    "finished_at": string | null;
    "channel": string;
    "job": Record<string, unknown> | null;
};
/** `absence` and `consecutive_absence` from attendance; `course_failing`, `grade_drop` and `missing_work` from the published grades. */
export type Indicator = "absence" | "consecutive_absence" | "course_failing" | "grade_drop" | "missing_work";
export type InstallmentIn = {
    "label": string;
    "due_on": string;
    "share": number;
    "term_id"?: string | null;
};
export type InstallmentOut = {
    "id": string;
    "seq": number;
    "label": string;
    "due_on": string;
    "share": number;
    "term_id": string | null;
};
export type InstitutionIn = {
    "name": string;
    "slug"?: string | null;
    "timezone": string;
    "locale": string;
    "currency": string;
    "admin_email": string;
    "admin_given_name"?: string;
    "admin_family_name"?: string;
};
export type InstitutionPatch = {
    "name"?: string | null;
    "timezone"?: string | null;
    "locale"?: string | null;
    "currency"?: string | null;
};
/** A school's instructional days over a range or an academic session. */
export type InstructionalDaysOut = {
    "school_id": string;
    "academic_session_id": string | null;
    "first": string;
    "last": string;
    "weekdays": number;
    "instructional_days": number;
    "early_release_days": number;
    "non_school_days": Array<NonSchoolDayOut>;
};
export type InvitationResultOut = {
    "person_id": string;
    "outcome": Outcome;
    "invitation_id": string | null;
    "expires_at": string | null;
};
/** A person and where they stand with joining (their latest invitation). */
export type InvitationRowOut = {
    "person_id": string;
    "display_name": string;
    "email": string | null;
    "state": InvitationState;
    "invitation_id": string | null;
    "created_at": string | null;
    "expires_at": string | null;
    "sent_at": string | null;
    "send_count": number;
    "opened_at": string | null;
    "accepted_at": string | null;
    "revoked_at": string | null;
};
/** Where a person stands with joining (the office chases those who never did). */
export type InvitationState = "none" | "pending" | "sent" | "opened" | "accepted" | "expired" | "revoked";
export type InvitationViewOut = {
    "person_id": string;
    "display_name": string;
    "email": string;
    "institution_name": string;
    "expires_at": string;
};
/** Who to invite; the union of everything given, each person once (at most 500). */
export type InviteIn = {
    "person_ids"?: Array<string>;
    "role"?: Role | null;
    "students_of_section"?: string | null;
    "guardians_of_section"?: string | null;
};
export type InvoiceIn = {
    "account_id": string;
    "due_on": string;
    "memo"?: string;
    "lines"?: Array<LineIn>;
};
export type InvoiceOut = {
    "id": string;
    "number": string | null;
    "status": string;
    "account_id": string;
    "currency": string;
    "due_on": string;
    "memo": string;
    "total": MoneyOut;
    "paid": MoneyOut;
    "credited": MoneyOut;
    "amount_due": MoneyOut;
    "issued_at": string | null;
    "lines": Array<Edtech__billing__api__schemas__LineOut>;
};
/** One background job; `last_error` is the latest failed attempt's error. */
export type JobOut = {
    "id": string;
    "name": string;
    "args": Record<string, unknown>;
    "state": JobStateIn;
    "attempts": number;
    "max_attempts": number;
    "run_at": string;
    "institution_id": string | null;
    "node": string | null;
    "last_error": string | null;
    "created_at": string;
    "started_at": string | null;
    "finished_at": string | null;
};
export type JobStateIn = "queued" | "running" | "succeeded" | "failed";
export type LedgerOut = {
    "account_id": string;
    "rows": Array<LedgerRowOut>;
    "receivable": MoneyOut;
    "customer_credit": MoneyOut;
    "net_owed": MoneyOut;
};
export type LedgerRowOut = {
    "transaction_id": string;
    "kind": string;
    "reference_id": string;
    "ledger_account": string;
    "amount": MoneyOut;
    "occurred_at": string;
};
export type LetterTemplateIn = {
    "title": string;
    "body": string;
};
export type LetterTemplateOut = {
    "title": string;
    "body": string;
    "placeholders": Record<string, unknown>;
};
/** `none` below the threshold; `alert` at or above it. */
export type Level = "none" | "alert";
export type LineIn = {
    "description": string;
    "amount": string;
    "student_id"?: string | null;
    "category_id"?: string | null;
};
export type LineItemBody = {
    "lineItem": LineItemIn;
};
export type LineItemIn = {
    "title": string;
    "description"?: string | null;
    "class": RefIn;
    "category"?: RefIn | null;
    "gradingPeriod"?: RefIn | null;
    "resultValueMin"?: number | string | null;
    "resultValueMax": number | string;
    "dueDate"?: string | null;
    "assignDate"?: string | null;
};
export type LinesIn = {
    "lines": Array<LineIn>;
};
export type MarkChangeOut = {
    "at": string;
    "actor_id": string | null;
    "source": string;
    "before": Record<string, unknown>;
    "after": Record<string, unknown>;
    "reason": string | null;
};
export type MarkIn = {
    "code": string;
    "version"?: number | null;
    "minutes_late"?: number | null;
    "arrived_at"?: string | null;
    "departed_at"?: string | null;
    "reason"?: string | null;
};
export type MeOut = {
    "person": PersonOut;
    "institution": Edtech__institutions__api__schemas__InstitutionOut;
    "roles": Array<RoleOut>;
    "sections": Array<MySectionOut>;
    "children": Array<ChildOut>;
};
/** One page of students' measures, with the range (school days) and the scope's figures. */
export type MeasuresPage = {
    "items": Array<StudentMeasuresOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
    "first": string;
    "last": string;
    "summary": ScopeMeasuresOut;
};
export type MeetingOut = {
    "section_id": string;
    "starts_at": string;
    "ends_at": string;
};
/** A weekly slot in the school's wall-clock time. */
export type MeetingTimeIO = {
    "weekday": Weekday;
    "starts_at": string;
    "ends_at": string;
};
export type MessageEditIn = {
    "body": string;
};
export type MessageIn = {
    "client_id": string;
    "body": string;
    "attachment_ids"?: Array<string>;
};
export type MessageOut = {
    "id": string;
    "conversation_id": string;
    "seq": number;
    "sender_id": string;
    "client_id": string;
    "kind": string;
    "body": string | null;
    "version": number;
    "created_at": string;
    "edited_at": string | null;
    "retracted_at": string | null;
    "retracted": boolean;
    "attachments"?: Array<AttachmentOut>;
    "delivered_to"?: Array<string>;
};
export type MessagesPage = {
    "items": Array<MessageOut>;
    "next_before": number | null;
};
export type MessagingSettingsIO = {
    "students_may_message_students"?: boolean;
    "teachers_may_message_students"?: boolean;
    "guardians_may_message_admins"?: boolean;
    "office_staff_may_message_guardians"?: boolean;
    "staff_may_message_staff"?: boolean;
};
export type MoneyOut = {
    "minor": number;
    "currency": string;
    "amount": string;
};
export type MySectionOut = {
    "section_id": string;
    "title": string;
    "course_title": string;
    "school_id": string;
    "role": EnrollmentRole;
    "is_primary": boolean;
};
export type NonSchoolDayOut = {
    "day": string;
    "kind": DayKind;
    "reason": string;
};
export type NotificationOut = {
    "id": string;
    "category": Edtech__notifications__domain__categories__Category;
    "title": string;
    "body": string;
    "created_at": string;
    "seen_at": string | null;
    "read_at": string | null;
    "attempts": Array<AttemptOut>;
};
/** The institution's notification policy. */
export type NotificationPolicyIO = {
    "mandatory": Array<Edtech__notifications__domain__categories__Category>;
};
/** OneRoster `Org.type` values below the tenant. */
export type OrgType = "district" | "school" | "department";
export type Outcome = "sent" | "resent" | "has_login" | "no_email" | "email_taken" | "failed";
export type Page_AssessmentOut_ = {
    "items": Array<AssessmentOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_AuditEntryOut_ = {
    "items": Array<AuditEntryOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_BellScheduleOut_ = {
    "items": Array<BellScheduleOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_BlockOut_ = {
    "items": Array<BlockOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_ChangeOut_ = {
    "items": Array<ChangeOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_CourseOut_ = {
    "items": Array<CourseOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_DayOut_ = {
    "items": Array<DayOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_DeviceOut_ = {
    "items": Array<Edtech__identity__api__devices__DeviceOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_EnrollmentOut_ = {
    "items": Array<EnrollmentOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_ExcuseOut_ = {
    "items": Array<ExcuseOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_ExportAuditOut_ = {
    "items": Array<ExportAuditOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_FileOut_ = {
    "items": Array<FileOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_GuardianLinkOut_ = {
    "items": Array<GuardianLinkOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_InstitutionOut_ = {
    "items": Array<Edtech__identity__api__operators__InstitutionOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_InvitationRowOut_ = {
    "items": Array<InvitationRowOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_InvoiceOut_ = {
    "items": Array<InvoiceOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_JobOut_ = {
    "items": Array<JobOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_NotificationOut_ = {
    "items": Array<NotificationOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_PairingRequestRowOut_ = {
    "items": Array<PairingRequestRowOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_PaymentOut_ = {
    "items": Array<PaymentOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_PersonOut_ = {
    "items": Array<PersonOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_PublicationOut_ = {
    "items": Array<PublicationOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_ReceivedAnnouncementOut_ = {
    "items": Array<ReceivedAnnouncementOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_RecipientOut_ = {
    "items": Array<RecipientOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_ReportRowOut_ = {
    "items": Array<ReportRowOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_RosterEntryOut_ = {
    "items": Array<RosterEntryOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_RotationOut_ = {
    "items": Array<RotationOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SchemeOut_ = {
    "items": Array<SchemeOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SchoolOut_ = {
    "items": Array<SchoolOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SectionOut_ = {
    "items": Array<SectionOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SentAnnouncementOut_ = {
    "items": Array<SentAnnouncementOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SignalOut_ = {
    "items": Array<SignalOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_SsoProviderOut_ = {
    "items": Array<SsoProviderOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Page_TermOut_ = {
    "items": Array<TermOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type PairingCodeIn = {
    "student_id": string;
};
export type PairingCodeOut = {
    "id": string;
    "student_id": string;
    "code": string;
    "expires_at": string;
};
export type PairingRequestIn = {
    "code": string;
    "relationship"?: string;
};
export type PairingRequestOut = {
    "id": string;
    "student_id": string;
    "guardian_id": string;
    "relationship": string;
    "state": PairingState;
    "requested_at": string;
    "decided_at": string | null;
    "link_id": string | null;
};
export type PairingRequestRowOut = {
    "id": string;
    "student_id": string;
    "guardian_id": string;
    "relationship": string;
    "state": PairingState;
    "requested_at": string;
    "decided_at": string | null;
    "link_id": string | null;
    "student_name": string;
    "guardian_name": string;
};
export type PairingState = "pending" | "approved" | "rejected";
export type ParticipantOut = {
    "person_id": string;
    "display_name": string | null;
    "read_seq": number;
};
export type PaymentIn = {
    "amount": string;
    "currency": string;
    "method": PaymentMethod;
    "reference"?: string;
    "received_at"?: string | null;
    "allocations"?: Array<AllocationIn> | null;
};
export type PaymentMethod = "cash" | "cheque" | "bank_transfer" | "card";
export type PaymentOut = {
    "id": string;
    "receipt_number": string;
    "account_id": string;
    "amount": MoneyOut;
    "allocated": MoneyOut;
    "refunded": MoneyOut;
    "account_credit": MoneyOut;
    "method": PaymentMethod;
    "reference": string;
    "received_at": string;
};
/** A period in the school's wall-clock time. */
export type PeriodIO = {
    "name": string;
    "starts_at": string;
    "ends_at": string;
};
export type PersonOut = {
    "id": string;
    "given_name": string;
    "family_name": string;
    "display_name": string;
    "email": string | null;
    "sourced_id": string | null;
    "grade_level": string | null;
    "birth_date": string | null;
    "ends_on": string | null;
    "erased_at"?: string | null;
    "roles"?: Array<RoleOut>;
};
export type PersonPatch = {
    "given_name"?: string | null;
    "family_name"?: string | null;
    "email"?: string | null;
    "sourced_id"?: string | null;
    "grade_level"?: string | null;
    "birth_date"?: string | null;
};
export type PlanIn = {
    "first": string;
    "last"?: string | null;
    "section_ids"?: Array<string> | null;
};
export type PlanOut = {
    "created": Array<string>;
};
/** Automatic: a result is published as it is entered. Manual: drafts wait for publication. */
export type PostPolicy = "automatic" | "manual";
export type PostedOut = {
    "id": string;
    "conversation_id": string;
    "seq": number;
    "sender_id": string;
    "client_id": string;
    "kind": string;
    "body": string | null;
    "version": number;
    "created_at": string;
    "edited_at": string | null;
    "retracted_at": string | null;
    "retracted": boolean;
    "attachments"?: Array<AttachmentOut>;
    "delivered_to"?: Array<string>;
    "replayed": boolean;
    "notices"?: Array<QuietNoticeOut>;
};
/** Only what changes: channels per category not named keep their current value; quiet hours and the SMS number are replaced (null clears them). */
export type PreferencesIn = {
    "categories"?: Record<string, unknown>;
    "quiet_hours"?: QuietHoursIO | null;
    "sms_number"?: string | null;
    "language"?: "en" | "es" | null;
    "digest"?: Record<string, unknown>;
    "digest_hour"?: number | null;
};
export type PreferencesOut = {
    "categories": Record<string, unknown>;
    "mandatory": Array<Edtech__notifications__domain__categories__Category>;
    "quiet_hours": QuietHoursIO | null;
    "sms_number": string | null;
    "language": "en" | "es" | null;
    "effective_language": "en" | "es";
    "digest": Record<string, unknown>;
    "digest_hour": number;
    "timezone": string;
};
export type Priority = "normal" | "urgent";
/** RFC 9457 problem details. `code` is our stable machine-readable error code; validation problems list what was wrong in `errors`. Other extension members may appear (never replacing the standard ones). */
export type Problem = {
    "type": string;
    "title": string;
    "status": number;
    "detail": string;
    "code"?: string;
    "instance"?: string;
    "errors"?: Array<{
        "loc": Array<string | number>;
        "msg": string;
        "type": string;
    }>;
};
export type ProvisionedOut = {
    "institution_id": string;
    "admin_person_id": string;
    "invitation_id": string | null;
    "setup_link_expires_at": string | null;
    "setup_link_mailed": boolean;
};
/** A button on the school's sign-in page. */
export type PublicProviderOut = {
    "name": string;
    "display_name": string;
    "start_url": string;
};
export type PublicationOut = {
    "id": string;
    "assessment_id": string;
    "section_id": string;
    "scope": PublishScope;
    "student_ids": Array<string>;
    "published_by": string;
    "published_by_name": string;
    "published_at": string;
    "changes": Array<PublishedChangeOut>;
};
export type PublishIn = {
    "scope"?: PublishScope;
    "student_ids"?: Array<string>;
    "reason"?: string | null;
};
/** Publish every result, only results that are graded, or the chosen students' results. */
export type PublishScope = "all" | "graded" | "students";
export type PublishedChangeOut = {
    "student_id": string;
    "before": Edtech__grades__api__schemas__results__MarkOut | null;
    "after": Edtech__grades__api__schemas__results__MarkOut;
    "summary": Array<string>;
};
export type QrOut = {
    "session_id": string;
    "token": string;
    "expires_at": string;
};
/** Every day from `starts_at` to `ends_at`, school time (may run past midnight). */
export type QuietHoursIO = {
    "starts_at": string;
    "ends_at": string;
};
export type QuietHoursIn = {
    "starts_at": string;
    "ends_at": string;
    "weekdays"?: Array<number>;
};
export type QuietHoursOut = {
    "starts_at": string | null;
    "ends_at": string | null;
    "weekdays": Array<number>;
    "timezone": string;
    "quiet_until": string | null;
};
export type QuietNoticeOut = {
    "person_id": string;
    "display_name": string;
    "until": string;
};
export type ReadIn = {
    "up_to_seq": number;
};
export type ReasonIn = {
    "reason": string;
};
export type ReceivedAnnouncementOut = {
    "id": string;
    "sender_id": string;
    "title": string;
    "body": string;
    "priority": Priority;
    "audience": AudienceIO;
    "requires_ack": boolean;
    "publish_at": string;
    "published_at": string | null;
    "created_at": string;
    "attachments"?: Array<AttachmentOut>;
    "acknowledged_at": string | null;
};
export type RecipientAttemptOut = {
    "state": string;
    "reason": string | null;
    "finished_at": string | null;
};
/** One recipient of a batch: whether and how they were reached. */
export type RecipientOut = {
    "person_id": string;
    "name": string | null;
    "reached": boolean;
    "reached_at": string | null;
    "how": Array<string>;
    "seen_at": string | null;
    "read_at": string | null;
    "channels": Record<string, unknown>;
};
export type RecordType = "excuse" | "payment" | "invoice" | "student" | "draft" | "message" | "announcement";
/** A reference: `{"sourcedId": ..., "type": ..., "href": ...}`. */
export type RefIn = {
    "sourcedId": string;
    "type"?: string | null;
    "href"?: string | null;
};
export type RefreshIn = {
    "refresh_token": string;
};
export type RefundIn = {
    "amount": string;
    "currency"?: string | null;
    "reason": string;
};
export type RefundOut = {
    "id": string;
    "number": string;
    "payment_id": string;
    "amount": MoneyOut;
    "reason": string;
    "created_at": string;
    "provider": string | null;
    "provider_ref": string | null;
};
export type ReportOut = {
    "id": string;
};
export type ReportRowOut = {
    "id": string;
    "message_id": string;
    "conversation_id": string;
    "reporter_id": string;
    "reason": string;
    "created_at": string;
};
export type ReportSessionOut = {
    "session_id": string;
    "section_id": string;
    "day": string;
    "starts_at": string;
    "code": string | null;
    "category": string | null;
    "minutes_late": number | null;
};
export type ResetCompleteIn = {
    "token": string;
    "new_password": string;
};
export type ResetRequestIn = {
    "email": string;
};
export type ResultBody = {
    "result": Edtech__oneroster__api__gradebook__ResultIn;
};
export type ResultOut = {
    "id": string;
    "assessment_id": string;
    "student_id": string;
    "draft": Edtech__grades__api__schemas__results__MarkOut;
    "published": Edtech__grades__api__schemas__results__MarkOut | null;
    "published_at": string | null;
    "unpublished_changes": boolean;
    "version": number;
};
export type RetentionIn = {
    "periods": Record<string, unknown>;
};
/** Every category's period, with the range the institution may choose from. */
export type RetentionOut = {
    "categories": Array<CategoryRetention>;
};
export type RevokedOut = {
    "invitation_id": string;
    "person_id": string;
    "revoked_at": string;
};
/** Roles a person can hold in an institution (OneRoster roles, plus our office roles). */
export type Role = "institution_admin" | "school_admin" | "teacher" | "student" | "guardian" | "accountant" | "attendance_officer" | "counsellor";
export type RoleIn = {
    "role": Role;
    "school_id"?: string | null;
    "begins_on"?: string | null;
    "ends_on"?: string | null;
};
export type RoleOut = {
    "id": string;
    "role": Role;
    "school_id": string | null;
    "begins_on": string;
    "ends_on": string | null;
    "active": boolean;
};
export type RolloverIn = {
    "school_year_id": string;
    "on": string;
    "dry_run"?: boolean;
};
export type RolloverOut = {
    "dry_run": boolean;
    "on": string;
    "enrollments_ended": number;
    "roles_ended": number;
    "promoted": Record<string, unknown>;
    "graduating": number;
};
export type RosterEntryOut = {
    "enrollment_id": string;
    "person_id": string;
    "given_name": string;
    "family_name": string;
    "email": string | null;
    "grade_level": string | null;
    "role": EnrollmentRole;
    "is_primary": boolean;
    "begins_on": string;
    "ends_on": string | null;
};
export type RotationIn = {
    "school_id": string;
    "name": string;
    "labels": Array<string>;
    "starts_on": string;
    "bell_schedule_id": string;
};
export type RotationMeetingIO = {
    "section_id": string;
    "label": string;
    "period": string;
};
export type RotationMeetingsIn = {
    "meetings": Array<RotationMeetingIO>;
};
export type RotationOut = {
    "id": string;
    "school_id": string;
    "name": string;
    "labels": Array<string>;
    "starts_on": string;
    "bell_schedule_id": string;
    "meetings": Array<RotationMeetingIO>;
};
export type ScanBatchIn = {
    "scans": Array<ScanItem>;
};
export type ScanBatchOut = {
    "results": Array<ScanResultOut>;
    "counts": Record<string, unknown>;
};
export type ScanItem = {
    "id": string;
    "credential": string;
    "scanned_at": string;
};
export type ScanResultOut = {
    "id": string;
    "result": string;
    "reason"?: string | null;
    "student_id"?: string | null;
    "session_id"?: string | null;
    "category"?: string | null;
    "minutes_late"?: number | null;
    "original"?: string | null;
};
export type SchemeIn = {
    "name": string;
    "kind": SchemeKind;
    "bands"?: Array<BandIn>;
    "pass_percent"?: number | string | null;
};
/** What a teacher types into a cell of an assessment using the scheme. */
export type SchemeKind = "points" | "percent" | "letter" | "pass_fail";
export type SchemeOut = {
    "id": string;
    "name": string;
    "kind": SchemeKind;
    "bands": Array<BandOut>;
    "pass_percent": string | null;
};
/** What a school's day is: a school day or not (and why), its rotation day labels, and the rotation meetings of the day in the school's wall-clock time. */
export type SchoolDayOut = {
    "school_id": string;
    "day": string;
    "school_day": boolean;
    "reason": string | null;
    "labels": Record<string, unknown>;
    "meetings": Array<Record<string, unknown>>;
};
export type SchoolIn = {
    "name": string;
    "org_type"?: OrgType;
    "parent_id"?: string | null;
    "timezone"?: string | null;
    "sourced_id"?: string | null;
};
export type SchoolOut = {
    "id": string;
    "name": string;
    "org_type": OrgType;
    "parent_id": string | null;
    "timezone": string | null;
    "sourced_id": string | null;
};
export type SchoolPatch = {
    "name"?: string | null;
    "org_type"?: OrgType | null;
    "timezone"?: string | null;
    "sourced_id"?: string | null;
};
/** The scope's days, average daily membership (ADM) and attendance (ADA), and how many students are chronically absent. */
export type ScopeMeasuresOut = {
    "days": number;
    "average_daily_membership": number;
    "average_daily_attendance": number;
    "ada_percent": number | null;
    "students": number;
    "chronic_students": number;
    "chronic_percent": number;
};
export type SectionIn = {
    "course_id": string;
    "term_id": string;
    "title": string;
    "code"?: string | null;
    "room"?: string | null;
    "class_type"?: ClassType;
    "meetings"?: Array<MeetingTimeIO>;
    "sourced_id"?: string | null;
};
export type SectionOut = {
    "id": string;
    "school_id": string;
    "course_id": string;
    "course_title": string;
    "term_id": string;
    "term_title": string;
    "title": string;
    "code": string | null;
    "room": string | null;
    "class_type": ClassType;
    "meetings": Array<MeetingTimeIO>;
    "sourced_id": string | null;
};
export type SectionPatch = {
    "title"?: string | null;
    "code"?: string | null;
    "room"?: string | null;
    "class_type"?: ClassType | null;
    "meetings"?: Array<MeetingTimeIO> | null;
    "sourced_id"?: string | null;
};
export type SectionReportOut = {
    "section_id": string;
    "first": string;
    "last": string;
    "students": Array<StudentLineOut>;
};
export type SentAnnouncementOut = {
    "id": string;
    "sender_id": string;
    "title": string;
    "body": string;
    "priority": Priority;
    "audience": AudienceIO;
    "requires_ack": boolean;
    "publish_at": string;
    "published_at": string | null;
    "created_at": string;
    "attachments"?: Array<AttachmentOut>;
    "recipient_count": number;
    "acknowledged_count": number;
};
/** A session on demand; its `day` is the date of `starts_at` in the school's time zone. */
export type SessionIn = {
    "section_id": string;
    "starts_at": string;
    "ends_at": string;
    "grace_minutes"?: number;
    "late_cutoff_minutes"?: number;
    "opens_before_minutes"?: number;
};
/** Academic sessions nest: school year → term → grading period. */
export type SessionKind_Input = "school_year" | "term" | "grading_period";
export type SessionLineOut = {
    "session_id": string;
    "section_id": string;
    "starts_at": string;
    "state": string;
    "summary": SummaryOut;
};
/** A student's current signal: its level and the evidence behind it (the sessions missed are listed by id: `GET /api/v1/attendance/sessions/{id}`). */
export type SignalOut = {
    "id": string;
    "student_id": string;
    "school_id": string | null;
    "indicator": Indicator;
    "level": Level;
    "missed": number;
    "counted": number;
    "evidence": string;
    "missed_sessions": Array<string>;
    "links"?: Array<Record<string, unknown>>;
};
export type SponsorshipIn = {
    "student_id": string;
    "category_ids": Array<string>;
};
export type SponsorshipOut = {
    "student_id": string;
    "category_id": string;
};
/** What the provider sent back to the browser at `/app/sso/callback`. */
export type SsoCallbackIn = {
    "state": string;
    "code": string;
};
export type SsoProviderIn = {
    "name": string;
    "display_name": string;
    "issuer": string;
    "client_id": string;
    "client_secret": string;
    "allowed_domains": Array<string>;
    "passwords_allowed"?: boolean;
    "enabled"?: boolean;
};
/** A sign-in provider (its client secret is never shown). */
export type SsoProviderOut = {
    "id": string;
    "name": string;
    "display_name": string;
    "issuer": string;
    "client_id": string;
    "allowed_domains": Array<string>;
    "passwords_allowed": boolean;
    "enabled": boolean;
    "created_at": string;
    "updated_at": string;
    "redirect_uri": string;
};
export type SsoProviderPatch = {
    "display_name"?: string | null;
    "issuer"?: string | null;
    "client_id"?: string | null;
    "client_secret"?: string | null;
    "allowed_domains"?: Array<string> | null;
    "passwords_allowed"?: boolean | null;
    "enabled"?: boolean | null;
};
export type SsoTokenOut = {
    "access_token": string;
    "token_type"?: "bearer";
    "expires_in": number;
    "refresh_token": string;
    "refresh_expires_in": number;
    "person_id": string;
    "linked": boolean;
};
export type StudentGradesOut = {
    "section_id": string;
    "student_id": string;
    "grading_period_id": string | null;
    "results": Array<StudentResultOut>;
    "total": TotalOut;
    "teacher_total"?: TotalOut | null;
};
export type StudentIn = {
    "student_id": string;
};
export type StudentLineOut = {
    "student_id": string;
    "name": string | null;
    "summary": SummaryOut;
};
/** A student's attendance over the range. Days are school days with an ended session of theirs in the scope; a day counts as attended in full at ≥ 75 % of its periods, as half a day at ≥ 25 %. Absences are periods, excused and unexcused apart. */
export type StudentMeasuresOut = {
    "student_id": string;
    "name": string | null;
    "days_enrolled": number;
    "days_attended": number;
    "days_absent": number;
    "attendance_percent": number | null;
    "chronic": boolean;
    "longest_absence_streak": number;
    "current_absence_streak": number;
    "sessions": number;
    "absences_excused": number;
    "absences_unexcused": number;
    "tardies": number;
    "minutes_late": number;
    "first_day": string | null;
    "last_day": string | null;
};
export type StudentOverviewOut = {
    "student_id": string;
    "sections": Array<StudentGradesOut>;
};
export type StudentRef = {
    "student_id": string;
    "name": string | null;
};
export type StudentReportOut = {
    "student_id": string;
    "name": string | null;
    "first": string;
    "last": string;
    "summary": SummaryOut;
    "sessions": Array<ReportSessionOut>;
};
export type StudentResultOut = {
    "assessment_id": string;
    "title": string;
    "category_id": string;
    "max_points": string;
    "due_at": string | null;
    "published": Edtech__grades__api__schemas__results__MarkOut | null;
    "published_at": string | null;
    "draft"?: Edtech__grades__api__schemas__results__MarkOut | null;
};
export type SummaryOut = {
    "sessions": number;
    "marked": number;
    "present_percent": number | null;
    "present": number;
    "tardies": number;
    "minutes_late": number;
    "absences_excused": number;
    "absences_unexcused": number;
    "early_departures": number;
};
export type SuspendIn = {
    "reason"?: string | null;
};
/** Who a fee item applies to. */
export type Target = "everyone" | "school" | "grade" | "section" | "student";
export type TermIn = {
    "kind": SessionKind_Input;
    "title": string;
    "starts_on": string;
    "ends_on": string;
    "school_id"?: string | null;
    "parent_id"?: string | null;
    "closes_on"?: string | null;
};
export type TermOut = {
    "id": string;
    "kind": Edtech__institutions__domain__organization__SessionKind;
    "title": string;
    "starts_on": string;
    "ends_on": string;
    "school_id": string | null;
    "parent_id": string | null;
    "closes_on": string | null;
};
export type TermPatch = {
    "title"?: string | null;
    "starts_on"?: string | null;
    "ends_on"?: string | null;
    "closes_on"?: string | null;
};
/** Where each indicator becomes an alert, and whether guardians see their children's signals. Omitted values take their defaults. */
export type ThresholdsIn = {
    "chronic_absence_percent"?: number;
    "consecutive_absent_days"?: number;
    "failing_percent"?: number;
    "grade_drop_points"?: number;
    "missing_work"?: number;
    "full_day_percent"?: number;
    "half_day_percent"?: number;
    "not_taken_after_minutes"?: number;
    "guardians_see_signals"?: boolean;
};
export type ThresholdsOut = {
    "chronic_absence_percent"?: number;
    "consecutive_absent_days"?: number;
    "failing_percent"?: number;
    "grade_drop_points"?: number;
    "missing_work"?: number;
    "full_day_percent"?: number;
    "half_day_percent"?: number;
    "not_taken_after_minutes"?: number;
    "guardians_see_signals"?: boolean;
};
export type TokenIn = {
    "token": string;
};
/** A token pair. Send `access_token` as `Authorization: Bearer …`; keep `refresh_token` secret and exchange it at `/api/v1/auth/refresh` before it expires. */
export type TokenOut = {
    "access_token": string;
    "token_type"?: "bearer";
    "expires_in": number;
    "refresh_token": string;
    "refresh_expires_in": number;
};
/** A total and its derivation: categories, weights, drops, exclusions, and one sentence. */
export type TotalOut = {
    "percent": string | null;
    "letter": string | null;
    "weighting": Weighting;
    "text": string;
    "rounding": string;
    "categories": Array<CategoryTotalOut>;
};
/** What will be sent: the store is told to take exactly these bytes. */
export type UploadIn = {
    "filename": string;
    "content_type": string;
    "size_bytes": number;
    "sha256": string;
};
/** Send the bytes with `method` to `url`, with exactly `headers`, before `expires_at`; then POST to `confirm`. */
export type UploadSlotOut = {
    "id": string;
    "method": string;
    "url": string;
    "headers": Record<string, unknown>;
    "expires_at": string;
    "confirm": string;
};
export type VersionOut = {
    "version": number;
    "body": string;
    "written_at": string;
};
export type WebPushKeyOut = {
    "public_key": string;
    "subscriptions": string;
};
export type WebPushKeysIn = {
    "p256dh": string;
    "auth": string;
};
/** What the browser's `PushSubscription.toJSON()` gives, as it gives it. */
export type WebPushSubscriptionIn = {
    "endpoint": string;
    "expirationTime"?: number | null;
    "keys": WebPushKeysIn;
};
export type WebPushSubscriptionOut = {
    "id": string;
    "endpoint": string;
    "created_at": string;
    "disabled_at": string | null;
    "disabled_reason": string | null;
};
/** `recorded` is false for a replay, an intent already paid, a checkout that is not ours, or an event we ignore: each is acknowledged (2xx) so the provider stops delivering it. */
export type WebhookOut = {
    "received"?: boolean;
    "recorded": boolean;
    "payment_id"?: string | null;
};
/** Days of the week by name; `iso` is the ISO 8601 number (Monday = 1). */
export type Weekday = "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";
/** Weighted: categories count by their weights. Unweighted: every point counts the same. */
export type Weighting = "weighted" | "unweighted";
export type Edtech__attendance__api__schemas__MarkOut = {
    "student_id": string;
    "name"?: string | null;
    "teacher_code": string | null;
    "official_code": string | null;
    "category": Edtech__attendance__domain__codes__Category | null;
    "minutes_late": number | null;
    "arrived_at": string | null;
    "departed_at": string | null;
    "source": string | null;
    "version": number;
};
export type Edtech__attendance__api__schemas__SessionOut = {
    "id": string;
    "section_id": string;
    "school_id": string;
    "kind": Edtech__attendance__domain__sessions__SessionKind;
    "day": string;
    "opens_at": string;
    "starts_at": string;
    "ends_at": string;
    "closes_at": string;
    "grace_minutes": number;
    "late_cutoff_minutes": number;
    "state": string;
    "closed_at": string | null;
    "locked_at": string | null;
    "cancelled_at"?: string | null;
    "cancel_reason"?: string | null;
};
/** The presence axis of a code; the excuse axis is folded in as `excused_absence`. */
export type Edtech__attendance__domain__codes__Category = "present" | "tardy" | "absent" | "excused_absence" | "early_departure";
export type Edtech__attendance__domain__sessions__SessionKind = "period" | "daily";
export type Edtech__billing__api__schemas__AccountIn = {
    "kind"?: AccountKind;
    "name": string;
    "students"?: Array<AccountStudentIn>;
    "sponsorships"?: Array<SponsorshipIn>;
};
export type Edtech__billing__api__schemas__AccountOut = {
    "id": string;
    "kind": AccountKind;
    "name": string;
    "currency": string;
    "students": Array<AccountStudentOut>;
    "sponsorships": Array<SponsorshipOut>;
};
export type Edtech__billing__api__schemas__CategoryIn = {
    "code": string;
    "name": string;
};
export type Edtech__billing__api__schemas__CategoryOut = {
    "id": string;
    "code": string;
    "name": string;
};
export type Edtech__billing__api__schemas__LineOut = {
    "id": string;
    "seq": number;
    "kind": string;
    "description": string;
    "amount": MoneyOut;
    "student_id": string | null;
    "category_id": string | null;
};
export type Edtech__communication__api__schemas__ReadOut = {
    "read_seq": number;
    "last_seq": number;
    "receipt_held": boolean;
};
/** The audit record: which files went, which stayed and why, which lost their maker. */
export type Edtech__files__api__erasures__ErasureOut = {
    "id": string;
    "person_id": string;
    "erased_by": string;
    "erased_at": string;
    "deleted": Array<ErasedFile>;
    "kept": Array<ErasedFile>;
    "anonymised": Array<ErasedFile>;
};
export type Edtech__files__api__erasures__PersonIn = {
    "person_id": string;
};
/** Why a file exists; it decides who may read it and how long it is kept. */
export type Edtech__files__domain__Category = "excuse_note" | "receipt" | "report_card" | "record_package" | "statement" | "invoice" | "attendance_letter" | "attachment";
export type Edtech__grades__api__schemas__results__BatchOut = {
    "items": Array<BatchItemOut>;
    "publications": Array<PublicationOut>;
};
export type Edtech__grades__api__schemas__results__MarkOut = {
    "points": string | null;
    "entered": string | null;
    "comment": string | null;
    "flags": Array<Flag>;
};
export type Edtech__grades__api__schemas__results__ResultIn = {
    "value"?: number | string | null;
    "comment"?: string | null;
    "flags"?: Array<Flag>;
    "version"?: number | null;
    "reason"?: string | null;
};
export type Edtech__grades__api__schemas__setup__CategoryIn = {
    "id"?: string | null;
    "name": string;
    "weight_ppm"?: number;
    "drop_lowest"?: number;
};
export type Edtech__grades__api__schemas__setup__CategoryOut = {
    "id": string;
    "name": string;
    "weight_ppm": number;
    "drop_lowest": number;
};
export type Edtech__grades__api__schemas__views__LineOut = {
    "assessment_id": string;
    "title": string;
    "points": string | null;
    "max_points": string;
    "status": string;
};
export type Edtech__identity__api__accounts__AccountIn = {
    "email": string;
    "password": string;
    "is_active"?: boolean;
};
export type Edtech__identity__api__accounts__AccountOut = {
    "id": string;
    "person_id": string;
    "email": string;
    "is_active": boolean;
    "created_at": string;
    "last_login_at": string | null;
};
/** One of the caller's live sign-in sessions. */
export type Edtech__identity__api__auth__SessionOut = {
    "id": string;
    "created_at": string;
    "last_refreshed_at": string | null;
    "client_address": string | null;
    "user_agent": string | null;
    "current": boolean;
};
export type Edtech__identity__api__devices__DeviceIn = {
    "school_id": string;
    "name": string;
    "location"?: string | null;
};
export type Edtech__identity__api__devices__DeviceOut = {
    "id": string;
    "school_id": string;
    "name": string;
    "location": string | null;
    "key_prefix": string;
    "created_at": string;
    "revoked_at": string | null;
    "last_seen_at": string | null;
};
export type Edtech__identity__api__operators__InstitutionOut = {
    "id": string;
    "slug": string;
    "name": string;
    "timezone": string;
    "locale": string;
    "currency": string;
    "created_at": string;
    "suspended": boolean;
};
/** What an erasure did: the person's personal fields it anonymised, the data it deleted, and what it kept, with the reason for each. */
export type Edtech__institutions__api__schemas__ErasureOut = {
    "person_id": string;
    "erased_at": string;
    "erased_by": string;
    "anonymised": Array<string>;
    "dropped": Array<ErasedOut>;
    "kept": Array<ErasedOut>;
};
export type Edtech__institutions__api__schemas__InstitutionOut = {
    "id": string;
    "slug": string;
    "name": string;
    "timezone": string;
    "locale": string;
    "currency": string;
};
export type Edtech__institutions__api__schemas__PersonIn = {
    "given_name": string;
    "family_name": string;
    "email"?: string | null;
    "sourced_id"?: string | null;
    "grade_level"?: string | null;
    "birth_date"?: string | null;
    "roles"?: Array<RoleIn>;
};
/** Academic sessions nest: school year → term → grading period. */
export type Edtech__institutions__domain__organization__SessionKind = "school_year" | "term" | "grading_period";
export type Edtech__notifications__api__schemas__BatchOut = {
    "batch_id": string;
    "total": number;
    "reached": number;
    "percent": number;
    "channels": Record<string, unknown>;
    "channel": string;
};
export type Edtech__notifications__api__schemas__DeviceIn = {
    "platform": "fcm" | "apns";
    "token": string;
};
export type Edtech__notifications__api__schemas__DeviceOut = {
    "id": string;
};
export type Edtech__notifications__api__schemas__ReadOut = {
    "read": number;
};
export type Edtech__notifications__domain__categories__Category = "absence" | "grade_published" | "announcement" | "urgent_announcement" | "message" | "billing" | "account";
export type Edtech__oneroster__api__gradebook__CategoryIn = {
    "title": string;
    "weight"?: number | string | null;
};
export type Edtech__oneroster__api__gradebook__ResultIn = {
    "lineItem": RefIn;
    "student": RefIn;
    "score"?: number | string | null;
    "scoreStatus": "exempt" | "fully graded" | "not submitted" | "partially graded" | "submitted";
    "scoreDate"?: string | null;
    "comment"?: string | null;
};
export type Edtech__platform__http__pagination__Page_SessionOut___1 = {
    "items": Array<Edtech__identity__api__auth__SessionOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
export type Edtech__platform__http__pagination__Page_SessionOut___2 = {
    "items": Array<Edtech__attendance__api__schemas__SessionOut>;
    "total": number;
    "limit": number;
    "offset": number;
    "next"?: string | null;
};
/** Each operation's success body, by "METHOD /path" (null: no body). */
export interface Responses {
    "GET /api/v1/announcements": Page_ReceivedAnnouncementOut_;
    "POST /api/v1/announcements": AnnouncementOut;
    "GET /api/v1/announcements/sent": Page_SentAnnouncementOut_;
    "POST /api/v1/announcements/{announcement_id}/acknowledge": null;
    "GET /api/v1/announcements/{announcement_id}/acknowledgements": AcknowledgementsOut;
    "GET /api/v1/assessments/{assessment_id}": AssessmentOut;
    "PATCH /api/v1/assessments/{assessment_id}": AssessmentOut;
    "GET /api/v1/assessments/{assessment_id}/history": Page_ChangeOut_;
    "GET /api/v1/assessments/{assessment_id}/publications": Page_PublicationOut_;
    "POST /api/v1/assessments/{assessment_id}/publications": PublicationOut;
    "PUT /api/v1/assessments/{assessment_id}/results/{student_id}": BatchItemOut;
    "POST /api/v1/attendance/check-ins": CheckInOut;
    "GET /api/v1/attendance/codes": Array<CodeOut>;
    "POST /api/v1/attendance/codes": CodeOut;
    "PATCH /api/v1/attendance/codes/{code}": CodeOut;
    "POST /api/v1/attendance/credentials": CredentialOut;
    "DELETE /api/v1/attendance/credentials/{credential_id}": null;
    "GET /api/v1/attendance/excuses": Page_ExcuseOut_;
    "POST /api/v1/attendance/excuses": ExcuseOut;
    "POST /api/v1/attendance/excuses/{excuse_id}/decision": ExcuseOut;
    "GET /api/v1/attendance/reports/days/{day}": DayReportOut;
    "GET /api/v1/attendance/reports/sections/{section_id}": SectionReportOut;
    "GET /api/v1/attendance/reports/students/{student_id}": StudentReportOut;
    "POST /api/v1/attendance/scans": ScanBatchOut;
    "GET /api/v1/attendance/sessions": Edtech__platform__http__pagination__Page_SessionOut___2;
    "POST /api/v1/attendance/sessions": Edtech__attendance__api__schemas__SessionOut;
    "POST /api/v1/attendance/sessions/plan": PlanOut;
    "GET /api/v1/attendance/sessions/{session_id}": Edtech__attendance__api__schemas__SessionOut;
    "GET /api/v1/attendance/sessions/{session_id}/board": BoardOut;
    "POST /api/v1/attendance/sessions/{session_id}/cancel": Edtech__attendance__api__schemas__SessionOut;
    "POST /api/v1/attendance/sessions/{session_id}/close": Edtech__attendance__api__schemas__SessionOut;
    "POST /api/v1/attendance/sessions/{session_id}/lock": Edtech__attendance__api__schemas__SessionOut;
    "POST /api/v1/attendance/sessions/{session_id}/mark-all-present": CountOut;
    "PUT /api/v1/attendance/sessions/{session_id}/marks/{student_id}": Edtech__attendance__api__schemas__MarkOut;
    "GET /api/v1/attendance/sessions/{session_id}/marks/{student_id}/history": Array<MarkChangeOut>;
    "POST /api/v1/attendance/sessions/{session_id}/open": Edtech__attendance__api__schemas__SessionOut;
    "GET /api/v1/attendance/sessions/{session_id}/qr": QrOut;
    "GET /api/v1/audit": Page_AuditEntryOut_;
    "POST /api/v1/auth/email-change/confirm": EmailOut;
    "POST /api/v1/auth/logout": null;
    "POST /api/v1/auth/password-reset": null;
    "POST /api/v1/auth/password-reset/complete": null;
    "POST /api/v1/auth/refresh": TokenOut;
    "GET /api/v1/auth/sessions": Edtech__platform__http__pagination__Page_SessionOut___1;
    "DELETE /api/v1/auth/sessions/{session_id}": null;
    "POST /api/v1/auth/sso/callback": SsoTokenOut;
    "GET /api/v1/auth/sso/providers": Array<PublicProviderOut>;
    "GET /api/v1/auth/sso/start": unknown;
    "POST /api/v1/auth/token": TokenOut;
    "GET /api/v1/billing/accounts": Array<Edtech__billing__api__schemas__AccountOut>;
    "POST /api/v1/billing/accounts": Edtech__billing__api__schemas__AccountOut;
    "GET /api/v1/billing/accounts/{account_id}": Edtech__billing__api__schemas__AccountOut;
    "POST /api/v1/billing/accounts/{account_id}/checkouts": CheckoutOut;
    "GET /api/v1/billing/accounts/{account_id}/ledger": LedgerOut;
    "POST /api/v1/billing/accounts/{account_id}/payments": PaymentOut;
    "GET /api/v1/billing/accounts/{account_id}/statement": unknown;
    "GET /api/v1/billing/fee-categories": Array<Edtech__billing__api__schemas__CategoryOut>;
    "POST /api/v1/billing/fee-categories": Edtech__billing__api__schemas__CategoryOut;
    "GET /api/v1/billing/fee-items": Array<FeeItemOut>;
    "POST /api/v1/billing/fee-items": FeeItemOut;
    "GET /api/v1/billing/fee-plans": Array<FeePlanOut>;
    "POST /api/v1/billing/fee-plans": FeePlanOut;
    "POST /api/v1/billing/grants": GrantOut;
    "GET /api/v1/billing/invoices": Page_InvoiceOut_;
    "POST /api/v1/billing/invoices": InvoiceOut;
    "POST /api/v1/billing/invoices/generate": Array<InvoiceOut>;
    "GET /api/v1/billing/invoices/{invoice_id}": InvoiceOut;
    "POST /api/v1/billing/invoices/{invoice_id}/credit-notes": unknown;
    "POST /api/v1/billing/invoices/{invoice_id}/finalize": InvoiceOut;
    "POST /api/v1/billing/invoices/{invoice_id}/lines": InvoiceOut;
    "POST /api/v1/billing/invoices/{invoice_id}/mark-uncollectible": InvoiceOut;
    "POST /api/v1/billing/invoices/{invoice_id}/void": InvoiceOut;
    "GET /api/v1/billing/payments": Page_PaymentOut_;
    "POST /api/v1/billing/payments/{payment_id}/refunds": RefundOut;
    "GET /api/v1/billing/reports/aging": AgingOut;
    "POST /api/v1/billing/webhooks/{provider}": WebhookOut;
    "GET /api/v1/blocks": Page_BlockOut_;
    "POST /api/v1/blocks": null;
    "DELETE /api/v1/blocks/{person_id}": null;
    "GET /api/v1/calendar/bell-schedules": Page_BellScheduleOut_;
    "POST /api/v1/calendar/bell-schedules": BellScheduleOut;
    "GET /api/v1/calendar/days": Page_DayOut_;
    "POST /api/v1/calendar/days": DeclaredDayOut;
    "GET /api/v1/calendar/rotations": Page_RotationOut_;
    "POST /api/v1/calendar/rotations": RotationOut;
    "PUT /api/v1/calendar/rotations/{rotation_id}/meetings": RotationOut;
    "GET /api/v1/calendar/schools/{school_id}/day": SchoolDayOut;
    "GET /api/v1/calendar/schools/{school_id}/instructional-days": InstructionalDaysOut;
    "GET /api/v1/conversation-exports": Page_ExportAuditOut_;
    "GET /api/v1/conversations": ConversationPage;
    "POST /api/v1/conversations": null;
    "GET /api/v1/conversations/{conversation_id}": ConversationOut;
    "POST /api/v1/conversations/{conversation_id}/export": ExportOut;
    "GET /api/v1/conversations/{conversation_id}/messages": MessagesPage;
    "POST /api/v1/conversations/{conversation_id}/messages": null;
    "PATCH /api/v1/conversations/{conversation_id}/messages/{message_id}": MessageOut;
    "POST /api/v1/conversations/{conversation_id}/messages/{message_id}/reports": ReportOut;
    "POST /api/v1/conversations/{conversation_id}/messages/{message_id}/retract": MessageOut;
    "GET /api/v1/conversations/{conversation_id}/messages/{message_id}/versions": Array<VersionOut>;
    "POST /api/v1/conversations/{conversation_id}/read": Edtech__communication__api__schemas__ReadOut;
    "GET /api/v1/courses": Page_CourseOut_;
    "POST /api/v1/courses": CourseOut;
    "GET /api/v1/courses/{course_id}": CourseOut;
    "PATCH /api/v1/courses/{course_id}": CourseOut;
    "GET /api/v1/devices": Page_DeviceOut_;
    "POST /api/v1/devices": DeviceCreatedOut;
    "GET /api/v1/devices/{device_id}": Edtech__identity__api__devices__DeviceOut;
    "POST /api/v1/devices/{device_id}/revoke": Edtech__identity__api__devices__DeviceOut;
    "GET /api/v1/enrollments": Page_EnrollmentOut_;
    "POST /api/v1/enrollments": EnrollmentOut;
    "GET /api/v1/enrollments/{enrollment_id}": EnrollmentOut;
    "PATCH /api/v1/enrollments/{enrollment_id}": EnrollmentOut;
    "DELETE /api/v1/enrollments/{enrollment_id}": null;
    "POST /api/v1/enrollments/{enrollment_id}/end": EnrollmentOut;
    "GET /api/v1/files": Page_FileOut_;
    "POST /api/v1/files/attachments": FileOut;
    "POST /api/v1/files/attachments/uploads": UploadSlotOut;
    "GET /api/v1/files/attendance-letter-template": LetterTemplateOut;
    "PUT /api/v1/files/attendance-letter-template": LetterTemplateOut;
    "POST /api/v1/files/attendance-letters": FileOut;
    "POST /api/v1/files/erasures": Edtech__files__api__erasures__ErasureOut;
    "POST /api/v1/files/excuse-notes/{excuse_id}": FileOut;
    "POST /api/v1/files/excuse-notes/{excuse_id}/uploads": UploadSlotOut;
    "POST /api/v1/files/record-packages": FileOut;
    "POST /api/v1/files/report-cards": FileOut;
    "GET /api/v1/files/retention": RetentionOut;
    "PUT /api/v1/files/retention": RetentionOut;
    "POST /api/v1/files/statements": FileOut;
    "POST /api/v1/files/uploads/{upload_id}/confirm": FileOut;
    "PUT /api/v1/files/uploads/{upload_id}/content": null;
    "GET /api/v1/files/{file_id}": FileOut;
    "GET /api/v1/files/{file_id}/content": unknown;
    "GET /api/v1/files/{file_id}/thumbnail": unknown;
    "GET /api/v1/grade-schemes": Page_SchemeOut_;
    "POST /api/v1/grade-schemes": SchemeOut;
    "GET /api/v1/grade-schemes/{scheme_id}": SchemeOut;
    "GET /api/v1/guardian-links": Page_GuardianLinkOut_;
    "POST /api/v1/guardian-links": GuardianLinkOut;
    "GET /api/v1/guardian-links/{link_id}": GuardianLinkOut;
    "PATCH /api/v1/guardian-links/{link_id}": GuardianLinkOut;
    "DELETE /api/v1/guardian-links/{link_id}": null;
    "POST /api/v1/guardian-links/{link_id}/end": GuardianLinkOut;
    "GET /api/v1/insights/attendance/schools/{school_id}": MeasuresPage;
    "GET /api/v1/insights/attendance/sections/{section_id}": MeasuresPage;
    "GET /api/v1/insights/features/schools/{school_id}": FeaturePage;
    "GET /api/v1/insights/signals": Page_SignalOut_;
    "GET /api/v1/insights/thresholds": ThresholdsOut;
    "PUT /api/v1/insights/thresholds": ThresholdsOut;
    "GET /api/v1/institutions": Page_InstitutionOut_;
    "POST /api/v1/institutions": ProvisionedOut;
    "GET /api/v1/institutions/me": Edtech__institutions__api__schemas__InstitutionOut;
    "PATCH /api/v1/institutions/me": Edtech__institutions__api__schemas__InstitutionOut;
    "GET /api/v1/institutions/{institution_id}/audit": Page_AuditEntryOut_;
    "POST /api/v1/institutions/{institution_id}/reactivate": null;
    "POST /api/v1/institutions/{institution_id}/suspend": null;
    "GET /api/v1/invitations": Page_InvitationRowOut_;
    "POST /api/v1/invitations": Array<InvitationResultOut>;
    "POST /api/v1/invitations/accept": AcceptedOut;
    "POST /api/v1/invitations/open": InvitationViewOut;
    "POST /api/v1/invitations/{invitation_id}/revoke": RevokedOut;
    "GET /api/v1/jobs": Page_JobOut_;
    "POST /api/v1/jobs/{job_id}/retry": JobOut;
    "GET /api/v1/me": MeOut;
    "POST /api/v1/me/email": null;
    "GET /api/v1/me/notification-preferences": PreferencesOut;
    "PUT /api/v1/me/notification-preferences": PreferencesOut;
    "GET /api/v1/me/notifications": Page_NotificationOut_;
    "POST /api/v1/me/notifications/read": Edtech__notifications__api__schemas__ReadOut;
    "POST /api/v1/me/notifications/{notification_id}/read": Edtech__notifications__api__schemas__ReadOut;
    "POST /api/v1/me/password": null;
    "POST /api/v1/me/push-devices": Edtech__notifications__api__schemas__DeviceOut;
    "GET /api/v1/me/web-push-subscriptions": Array<WebPushSubscriptionOut>;
    "POST /api/v1/me/web-push-subscriptions": Edtech__notifications__api__schemas__DeviceOut;
    "GET /api/v1/message-reports": Page_ReportRowOut_;
    "GET /api/v1/messaging-settings": MessagingSettingsIO;
    "PUT /api/v1/messaging-settings": MessagingSettingsIO;
    "GET /api/v1/notification-batches/{batch_id}": Edtech__notifications__api__schemas__BatchOut;
    "GET /api/v1/notification-batches/{batch_id}/recipients": Page_RecipientOut_;
    "GET /api/v1/notification-policy": NotificationPolicyIO;
    "PUT /api/v1/notification-policy": NotificationPolicyIO;
    "POST /api/v1/pairing-codes": PairingCodeOut;
    "GET /api/v1/pairing-requests": Page_PairingRequestRowOut_;
    "POST /api/v1/pairing-requests": PairingRequestOut;
    "POST /api/v1/pairing-requests/{request_id}/approve": PairingRequestOut;
    "POST /api/v1/pairing-requests/{request_id}/reject": PairingRequestOut;
    "GET /api/v1/people": Page_PersonOut_;
    "POST /api/v1/people": PersonOut;
    "GET /api/v1/people/{person_id}": PersonOut;
    "PATCH /api/v1/people/{person_id}": PersonOut;
    "DELETE /api/v1/people/{person_id}": null;
    "GET /api/v1/people/{person_id}/account": Edtech__identity__api__accounts__AccountOut;
    "PUT /api/v1/people/{person_id}/account": Edtech__identity__api__accounts__AccountOut;
    "POST /api/v1/people/{person_id}/end": PersonOut;
    "POST /api/v1/people/{person_id}/erasure": Edtech__institutions__api__schemas__ErasureOut;
    "GET /api/v1/people/{person_id}/roles": Array<RoleOut>;
    "POST /api/v1/people/{person_id}/roles": RoleOut;
    "POST /api/v1/people/{person_id}/roles/{assignment_id}/end": RoleOut;
    "GET /api/v1/quiet-hours/me": QuietHoursOut;
    "PUT /api/v1/quiet-hours/me": QuietHoursOut;
    "DELETE /api/v1/quiet-hours/me": null;
    "POST /api/v1/roster/clients": ClientOut;
    "GET /api/v1/roster/export": unknown;
    "POST /api/v1/roster/imports": ImportOut;
    "GET /api/v1/roster/imports/{import_id}": ImportOut;
    "POST /api/v1/roster/rollover": RolloverOut;
    "GET /api/v1/schools": Page_SchoolOut_;
    "POST /api/v1/schools": SchoolOut;
    "GET /api/v1/schools/{school_id}": SchoolOut;
    "PATCH /api/v1/schools/{school_id}": SchoolOut;
    "GET /api/v1/sections": Page_SectionOut_;
    "POST /api/v1/sections": SectionOut;
    "GET /api/v1/sections/{section_id}": SectionOut;
    "PATCH /api/v1/sections/{section_id}": SectionOut;
    "GET /api/v1/sections/{section_id}/assessments": Page_AssessmentOut_;
    "POST /api/v1/sections/{section_id}/assessments": AssessmentOut;
    "GET /api/v1/sections/{section_id}/gradebook": GradebookOut;
    "PUT /api/v1/sections/{section_id}/gradebook": GradebookOut;
    "GET /api/v1/sections/{section_id}/gradebook.csv": unknown;
    "GET /api/v1/sections/{section_id}/gradebook/grid": GridPage;
    "GET /api/v1/sections/{section_id}/meetings": Array<MeetingOut>;
    "POST /api/v1/sections/{section_id}/results/batch": Edtech__grades__api__schemas__results__BatchOut;
    "GET /api/v1/sections/{section_id}/roster": Page_RosterEntryOut_;
    "GET /api/v1/sections/{section_id}/students/{student_id}/grades": StudentGradesOut;
    "GET /api/v1/sso-providers": Page_SsoProviderOut_;
    "POST /api/v1/sso-providers": SsoProviderOut;
    "GET /api/v1/sso-providers/{provider_id}": SsoProviderOut;
    "PATCH /api/v1/sso-providers/{provider_id}": SsoProviderOut;
    "GET /api/v1/students/{student_id}/grades": StudentOverviewOut;
    "GET /api/v1/terms": Page_TermOut_;
    "POST /api/v1/terms": TermOut;
    "GET /api/v1/terms/{term_id}": TermOut;
    "PATCH /api/v1/terms/{term_id}": TermOut;
    "GET /api/v1/web-push/key": WebPushKeyOut;
    "GET /healthz": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/categories": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/categories/{id}": Record<string, unknown>;
    "PUT /ims/oneroster/gradebook/v1p2/categories/{id}": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/classes/{id}/lineItems": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/lineItems/{id}": Record<string, unknown>;
    "PUT /ims/oneroster/gradebook/v1p2/lineItems/{id}": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/lineItems/{id}/results": Record<string, unknown>;
    "GET /ims/oneroster/gradebook/v1p2/results/{id}": Record<string, unknown>;
    "PUT /ims/oneroster/gradebook/v1p2/results/{id}": Record<string, unknown>;
    "DELETE /ims/oneroster/gradebook/v1p2/results/{id}": null;
    "POST /ims/oneroster/oauth2/token": unknown;
    "GET /ims/oneroster/rostering/v1p2/academicSessions": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/academicSessions/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/classes/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/classes/{id}/students": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/classes/{id}/teachers": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/courses": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/courses/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/courses/{id}/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/enrollments": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/enrollments/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/gradingPeriods": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/gradingPeriods/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/orgs": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/orgs/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}/courses": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}/enrollments": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}/students": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/schools/{id}/teachers": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/students": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/students/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/students/{id}/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/teachers": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/teachers/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/teachers/{id}/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/terms": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/terms/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/terms/{id}/classes": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/terms/{id}/gradingPeriods": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/users": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/users/{id}": Record<string, unknown>;
    "GET /ims/oneroster/rostering/v1p2/users/{id}/classes": Record<string, unknown>;
    "GET /metrics": null;
    "GET /readyz": unknown;
}
