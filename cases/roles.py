"""Who may do what with leads and cases (the model permissions of each role).

The permissions say what kind of thing a role does; the unit scope and the case's own rules
(``Case.scope_q``: only the handling officers change a case) say on which rows.
"""

from pengjiang_enforcement.choices import Role

# Rows of a case or lead that every reader of cases reads.
READ_MODELS = [
    "lead",
    "case",
    "caseofficer",
    "party",
    "evidence",
    "attachment",
    "inspectionrecord",
    "interviewrecord",
    "correctionorder",
    "preservation",
    "investigationreport",
    "deadline",
    "extensionrequest",
    "caseevent",
]
READ = [f"cases.view_{model}" for model in READ_MODELS]
INBOX = ["cases.view_notification", "cases.change_notification"]
HANDLE = [
    "cases.add_lead",
    "cases.change_lead",
    "cases.add_case",
    "cases.change_case",
    "cases.add_party",
    "cases.change_party",
    "cases.add_evidence",
    "cases.change_evidence",
    "cases.add_attachment",
    "cases.change_attachment",
    "cases.add_inspectionrecord",
    "cases.add_interviewrecord",
    "cases.add_correctionorder",
    "cases.change_correctionorder",
    "cases.add_preservation",
    "cases.change_preservation",
    "cases.add_investigationreport",
    "cases.add_extensionrequest",
    "cases.change_inspectionrecord",
    "cases.change_interviewrecord",
    "cases.change_investigationreport",
    "cases.change_deadline",
    "cases.export_case",
]
CONFIG = [
    "cases.view_numberpattern",
    "cases.add_numberpattern",
    "cases.change_numberpattern",
    "cases.view_extensionstep",
    "cases.add_extensionstep",
    "cases.change_extensionstep",
    "cases.view_procedurepolicy",
    "cases.add_procedurepolicy",
    "cases.change_procedurepolicy",
]

CASES_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*READ, *INBOX, *HANDLE],
    Role.OFFICE_HEAD: [*READ, *INBOX, *HANDLE, "cases.approve_case", "cases.change_extensionrequest"],
    Role.LEGAL_REVIEWER: [*READ, *INBOX, "cases.export_case"],
    Role.TOWNSHIP_LEADER: [*READ, *INBOX, "cases.export_case"],
    Role.JUDICIAL_SUPERVISOR: [*READ, *INBOX, "cases.export_case"],
    Role.DISTRICT_SUPERVISOR: [*READ, *INBOX, "cases.export_case"],
    Role.DISTRICT_ADMIN: [*READ, *INBOX, *CONFIG, "cases.export_case"],
    # A liaison follows the cases that use the department's delegated powers (ARCHITECTURE.md).
    Role.DEPARTMENT_LIAISON: ["cases.view_case", "cases.view_caseofficer", "cases.view_party", *INBOX],
    Role.SOCIAL_SUPERVISOR: [],
}

# Who reads a party's phone and address (``view_contact_party``). A liaison follows the case, not
# the people in it. Kept apart from ``CASES_PERMISSIONS``: migration 0002 grants those before the
# permission exists; migration 0109 grants these.
PARTY_CONTACT_PERMISSIONS: dict[str, list[str]] = {
    role: ["cases.view_contact_party"]
    for role, perms in CASES_PERMISSIONS.items()
    if "cases.view_party" in perms and role != Role.DEPARTMENT_LIAISON
}

# Who reads the maintained figures of their township (``cases.models.figures``): every reader of
# a township's cases. Kept apart like the contact permission: migration 0112 grants it.
FIGURE_PERMISSIONS: dict[str, list[str]] = {
    role: ["cases.view_figure"]
    for role, perms in CASES_PERMISSIONS.items()
    if "cases.view_case" in perms and role != Role.DEPARTMENT_LIAISON
}

# The simple procedure's records (``cases.models.simple``): read by every reader of a case's file,
# written by those who handle cases. Kept apart like the contact permission: the simple
# procedure's migration grants them.
SIMPLE_MODELS = ["onspotdecision", "onspotpayment"]
SIMPLE_PERMISSIONS: dict[str, list[str]] = {
    role: [f"cases.view_{model}" for model in SIMPLE_MODELS]
    + (
        [f"cases.{verb}_{model}" for model in SIMPLE_MODELS for verb in ("add", "change")]
        if "cases.add_case" in perms
        else []
    )
    for role, perms in CASES_PERMISSIONS.items()
    if "cases.view_evidence" in perms
}
