"""URLs of the 12345 hotline (namespace ``cases:hotline``, under /hotline/)."""

from django.urls import path

from .views import imports, orders

app_name = "hotline"

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("triage/", orders.triage, name="triage"),
    path("triage/reroute/", orders.triage_reroute, name="triage_reroute"),
    path("export.xlsx", orders.reply_export, name="reply_export"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/no/<str:order_no>/", orders.order_by_number, name="order_by_number"),
    path("orders/<int:pk>/phone/", orders.order_phone, name="order_phone"),
    path("orders/<int:pk>/accept/", orders.order_accept, name="order_accept"),
    path("orders/<int:pk>/interim/", orders.order_interim, name="order_interim"),
    path("orders/<int:pk>/reply/", orders.order_reply, name="order_reply"),
    path("orders/<int:pk>/extension/", orders.order_extension, name="order_extension"),
    path("orders/<int:pk>/return/", orders.order_return, name="order_return"),
    path("orders/<int:pk>/reopen/", orders.order_reopen, name="order_reopen"),
    path("orders/<int:pk>/route/", orders.order_route, name="order_route"),
    path("orders/<int:pk>/return-untriaged/", orders.order_return_untriaged, name="order_return_untriaged"),
    path("orders/<int:pk>/lead/", orders.order_convert, name="order_convert"),
    path("orders/<int:pk>/link-lead/", orders.order_link_lead, name="order_link_lead"),
    path("orders/<int:pk>/item/", orders.order_item, name="order_item"),
    path("requests/<int:pk>/decide/", orders.request_decide, name="request_decide"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import_discard"),
    path("imports/<int:pk>/resume/", imports.import_resume, name="import_resume"),
    path("imports/<int:pk>/report.xlsx", imports.import_report, name="import_report"),
    path("sources/", imports.source_list, name="source_list"),
    path("sources/<int:pk>/rotate/", imports.source_rotate, name="source_rotate"),
    path("sources/<int:pk>/active/", imports.source_active, name="source_active"),
    path("api/orders/", imports.feed, name="feed"),
]
