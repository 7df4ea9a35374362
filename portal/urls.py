from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [path("transparency/", views.transparency, name="transparency")]
