from django.urls import path

from lending import views

app_name = "lending"
urlpatterns = [
    path("my/lending/", views.my_loans, name="mine"),
    path("my/lending/request/", views.loan_request, name="request"),
    path("my/lending/station/", views.station_board, name="station"),
    path("my/lending/items/<str:tag>/", views.item_detail, name="item"),
]
