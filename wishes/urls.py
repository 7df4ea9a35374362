from django.urls import path

from wishes import campaign_views, poster_views, stock_views, views

app_name = "wishes"
urlpatterns = [
    path("my/wishes/", views.my_wishes, name="my"),
    path("my/wishes/new/", views.wish_new, name="new"),
    path("my/wishes/review/", views.review_queue, name="review"),
    path("my/wishes/<int:wish_id>/", views.wish_private, name="private"),
    path("my/wishes/<int:wish_id>/resubmit/", views.wish_resubmit, name="resubmit"),
    path("my/wishes/<int:wish_id>/vet/", views.wish_vet, name="vet"),
    path("my/wishes/<int:wish_id>/deliver/", views.wish_deliver, name="deliver"),
    path("my/wishes/<int:wish_id>/withdraw/", views.wish_withdraw, name="withdraw"),
    path(
        "my/wishes/<int:wish_id>/give/<int:pledge_id>/cancelled/",
        views.wish_give_cancelled,
        name="give_cancelled",
    ),
    path("my/wishes/<int:wish_id>/fulfil/", views.wish_fulfil, name="fulfil"),
    path("my/wishes/<int:wish_id>/fill/", stock_views.wish_fill, name="fill"),
    path("my/wishes/<int:wish_id>/fill/undo/", stock_views.fill_undo, name="fill_undo"),
    path("my/wishes/<int:wish_id>/poster.pdf", poster_views.wish_poster, name="poster"),
    path(
        "my/stations/<int:station_id>/poster.pdf",
        poster_views.station_poster,
        name="station_poster",
    ),
    path("my/campaigns/", campaign_views.campaign_list, name="campaigns"),
    path(
        "my/campaigns/<int:campaign_id>/claim-all/",
        campaign_views.campaign_claim_all,
        name="campaign_claim_all",
    ),
    path(
        "my/campaigns/<int:campaign_id>/give/",
        campaign_views.campaign_give,
        name="campaign_give",
    ),
    path(
        "my/campaigns/<int:campaign_id>/poster.pdf",
        campaign_views.campaign_poster,
        name="campaign_poster",
    ),
    # printed on posters: never change these three
    path("p/<int:campaign_id>/", campaign_views.campaign_short, name="campaign_short"),
    path("w/<int:wish_id>/", poster_views.wish_short, name="short"),
    path("s/<int:station_id>/", poster_views.station_short, name="station_short"),
    path("my/wishes/from-stock/", stock_views.from_stock, name="from_stock"),
    path(
        "my/wishes/from-stock/<int:lot_id>/delivery/",
        stock_views.delivery_list,
        name="delivery_list",
    ),
    path("my/wishes/<int:wish_id>/claim/", views.wish_claim, name="claim"),
    path("my/wishes/<int:wish_id>/give/", views.wish_give, name="give"),
    path("my/wishes/<int:wish_id>/fund-from-pool/", views.fund_from_pool, name="fund_from_pool"),
    path("my/claims/<int:claim_id>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("my/disbursements/", views.disbursements, name="disbursements"),
    path("wish-photos/<int:wish_id>/<str:which>.jpg", views.wish_photo, name="photo"),
]
