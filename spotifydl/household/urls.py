from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from downloads.adopt.views import folder_import_page
from spotifydl.household import installation, notifications, personal

app_name = "household"
urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", personal.preferences_page, name="preferences"),
    path("settings/notifications/", notifications.personal_save, name="notifications"),
    path("settings/notifications/test/", notifications.personal_test, name="notifications_test"),
    # The admin's: every view below is admin_required.
    path("settings/installation/", installation.installation_settings, name="installation"),
    path(
        "settings/installation/notifications/",
        notifications.installation_save,
        name="installation_notifications",
    ),
    path(
        "settings/installation/notifications/test/",
        notifications.installation_test,
        name="installation_notifications_test",
    ),
    path("settings/installation/sign-in/", installation.sign_in_policy, name="sign_in_policy"),
    path("settings/installation/invited/", installation.invite, name="invite"),
    path("settings/installation/invited/<int:pk>/remove/", installation.uninvite, name="uninvite"),
    path("settings/installation/people/<int:user_id>/role/", installation.person_role, name="role"),
    path("settings/installation/import/", folder_import_page, name="import"),
]
