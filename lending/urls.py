from django.urls import path

from lending import views

app_name = "lending"
urlpatterns = [path("my/lending/request/", views.loan_request, name="request")]
