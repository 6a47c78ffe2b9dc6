"""Public disclosure pages of the catalogue, under /public/ (no sign-in)."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("", public.index, name="index"),
    path("catalogue.xlsx", public.export, name="export"),
    path("items/<int:pk>/", public.item, name="item"),
    path("<slug:code>/", public.township, name="township"),
    path("<slug:code>/catalogue.xlsx", public.export, name="township_export"),
]
