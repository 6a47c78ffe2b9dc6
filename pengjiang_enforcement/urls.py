"""URL configuration of the portal."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import account, audit, calendar, health, home, org

core_patterns = (
    [
        path("units/", org.unit_list, name="unit_list"),
        path("units/<int:pk>/", org.unit_detail, name="unit_detail"),
        path("units/<int:pk>/edit/", org.unit_edit, name="unit_edit"),
        path("people/", org.user_list, name="user_list"),
        path("people/<int:pk>/", org.user_detail, name="user_detail"),
        path("calendar/", calendar.calendar_view, name="calendar"),
        path("audit/", audit.audit_list, name="audit_list"),
    ],
    "core",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account.password_change, name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The apps' pages, included by name (the project's URL map knows every app; no app imports
    # one above it).
    path("catalogue/", include("powers.urls")),
    path("public/", include("powers.public_urls")),
    path("", include(core_patterns)),
    path("", include("cases.urls")),
]
