from django.urls import path

from donations import views

app_name = "donations"
urlpatterns = [
    path("pledge/", views.pledge_start, name="pledge_start"),
    path("pledge/<int:pledge_id>/", views.pledge_detail, name="pledge"),
    path("pledge/<int:pledge_id>/pay/", views.pledge_pay, name="pledge_pay"),
    path("pledge/<int:pledge_id>/cancel/", views.pledge_cancel, name="pledge_cancel"),
    path("my/giving/", views.giving, name="giving"),
    path("my/giving/receipts/<str:number>.pdf", views.receipt_download, name="receipt_pdf"),
    path(
        "my/giving/statements/<int:donor_id>/<int:year>.pdf",
        views.statement_download,
        name="statement",
    ),
    path("receipts/verify/<str:code>/", views.receipt_verify, name="receipt_verify"),
]
