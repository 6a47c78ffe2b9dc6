"""Signed-in pages of the catalogue, under /catalogue/."""

from django.urls import path

from .views import adjustments, catalogue, evaluation, imports, matrix

app_name = "powers"

urlpatterns = [
    path("", catalogue.item_list, name="item_list"),
    path("export.<str:fmt>", catalogue.item_export, name="item_export"),
    path("items/<int:pk>/", catalogue.item_detail, name="item_detail"),
    path("items/<int:pk>/discretion/new/", catalogue.discretion_new, name="discretion_new"),
    path("items/<int:pk>/leniency/new/", catalogue.leniency_new, name="leniency_new"),
    path("leniency/<int:pk>/end/", catalogue.leniency_end, name="leniency_end"),
    path("matrix/", matrix.matrix, name="matrix"),
    path("adjustments/", adjustments.adjustment_list, name="adjustment_list"),
    path("adjustments/new/<str:kind>/", adjustments.adjustment_new, name="adjustment_new"),
    path("adjustments/<int:pk>/", adjustments.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/document/", adjustments.adjustment_document, name="adjustment_document"),
    path("adjustments/<int:pk>/opinion/", adjustments.adjustment_opinion, name="adjustment_opinion"),
    path("adjustments/<int:pk>/<str:action>/", adjustments.adjustment_decide, name="adjustment_decide"),
    path("evaluation/", evaluation.evaluation_view, name="evaluation"),
    path("evaluation/items/<int:pk>/", evaluation.evaluation_new, name="evaluation_new"),
    path("evaluations/<int:pk>/", evaluation.evaluation_detail, name="evaluation_detail"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/file/", imports.import_file, name="import_file"),
    path("imports/<int:pk>/<str:action>/", imports.import_decide, name="import_decide"),
]
