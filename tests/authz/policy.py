"""Who may call each operation of the API, written down in the school's words: the expectation
the policy matrix (`test_policy_matrix.py`) holds every answer to. Never derived from answers.

A rule names the roles allowed, each on every relation that role is tried on, or on the named
relations only (`teacher:own`); see `tests/authz/matrix.py` for what each relation is. Nobody
of another institution is ever allowed. An operation missing here fails the suite.

Shorthands: `admin` is the institution admin, `officer` the attendance officer; OFFICE is the
school office (admins, accountant, officer), STAFF adds teachers, EVERYONE adds guardians and
students (a self-service operation, or a list filtered to what the caller may see).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.authz.matrix import ROLES, Scenario

ALIASES = {"admin": "institution_admin", "officer": "attendance_officer"}
OFFICE = "admin school_admin accountant officer"
STAFF = f"{OFFICE} teacher"
EVERYONE = f"{STAFF} guardian student"
BILLING = "admin accountant"
# A section's teachers and the administrators of its school.
GRADEBOOK = "admin school_admin:own teacher:own"
# A session's board: its section's teachers, attendance officers, its school's administrators.
BOARD = "admin school_admin:own teacher:own officer"
# A subject's conversation is between its guardian and a teacher of the student (guardian1 and
# teacher1 for A; guardian3 and teacher3 for C, so guardian3 plays "flag" as a participant).
PARTICIPANTS = "guardian:own guardian:flag teacher:own"
AUTHORS = "guardian:own guardian:flag"  # each conversation's first message is its guardian's


@dataclass(frozen=True)
class Rule:
    why: str
    grants: frozenset[tuple[str, str | None]]
    kind: str = "roles"
    """`roles`: judged by the grants. `self`: acts on the caller's own rows only, anyone may.
    `public`: no sign-in needed (a token in the body, a provider's signature) — only checked
    for server errors. `device`: a scanner's key, refused to every person."""

    def allows(self, s: Scenario) -> bool:
        if self.kind == "self":
            return True
        if s.relation == "other_institution" or self.kind == "device":
            return False
        return any(
            role == s.role and (relation is None or relation == s.relation)
            for role, relation in self.grants
        )


def allow(why: str, tokens: str = "") -> Rule:
    grants = set()
    for token in tokens.split():
        role, _, relation = token.partition(":")
        role = ALIASES.get(role, role)
        assert role in ROLES, token
        grants.add((role, relation or None))
    return Rule(why, frozenset(grants))


def public(why: str) -> Rule:
    return Rule(why, frozenset(), "public")


def device(why: str) -> Rule:
    return Rule(why, frozenset(), "device")


NOBODY = ""

POLICY: dict[str, Rule] = {
    # identity
    "POST /api/v1/auth/token": public("signing in"),
    "POST /api/v1/auth/refresh": public("a refresh token in the body"),
    "POST /api/v1/auth/logout": allow("anyone signs themselves out", EVERYONE),
    "GET /api/v1/auth/sessions": allow("your own sign-ins", EVERYONE),
    "DELETE /api/v1/auth/sessions/{session_id}": allow(
        "your own sign-ins only (the target is the subject student's)", "student:own"
    ),
    "PUT /api/v1/people/{person_id}/account": allow("logins: institution admins", "admin"),
    "GET /api/v1/people/{person_id}/account": allow(
        "logins: institution admins, and the person their own", "admin student:own"
    ),
    "POST /api/v1/devices": allow(
        "devices: administrators of the school", "admin school_admin:own"
    ),
    "GET /api/v1/devices": allow("the schools the caller administers", "admin school_admin"),
    "GET /api/v1/devices/{device_id}": allow(
        "devices: administrators of the school", "admin school_admin:own"
    ),
    "POST /api/v1/devices/{device_id}/revoke": allow(
        "devices: administrators of the school", "admin school_admin:own"
    ),
    "POST /api/v1/institutions": allow("platform operators (none in a school)", NOBODY),
    "GET /api/v1/institutions": allow("platform operators (none in a school)", NOBODY),
    "POST /api/v1/institutions/{institution_id}/suspend": allow("platform operators", NOBODY),
    "POST /api/v1/institutions/{institution_id}/reactivate": allow("platform operators", NOBODY),
    "POST /api/v1/invitations": allow("inviting people: institution admins", "admin"),
    "GET /api/v1/invitations": allow("invitation states: institution admins", "admin"),
    "POST /api/v1/invitations/{invitation_id}/revoke": allow("institution admins", "admin"),
    "POST /api/v1/invitations/open": public("an invitation token in the body"),
    "POST /api/v1/invitations/accept": public("an invitation token in the body"),
    "POST /api/v1/me/password": allow("your own password", EVERYONE),
    "POST /api/v1/auth/password-reset": public("forgot password"),
    "POST /api/v1/auth/password-reset/complete": public("a reset token in the body"),
    "POST /api/v1/me/email": allow("your own address", EVERYONE),
    "POST /api/v1/auth/email-change/confirm": public("a confirmation token in the body"),
    "POST /api/v1/sso-providers": allow("sign-in providers: institution admins", "admin"),
    "GET /api/v1/sso-providers": allow("sign-in providers: institution admins", "admin"),
    "GET /api/v1/sso-providers/{provider_id}": allow("institution admins", "admin"),
    "PATCH /api/v1/sso-providers/{provider_id}": allow("institution admins", "admin"),
    "GET /api/v1/auth/sso/providers": public("a school's sign-in buttons, before signing in"),
    "GET /api/v1/auth/sso/start": public("starting a single sign-on, before signing in"),
    "POST /api/v1/auth/sso/callback": public("a provider's state and code in the body"),
    "GET /api/v1/audit": allow("the institution's audit trail: institution admins", "admin"),
    "GET /api/v1/institutions/{institution_id}/audit": allow("platform operators", NOBODY),
    # institutions
    "GET /api/v1/institutions/me": allow("your institution", EVERYONE),
    "PATCH /api/v1/institutions/me": allow("institution admins", "admin"),
    "GET /api/v1/schools": allow("schools are public within the institution", EVERYONE),
    "POST /api/v1/schools": allow("institution admins", "admin"),
    "GET /api/v1/schools/{school_id}": allow("schools are public within it", EVERYONE),
    "PATCH /api/v1/schools/{school_id}": allow("its administrators", "admin school_admin:own"),
    "GET /api/v1/terms": allow("the calendar is public within it", EVERYONE),
    "POST /api/v1/terms": allow("an institution-wide session: institution admins", "admin"),
    "GET /api/v1/terms/{term_id}": allow("the calendar is public within it", EVERYONE),
    "PATCH /api/v1/terms/{term_id}": allow("an institution-wide session", "admin"),
    "GET /api/v1/courses": allow("the catalogue is public within it", EVERYONE),
    "POST /api/v1/courses": allow("the school's administrators", "admin school_admin:own"),
    "GET /api/v1/courses/{course_id}": allow("the catalogue", EVERYONE),
    "PATCH /api/v1/courses/{course_id}": allow("the school's admins", "admin school_admin:own"),
    "GET /api/v1/sections": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/sections": allow("the school's administrators", "admin school_admin:own"),
    "GET /api/v1/sections/{section_id}": allow(
        "staff every section (timetable); students and guardians their own",
        f"{STAFF} student:own guardian:own guardian:flag",
    ),
    "PATCH /api/v1/sections/{section_id}": allow("its school's admins", "admin school_admin:own"),
    "GET /api/v1/sections/{section_id}/roster": allow(
        "the office and the section's own teachers", f"{OFFICE} teacher:own"
    ),
    "GET /api/v1/sections/{section_id}/meetings": allow(
        "whoever sees the section", f"{STAFF} student:own guardian:own guardian:flag"
    ),
    "GET /api/v1/people": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/people": allow(
        "people managers (a new person is in no school)", "admin school_admin"
    ),
    "GET /api/v1/people/{person_id}": allow(
        "the office; a teacher their students; a student themselves; a guardian their children",
        f"{OFFICE} teacher:own student:own guardian:own guardian:flag",
    ),
    "PATCH /api/v1/people/{person_id}": allow(
        "admins of the person's schools", "admin school_admin:own"
    ),
    "DELETE /api/v1/people/{person_id}": allow(
        "admins of the person's schools", "admin school_admin:own"
    ),
    "POST /api/v1/people/{person_id}/end": allow(
        "admins of the person's schools", "admin school_admin:own"
    ),
    "POST /api/v1/people/{person_id}/erasure": allow(
        "institution admins (of a person who left)", "admin"
    ),
    "GET /api/v1/people/{person_id}/roles": allow(
        "whoever sees the person", f"{OFFICE} teacher:own student:own guardian:own guardian:flag"
    ),
    "POST /api/v1/people/{person_id}/roles": allow(
        "granting institution_admin (the smallest body): institution admins", "admin"
    ),
    "POST /api/v1/people/{person_id}/roles/{assignment_id}/end": allow(
        "a school role: its school's admins", "admin school_admin:own"
    ),
    "GET /api/v1/me": allow("yourself", EVERYONE),
    "GET /api/v1/enrollments": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/enrollments": allow("admins of the person's school", "admin school_admin:own"),
    "GET /api/v1/enrollments/{enrollment_id}": allow(
        "the office, the section's teachers, the student and their guardians",
        f"{OFFICE} teacher:own student:own guardian:own guardian:flag",
    ),
    "PATCH /api/v1/enrollments/{enrollment_id}": allow(
        "its school's admins", "admin school_admin:own"
    ),
    "DELETE /api/v1/enrollments/{enrollment_id}": allow(
        "its school's admins", "admin school_admin:own"
    ),
    "POST /api/v1/enrollments/{enrollment_id}/end": allow(
        "its school's admins", "admin school_admin:own"
    ),
    "GET /api/v1/guardian-links": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/guardian-links": allow(
        "admins of the student's school", "admin school_admin:own"
    ),
    "GET /api/v1/guardian-links/{link_id}": allow(
        "the office, the student's teachers, the guardian on an unrestricted link",
        f"{OFFICE} teacher:own guardian:own guardian:flag",
    ),
    "PATCH /api/v1/guardian-links/{link_id}": allow(
        "admins of the student's school", "admin school_admin:own"
    ),
    "DELETE /api/v1/guardian-links/{link_id}": allow(
        "admins of the student's school", "admin school_admin:own"
    ),
    "POST /api/v1/guardian-links/{link_id}/end": allow(
        "admins of the student's school", "admin school_admin:own"
    ),
    "POST /api/v1/pairing-codes": allow("people managers of the child", "admin school_admin:own"),
    "POST /api/v1/pairing-requests": allow("anyone signed in may ask with a code", EVERYONE),
    "GET /api/v1/pairing-requests": allow("people managers", "admin school_admin"),
    "POST /api/v1/pairing-requests/{request_id}/approve": allow(
        "people managers of the child", "admin school_admin:own"
    ),
    "POST /api/v1/pairing-requests/{request_id}/reject": allow(
        "people managers of the child", "admin school_admin:own"
    ),
    # billing
    "GET /api/v1/billing/fee-categories": allow("billing managers", BILLING),
    "POST /api/v1/billing/fee-categories": allow("billing managers", BILLING),
    "GET /api/v1/billing/fee-items": allow("billing managers", BILLING),
    "POST /api/v1/billing/fee-items": allow("billing managers", BILLING),
    "GET /api/v1/billing/fee-plans": allow("billing managers", BILLING),
    "POST /api/v1/billing/fee-plans": allow("billing managers", BILLING),
    "POST /api/v1/billing/grants": allow("billing managers", BILLING),
    "GET /api/v1/billing/accounts": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/billing/accounts": allow("billing managers", BILLING),
    "GET /api/v1/billing/accounts/{account_id}": allow(
        "billing managers; a guardian whose link allows billing", f"{BILLING} guardian:own"
    ),
    "GET /api/v1/billing/accounts/{account_id}/statement": allow(
        "billing managers; a guardian whose link allows billing", f"{BILLING} guardian:own"
    ),
    "GET /api/v1/billing/accounts/{account_id}/ledger": allow(
        "the ledger: billing managers (a family reads its statement)", BILLING
    ),
    "GET /api/v1/billing/reports/aging": allow("billing managers", BILLING),
    "POST /api/v1/billing/invoices/generate": allow("billing managers", BILLING),
    "POST /api/v1/billing/invoices": allow("billing managers", BILLING),
    "GET /api/v1/billing/invoices": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/billing/invoices/{invoice_id}/lines": allow("billing managers", BILLING),
    "POST /api/v1/billing/invoices/{invoice_id}/finalize": allow("billing managers", BILLING),
    "POST /api/v1/billing/invoices/{invoice_id}/void": allow("billing managers", BILLING),
    "POST /api/v1/billing/invoices/{invoice_id}/mark-uncollectible": allow(
        "billing managers", BILLING
    ),
    "GET /api/v1/billing/invoices/{invoice_id}": allow(
        "billing managers; a guardian whose link allows billing", f"{BILLING} guardian:own"
    ),
    "POST /api/v1/billing/invoices/{invoice_id}/credit-notes": allow("billing managers", BILLING),
    "POST /api/v1/billing/accounts/{account_id}/payments": allow("billing managers", BILLING),
    "GET /api/v1/billing/payments": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/billing/payments/{payment_id}/refunds": allow("billing managers", BILLING),
    "POST /api/v1/billing/accounts/{account_id}/checkouts": allow(
        "the payer: a guardian whose link allows billing, or billing managers",
        f"{BILLING} guardian:own",
    ),
    "POST /api/v1/billing/webhooks/{provider}": public("signed by the payment provider"),
    # attendance
    "GET /api/v1/attendance/codes": allow("the codes are public within it", EVERYONE),
    "POST /api/v1/attendance/codes": allow("institution admins", "admin"),
    "PATCH /api/v1/attendance/codes/{code}": allow("institution admins", "admin"),
    "POST /api/v1/attendance/sessions/plan": allow(
        "planning every section's sessions: institution admins and officers", "admin officer"
    ),
    "POST /api/v1/attendance/sessions": allow("whoever runs the section's board", BOARD),
    "GET /api/v1/attendance/sessions": allow("a list filtered to what you may see", EVERYONE),
    "GET /api/v1/attendance/sessions/{session_id}/board": allow("the board's watchers", BOARD),
    "GET /api/v1/attendance/sessions/{session_id}": allow("the board's watchers", BOARD),
    "PUT /api/v1/attendance/sessions/{session_id}/marks/{student_id}": allow(
        "the board's watchers", BOARD
    ),
    "GET /api/v1/attendance/sessions/{session_id}/marks/{student_id}/history": allow(
        "the board's watchers", BOARD
    ),
    "POST /api/v1/attendance/sessions/{session_id}/mark-all-present": allow(
        "the board's watchers", BOARD
    ),
    "POST /api/v1/attendance/sessions/{session_id}/open": allow("the board's watchers", BOARD),
    "POST /api/v1/attendance/sessions/{session_id}/close": allow("the board's watchers", BOARD),
    "POST /api/v1/attendance/sessions/{session_id}/lock": allow("the board's watchers", BOARD),
    "POST /api/v1/attendance/sessions/{session_id}/cancel": allow(
        "the section's teachers and the office (officers, the school's administrators)", BOARD
    ),
    "POST /api/v1/attendance/scans": device("a scanner's key, not a person's token"),
    "POST /api/v1/attendance/credentials": allow(
        "cards: the attendance office (institution admins and officers)", "admin officer"
    ),
    "DELETE /api/v1/attendance/credentials/{credential_id}": allow(
        "cards: the attendance office (institution admins and officers)", "admin officer"
    ),
    "GET /api/v1/attendance/sessions/{session_id}/qr": allow("the board's watchers", BOARD),
    "POST /api/v1/attendance/check-ins": public(
        "judged by the rotating QR code in the body, not by a role: a wrong code is"
        " `check_in_refused` to anyone (its own tests check who may check in)"
    ),
    "POST /api/v1/attendance/excuses": allow(
        "a guardian who sees the child's attendance; the office of the child's school",
        "admin school_admin:own officer guardian:own guardian:flag",
    ),
    "GET /api/v1/attendance/excuses": allow("a list filtered to what you may see", EVERYONE),
    "POST /api/v1/attendance/excuses/{excuse_id}/decision": allow(
        "the attendance office (institution admins and officers)", "admin officer"
    ),
    "GET /api/v1/attendance/reports/students/{student_id}": allow(
        "the student, the office, their teachers, guardians who see attendance",
        f"{OFFICE} teacher:own student:own guardian:own guardian:flag",
    ),
    "GET /api/v1/attendance/reports/sections/{section_id}": allow(
        "the section's teachers, officers, its school's admins", BOARD
    ),
    "GET /api/v1/attendance/reports/days/{day}": allow(
        "the whole institution's day: institution admins and officers", "admin officer"
    ),
    # grades
    "POST /api/v1/grade-schemes": allow(
        "teachers and administrators define schemes", "admin school_admin teacher"
    ),
    "GET /api/v1/grade-schemes": allow("schemes are public within it", EVERYONE),
    "GET /api/v1/grade-schemes/{scheme_id}": allow("schemes are public within it", EVERYONE),
    "GET /api/v1/sections/{section_id}/gradebook": allow("the gradebook's managers", GRADEBOOK),
    "PUT /api/v1/sections/{section_id}/gradebook": allow("the gradebook's managers", GRADEBOOK),
    "POST /api/v1/sections/{section_id}/assessments": allow("the gradebook's managers", GRADEBOOK),
    "GET /api/v1/sections/{section_id}/assessments": allow("the gradebook's managers", GRADEBOOK),
    "GET /api/v1/assessments/{assessment_id}": allow("the gradebook's managers", GRADEBOOK),
    "PATCH /api/v1/assessments/{assessment_id}": allow("the gradebook's managers", GRADEBOOK),
    "POST /api/v1/sections/{section_id}/results/batch": allow(
        "the gradebook's managers", GRADEBOOK
    ),
    "PUT /api/v1/assessments/{assessment_id}/results/{student_id}": allow(
        "the gradebook's managers", GRADEBOOK
    ),
    "POST /api/v1/assessments/{assessment_id}/publications": allow(
        "the gradebook's managers", GRADEBOOK
    ),
    "GET /api/v1/assessments/{assessment_id}/publications": allow(
        "the gradebook's managers", GRADEBOOK
    ),
    "GET /api/v1/assessments/{assessment_id}/history": allow("the gradebook's managers", GRADEBOOK),
    "GET /api/v1/sections/{section_id}/gradebook/grid": allow(
        "the gradebook's managers", GRADEBOOK
    ),
    "GET /api/v1/sections/{section_id}/gradebook.csv": allow("the gradebook's managers", GRADEBOOK),
    "GET /api/v1/sections/{section_id}/students/{student_id}/grades": allow(
        "the office, the section's teachers, the student, guardians who see grades",
        f"{OFFICE} teacher:own student:own guardian:own",
    ),
    "GET /api/v1/students/{student_id}/grades": allow(
        "the student, the office, their teachers, guardians who see grades",
        f"{OFFICE} teacher:own student:own guardian:own",
    ),
    # communication
    "POST /api/v1/conversations": allow(
        "with the subject's guardian, by the messaging policy: the office and the child's"
        " teachers; not another family, a teacher of other children, or a student (guardian"
        " own/custody/flag name the guardian themselves: a note to self)",
        f"{OFFICE} teacher:own guardian:own guardian:custody guardian:flag",
    ),
    "GET /api/v1/conversations": allow("your conversations", EVERYONE),
    "GET /api/v1/conversations/{conversation_id}": allow(
        "its participants (student1's guardian1 and teacher1)", PARTICIPANTS
    ),
    "GET /api/v1/conversations/{conversation_id}/messages": allow("its participants", PARTICIPANTS),
    "POST /api/v1/conversations/{conversation_id}/messages": allow(
        "its participants", PARTICIPANTS
    ),
    "PATCH /api/v1/conversations/{conversation_id}/messages/{message_id}": allow(
        "the message's author", AUTHORS
    ),
    "POST /api/v1/conversations/{conversation_id}/messages/{message_id}/retract": allow(
        "the message's author", AUTHORS
    ),
    "GET /api/v1/conversations/{conversation_id}/messages/{message_id}/versions": allow(
        "its participants", PARTICIPANTS
    ),
    "POST /api/v1/conversations/{conversation_id}/read": allow("its participants", PARTICIPANTS),
    "POST /api/v1/announcements": allow(
        "to the whole institution (the smallest body's audience): administrators",
        "admin school_admin",
    ),
    "GET /api/v1/announcements": allow("your announcements", EVERYONE),
    "GET /api/v1/announcements/sent": allow("what you sent", EVERYONE),
    "POST /api/v1/announcements/{announcement_id}/acknowledge": allow(
        "its recipients (the guardians of S01)", "guardian"
    ),
    "GET /api/v1/announcements/{announcement_id}/acknowledgements": allow(
        "its sender (teacher1) and institution admins", "admin teacher"
    ),
    "POST /api/v1/conversations/{conversation_id}/messages/{message_id}/reports": allow(
        "its participants", PARTICIPANTS
    ),
    "GET /api/v1/message-reports": allow("administrators", "admin school_admin"),
    "POST /api/v1/conversations/{conversation_id}/export": allow(
        "administrators (a read, audited)", "admin school_admin"
    ),
    "GET /api/v1/conversation-exports": allow("administrators", "admin school_admin"),
    "GET /api/v1/blocks": allow("your blocks", EVERYONE),
    "POST /api/v1/blocks": allow("anyone may block", EVERYONE),
    "DELETE /api/v1/blocks/{person_id}": Rule(
        "lifting your own block: idempotent, names only the caller's rows", frozenset(), "self"
    ),
    "GET /api/v1/quiet-hours/me": allow("your quiet hours", EVERYONE),
    "PUT /api/v1/quiet-hours/me": allow("staff keep quiet hours", STAFF),
    "DELETE /api/v1/quiet-hours/me": allow("quiet hours are staff's", STAFF),
    "GET /api/v1/messaging-settings": allow("the institution's policy", EVERYONE),
    "PUT /api/v1/messaging-settings": allow("institution admins", "admin"),
    # notifications
    "GET /api/v1/me/notification-preferences": allow("your own preferences", EVERYONE),
    "PUT /api/v1/me/notification-preferences": allow("your own preferences", EVERYONE),
    "GET /api/v1/me/notifications": allow("your own notifications", EVERYONE),
    "POST /api/v1/me/notifications/read": allow("reading your own notifications", EVERYONE),
    "POST /api/v1/me/notifications/{notification_id}/read": allow(
        "your own notification only (the target is the subject's guardian's)", "guardian:own"
    ),
    "POST /api/v1/me/push-devices": allow("your own app's push token", EVERYONE),
    "POST /api/v1/me/web-push-subscriptions": allow(
        "your own browser's push subscription", EVERYONE
    ),
    "GET /api/v1/me/web-push-subscriptions": allow("your own subscriptions", EVERYONE),
    "GET /api/v1/web-push/key": allow("the server's public VAPID key", EVERYONE),
    "GET /api/v1/notification-policy": allow("the institution's policy", EVERYONE),
    "PUT /api/v1/notification-policy": allow("institution admins", "admin"),
    "GET /api/v1/notification-batches/{batch_id}": allow(
        "its sender (the institution admin) and the institution's admins", "admin"
    ),
    "GET /api/v1/notification-batches/{batch_id}/recipients": allow(
        "its sender (the institution admin) and the institution's admins", "admin"
    ),
    # files
    "POST /api/v1/files/excuse-notes/{excuse_id}": allow(
        "the note's author while they see the child's attendance (guardian1, guardian3; the"
        " custody-restricted guardian2 wrote none), or the attendance office",
        "admin officer guardian:own guardian:flag",
    ),
    "POST /api/v1/files/excuse-notes/{excuse_id}/uploads": allow(
        "as attaching: the note's author while they see the child's attendance, or the"
        " attendance office",
        "admin officer guardian:own guardian:flag",
    ),
    "PUT /api/v1/files/uploads/{upload_id}/content": public(
        "the signed URL is the permission (directory stores)"
    ),
    "POST /api/v1/files/uploads/{upload_id}/confirm": allow(
        "only who asked for the slot (each subject's note author)", AUTHORS
    ),
    "GET /api/v1/files": allow("a list filtered to what you may read", EVERYONE),
    "GET /api/v1/files/{file_id}": allow(
        "a doctor's note: the attendance office, guardians who see the child's attendance",
        "admin officer guardian:own guardian:flag",
    ),
    "GET /api/v1/files/{file_id}/content": allow(
        "a doctor's note: the attendance office, guardians who see the child's attendance",
        "admin officer guardian:own guardian:flag",
    ),
    "GET /api/v1/files/{file_id}/thumbnail": allow(
        "as the file: a doctor's note's readers (it is a PDF: no thumbnail, a 404 of its own)",
        "admin officer guardian:own guardian:flag",
    ),
    "POST /api/v1/files/attachments": allow(
        "anyone signed in uploads a file to send later (only they see it until sent)", EVERYONE
    ),
    "POST /api/v1/files/attachments/uploads": allow(
        "as uploading an attachment, sent straight to the store", EVERYONE
    ),
    "GET /api/v1/files/attendance-letter-template": allow("institution admins", "admin"),
    "PUT /api/v1/files/attendance-letter-template": allow("institution admins", "admin"),
    "GET /api/v1/files/retention": allow("institution admins", "admin"),
    "PUT /api/v1/files/retention": allow("institution admins", "admin"),
    "POST /api/v1/files/attendance-letters": allow(
        "attendance letters: the attendance office and institution admins", "admin officer"
    ),
    "POST /api/v1/files/report-cards": allow(
        "report cards: institution admins, the student, guardians who see grades",
        "admin student:own guardian:own",
    ),
    "POST /api/v1/files/record-packages": allow(
        "everything about a student: institution admins", "admin"
    ),
    "POST /api/v1/files/statements": allow(
        "statements: accountants, institution admins, guardians who see billing",
        "admin accountant guardian:own",
    ),
    "POST /api/v1/files/erasures": allow("erasing a person's files: institution admins", "admin"),
    # oneroster
    "POST /api/v1/roster/imports": allow("rosters: institution admins", "admin"),
    "GET /api/v1/roster/imports/{import_id}": allow("rosters: institution admins", "admin"),
    "POST /api/v1/roster/rollover": allow("rosters: institution admins", "admin"),
    "GET /api/v1/roster/export": allow("rosters: institution admins", "admin"),
    "POST /api/v1/roster/clients": allow("integrations: institution admins", "admin"),
    # jobs
    "GET /api/v1/jobs": allow("institution admins", "admin"),
    "POST /api/v1/jobs/{job_id}/retry": allow("institution admins", "admin"),
    # calendar: every member reads the institution's calendar; a school's administrators edit it
    "GET /api/v1/calendar/days": allow("the calendar is public within it", EVERYONE),
    "POST /api/v1/calendar/days": allow(
        "closures and events: the school's administrators", "admin school_admin:own"
    ),
    "GET /api/v1/calendar/schools/{school_id}/day": allow(
        "the calendar is public within it", EVERYONE
    ),
    "GET /api/v1/calendar/schools/{school_id}/instructional-days": allow(
        "the calendar is public within it", EVERYONE
    ),
    "GET /api/v1/calendar/bell-schedules": allow("the timetable is public within it", EVERYONE),
    "POST /api/v1/calendar/bell-schedules": allow(
        "the school's administrators", "admin school_admin:own"
    ),
    "GET /api/v1/calendar/rotations": allow("the timetable is public within it", EVERYONE),
    "POST /api/v1/calendar/rotations": allow(
        "the school's administrators", "admin school_admin:own"
    ),
    "PUT /api/v1/calendar/rotations/{rotation_id}/meetings": allow(
        "the rotation's school's administrators", "admin school_admin:own"
    ),
    # insights
    "GET /api/v1/insights/signals": allow(
        "counsellors and administrators (of any school; the list is filtered to theirs) and"
        " teachers (filtered to their sections' students); guardians only where the"
        " institution shares signals with them, which the demo does not (403); never students",
        "admin school_admin teacher",
    ),
    "GET /api/v1/insights/attendance/schools/{school_id}": allow(
        "the school's attendance officers and administrators", "admin school_admin:own officer"
    ),
    "GET /api/v1/insights/attendance/sections/{section_id}": allow(
        "the section's teachers, officers, its school's admins", BOARD
    ),
    "GET /api/v1/insights/features/schools/{school_id}": allow(
        "the school's counsellors and administrators", "admin school_admin:own"
    ),
    "GET /api/v1/insights/thresholds": allow("the institution's administrators", "admin"),
    "PUT /api/v1/insights/thresholds": allow("the institution's administrators", "admin"),
}


# Where the product departs from the policy above, found by this matrix and reported, not yet
# decided: the matrix holds these answers to be the wrong ones, tolerates them, and fails once
# one is fixed (so the entry is dropped). Keyed by (operation, role, relation).
FINDINGS: dict[tuple[str, str, str], str] = {
    ("POST /api/v1/attendance/excuses", "school_admin", "own"): (
        "the admin of the child's own school may not submit an absence note (404), the"
        " institution admin and the officer may"
    ),
}
