"""The Wagtail admin's lending screens: equipment types (with a photo the catalogue shows) and
items (added at a warehouse or lent in), for fund administrators only, all through services."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from accounts.models import Warehouse
from lending.models import EquipmentType, Item
from portal import content
from tests.accounts import factories as f

pytestmark = pytest.mark.django_db


def test_a_type_with_its_photo_and_items_added_and_lent_in(client):
    content.demo_pages_ensure()
    admin = f.fund_administrator()
    client.force_login(admin)
    photo = get_image_model().objects.create(title="轮椅", file=get_test_image_file())
    made = client.post(
        "/cms/lending/types/",
        {
            "name": "轮椅",
            "name_en": "Wheelchair",
            "slug": "wheelchair",
            "description": "折叠式",
            "daily_fee": "3",
            "deposit": "300",
            "max_days": "60",
            "sort_order": "1",
            "photo": photo.pk,
        },
    )
    assert made.status_code == 302
    type_ = EquipmentType.objects.get(slug="wheelchair")
    assert type_.photo == photo and type_.max_days == 60
    page = client.get("/lending/wheelchair/").content.decode()
    assert 'alt="轮椅"' in page
    # a bad price is refused and changes nothing
    bad = client.post(
        f"/cms/lending/types/{type_.pk}/",
        {
            "name": "轮椅",
            "name_en": "Wheelchair",
            "daily_fee": "-1",
            "deposit": "300",
            "max_days": "60",
            "sort_order": "1",
        },
    )
    assert bad.status_code == 200
    type_.refresh_from_db()
    assert type_.daily_fee == 3
    main = Warehouse.objects.get(is_main=True)
    client.post(
        "/cms/lending/items/",
        {"action": "add", "add-type": type_.pk, "add-warehouse": main.pk, "add-tag": "wc-900"},
    )
    assert Item.objects.get(tag="WC-900").warehouse == main
    company = f.organisation()
    until = timezone.localdate() + timedelta(days=100)
    client.post(
        "/cms/lending/items/",
        {
            "action": "lend",
            "lend-type": type_.pk,
            "lend-warehouse": main.pk,
            "lend-tag": "WC-LEND",
            "lend-owner_organisation": company.pk,
            "lend-lent_until": until.isoformat(),
        },
    )
    lent = Item.objects.get(tag="WC-LEND")
    assert lent.owner_organisation == company and lent.lent_until == until
    listing = client.get("/cms/lending/items/").content.decode()
    assert "WC-LEND" in listing and company.display_name in listing


def test_only_fund_administrators_reach_the_lending_screens(client):
    for user in (f.worker(), f.UserFactory()):
        client.force_login(user)
        for url in ("/cms/lending/types/", "/cms/lending/items/"):
            assert client.get(url).status_code in (302, 403)
