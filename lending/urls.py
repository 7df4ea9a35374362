from django.urls import path

from lending import views

app_name = "lending"
urlpatterns = [
    path("my/lending/", views.my_loans, name="mine"),
    path("my/lending/<int:loan_id>/pay/", views.loan_pay, name="pay"),
    path("my/lending/waiting/<int:entry_id>/", views.waitlist_entry, name="waiting"),
    path("my/lending/transfers/", views.transfers, name="transfers"),
    path("my/lending/transfers/<int:transfer_id>/", views.transfer_detail, name="transfer"),
    path("my/lending/lent/", views.lent_items, name="lent"),
    path("my/lending/labels.pdf", views.label_sheet, name="labels"),
    path("my/lending/from-stock/", views.from_stock, name="from_stock"),
    path("my/lending/figures/", views.figures, name="figures"),
    path("my/lending/loans/<int:loan_id>/photos/<int:n>/", views.return_photo, name="photo"),
    path("my/lending/request/", views.loan_request, name="request"),
    path("my/lending/station/", views.station_board, name="station"),
    path("my/lending/items/<str:tag>/", views.item_detail, name="item"),
]
