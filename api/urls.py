from django.urls import path, re_path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView

from api import views

app_name = "api"
urlpatterns = [
    path("api/v1/funds/", views.FundsView.as_view(), name="funds"),
    path("api/v1/flows/", views.FlowsView.as_view(), name="flows"),
    path("api/v1/wishes/", views.WishCountsView.as_view(), name="wishes"),
    path("api/v1/loans/", views.LoanCountsView.as_view(), name="loans"),
    path("api/v1/donations/", views.DonationsView.as_view(), name="donations"),
    # the schema changes only with a release: cached for an hour
    path(
        "api/v1/schema/",
        cache_page(3600)(
            SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[])
        ),
        name="schema",
    ),
    re_path(r"^api/", views.not_found),
]
