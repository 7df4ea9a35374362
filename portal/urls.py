from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("transparency/", views.transparency, name="transparency"),
    path("annual-reports/<int:page_id>.pdf", views.annual_report_pdf, name="annual_pdf"),
    path("my/matching/", views.matching, name="matching"),
]
