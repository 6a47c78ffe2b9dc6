"""URLs of the cases app (namespace ``cases``)."""

from django.urls import include, path

from .views import cases, deadlines, investigation, leads, simple

app_name = "cases"

urlpatterns = [
    # leads
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/start-check/", leads.lead_start_check, name="lead_start_check"),
    path("leads/<int:pk>/file/", leads.lead_file, name="lead_file"),
    path("leads/<int:pk>/items/search/", leads.item_search, name="item_search"),
    path("leads/<int:pk>/not-file/", leads.lead_not_file, name="lead_not_file"),
    path("leads/<int:pk>/transfer/", leads.lead_transfer, name="lead_transfer"),
    path("leads/<int:pk>/correction/", leads.lead_correction, name="lead_correction"),
    path("leads/<int:pk>/attach/", leads.lead_attach, name="lead_attach"),
    path("leads/<int:pk>/corrections/<int:order_pk>/reinspect/", leads.lead_reinspect, name="lead_reinspect"),
    # queues and the export
    path("cases/", cases.case_list, name="case_list"),
    path("cases/mine/", cases.case_list, {"scope": "mine"}, name="my_cases"),
    path("cases/items/search/", cases.item_filter_search, name="item_filter_search"),
    path("cases/export.xlsx", cases.case_export, name="case_export"),
    path("cases/approvals/", cases.approvals, name="approvals"),
    # one case
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/timeline/", cases.case_timeline, name="case_timeline"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/approve/", cases.case_approve, name="case_approve"),
    path("cases/<int:pk>/return/", cases.case_return, name="case_return"),
    path("cases/<int:pk>/resubmit/", cases.case_resubmit, name="case_resubmit"),
    path("cases/<int:pk>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/close-investigation/", cases.case_close_investigation, name="case_close_investigation"),
    path("cases/<int:pk>/reopen/", cases.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/officers/", cases.case_officers, name="case_officers"),
    path("cases/<int:pk>/parties/add/", investigation.party_add, name="party_add"),
    path("cases/<int:pk>/parties/<int:party_pk>/edit/", investigation.party_edit, name="party_edit"),
    path("cases/<int:pk>/parties/<int:party_pk>/remove/", investigation.party_remove, name="party_remove"),
    path("cases/<int:pk>/parties/history/", investigation.party_history, name="party_history"),
    path("cases/<int:pk>/evidence/add/", investigation.evidence_add, name="evidence_add"),
    path("cases/<int:pk>/evidence/<int:evidence_pk>/attach/", investigation.evidence_attach, name="evidence_attach"),
    path("cases/<int:pk>/inspections/add/", investigation.inspection_add, name="inspection_add"),
    path("cases/<int:pk>/inspections/<int:record_pk>/", investigation.inspection_detail, name="inspection_detail"),
    path("cases/<int:pk>/interviews/add/", investigation.interview_add, name="interview_add"),
    path("cases/<int:pk>/interviews/<int:record_pk>/", investigation.interview_detail, name="interview_detail"),
    path("cases/<int:pk>/corrections/add/", investigation.correction_add, name="correction_add"),
    path(
        "cases/<int:pk>/corrections/<int:order_pk>/reinspect/",
        investigation.correction_reinspect,
        name="correction_reinspect",
    ),
    path("cases/<int:pk>/preservations/add/", investigation.preservation_add, name="preservation_add"),
    path(
        "cases/<int:pk>/preservations/<int:preservation_pk>/decide/",
        investigation.preservation_decide,
        name="preservation_decide",
    ),
    path("cases/<int:pk>/extensions/request/", deadlines.extension_request, name="extension_request"),
    path("cases/<int:pk>/extensions/<int:request_pk>/decide/", deadlines.extension_decide, name="extension_decide"),
    # the simple procedure (当场处罚) and the archive
    path("cases/on-spot/new/", simple.on_spot_new, name="on_spot_new"),
    path("cases/on-spot/items/search/", simple.on_spot_item_search, name="on_spot_item_search"),
    path("cases/<int:pk>/on-spot/serve/", simple.on_spot_serve, name="on_spot_serve"),
    path("cases/<int:pk>/on-spot/pay/", simple.on_spot_pay, name="on_spot_pay"),
    path("cases/<int:pk>/on-spot/cash-handover/", simple.on_spot_handover, name="on_spot_handover"),
    path("cases/<int:pk>/file-for-record/", simple.case_file_for_record, name="case_file_for_record"),
    path("cases/<int:pk>/archive/", simple.case_archive, name="case_archive"),
    # files and notifications
    path("files/<int:pk>/", investigation.attachment_download, name="attachment_download"),
    path("notifications/", deadlines.notifications, name="notifications"),
    path("notifications/read/", deadlines.notifications_read, name="notifications_read"),
    # 12345 hotline work orders (namespace cases:hotline)
    path("hotline/", include("cases.hotline.urls")),
]
