"""The customer's pages, reached from the signed links of a confirmation message (no sign-in)."""

from django.urls import path

from caredesk.resolutions import views

app_name = "resolutions"

urlpatterns = [
    path("confirm/<str:token>/", views.confirmation_page, name="confirm"),
    path("confirm/<str:token>/not-fixed/", views.not_fixed, name="not-fixed"),
    path("confirm/<str:token>/fixed/", views.fixed, name="fixed"),
    path("confirm/<str:token>/channel/", views.confirmation_channel, name="confirmation-channel"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
]
