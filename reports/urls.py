from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("my/reports/", views.reports, name="list"),
    path("my/reports/<int:report_id>.<str:kind>", views.report_file, name="file"),
    path("my/reports/exports/", views.exports, name="exports"),
    path("my/reports/closing/", views.closing, name="closing"),
    path("my/reports/statements/", views.statements, name="statements"),
]
