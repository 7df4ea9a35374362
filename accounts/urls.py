from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident"),
]
