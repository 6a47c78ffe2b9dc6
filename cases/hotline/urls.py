"""URLs of the 12345 hotline (namespace ``cases:hotline``, under /hotline/)."""

from django.urls import path

from ..views import hotline, hotline_imports

app_name = "hotline"

urlpatterns = [
    path("", hotline.order_list, name="order_list"),
    path("triage/", hotline.triage, name="triage"),
    path("triage/reroute/", hotline.triage_reroute, name="triage_reroute"),
    path("export.xlsx", hotline.reply_export, name="reply_export"),
    path("orders/<int:pk>/", hotline.order_detail, name="order_detail"),
    path("orders/no/<str:order_no>/", hotline.order_by_number, name="order_by_number"),
    path("orders/<int:pk>/accept/", hotline.order_accept, name="order_accept"),
    path("orders/<int:pk>/interim/", hotline.order_interim, name="order_interim"),
    path("orders/<int:pk>/reply/", hotline.order_reply, name="order_reply"),
    path("orders/<int:pk>/extension/", hotline.order_extension, name="order_extension"),
    path("orders/<int:pk>/return/", hotline.order_return, name="order_return"),
    path("orders/<int:pk>/reopen/", hotline.order_reopen, name="order_reopen"),
    path("orders/<int:pk>/route/", hotline.order_route, name="order_route"),
    path("orders/<int:pk>/return-untriaged/", hotline.order_return_untriaged, name="order_return_untriaged"),
    path("orders/<int:pk>/lead/", hotline.order_convert, name="order_convert"),
    path("orders/<int:pk>/link-lead/", hotline.order_link_lead, name="order_link_lead"),
    path("orders/<int:pk>/item/", hotline.order_item, name="order_item"),
    path("requests/<int:pk>/decide/", hotline.request_decide, name="request_decide"),
    path("imports/", hotline_imports.import_list, name="import_list"),
    path("imports/<int:pk>/", hotline_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", hotline_imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", hotline_imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", hotline_imports.import_discard, name="import_discard"),
    path("imports/<int:pk>/resume/", hotline_imports.import_resume, name="import_resume"),
    path("imports/<int:pk>/report.xlsx", hotline_imports.import_report, name="import_report"),
    path("sources/", hotline_imports.source_list, name="source_list"),
    path("sources/<int:pk>/rotate/", hotline_imports.source_rotate, name="source_rotate"),
    path("sources/<int:pk>/active/", hotline_imports.source_active, name="source_active"),
    path("api/orders/", hotline_imports.feed, name="feed"),
]
