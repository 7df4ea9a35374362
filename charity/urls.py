from django.urls import path

from charity import views

app_name = "charity"
urlpatterns = [path("transparency/", views.transparency, name="transparency")]
