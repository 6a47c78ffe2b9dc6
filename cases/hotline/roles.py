"""Who may do what with 12345 work orders (the model permissions of each role).

The unit scope of ``HotlineOrder.scope_q`` says on which rows: officers and office heads handle
their township's orders; the judicial office, the township leader and the legal reviewer read
them; district staff read all of them. Triage (orders no township holds) is done by district
admins, who may route any order, and by office heads, who read the queue and claim an order for
their own township. Social supervisors and department liaisons see no work order.
"""

from pengjiang_enforcement.choices import Role

READ = [
    "cases.view_hotlineorder",
    "cases.view_hotlinereply",
    "cases.view_hotlinerequest",
    "cases.view_hotlineevent",
    "cases.view_hotlinerawrow",
]
HANDLE = ["cases.change_hotlineorder", "cases.add_hotlinereply", "cases.add_hotlinerequest"]
IMPORT = ["cases.add_hotlineimport", "cases.view_hotlineimport"]
EXPORT = ["cases.export_hotlineorder"]
KEEP_GAZETTEER = ["cases.view_gazetteerentry", "cases.add_gazetteerentry", "cases.change_gazetteerentry"]
KEEP_SOURCES = ["cases.view_hotlinesource", "cases.add_hotlinesource", "cases.change_hotlinesource"]

HOTLINE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*READ, *HANDLE, *IMPORT, *EXPORT],
    Role.OFFICE_HEAD: [
        *READ,
        *HANDLE,
        *IMPORT,
        *EXPORT,
        "cases.approve_hotlineorder",
        "cases.triage_hotlineorder",
        "cases.change_hotlinerequest",
        "cases.view_gazetteerentry",
    ],
    Role.LEGAL_REVIEWER: READ,
    Role.TOWNSHIP_LEADER: [*READ, *EXPORT],
    Role.JUDICIAL_SUPERVISOR: READ,
    Role.DISTRICT_SUPERVISOR: [*READ, "cases.view_hotlineimport"],
    Role.DISTRICT_ADMIN: [*READ, *IMPORT, *EXPORT, "cases.triage_hotlineorder", *KEEP_GAZETTEER, *KEEP_SOURCES],
    Role.DEPARTMENT_LIAISON: [],
    Role.SOCIAL_SUPERVISOR: [],
}
