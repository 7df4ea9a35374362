"""Charity projects (微公益): the fund office groups wishes, the project's page shows how far it
has got, a company claims all its open wishes at once, and the poster's QR leads to the page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import content
from tests.accounts import factories as f
from tests.pdfs import pdf_text, qr_codes
from tests.wishes import factories as wf
from wishes.models import Campaign, CampaignPage, Claim, Wish
from wishes.services import campaigns

pytestmark = pytest.mark.django_db

SITE = "https://wishpool.example.cn"


def _progress(helped: int, total: int) -> str:
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        line = gettext(
            "<strong>%(helped)s of %(total)s</strong> wishes have someone helping; "
            "%(done)s have come true."
        )
    return line % {"helped": helped, "total": total, "done": 0}


def _project(client) -> tuple[Campaign, CampaignPage, list[Wish]]:  # type: ignore[no-untyped-def]
    worker = f.worker()
    quilts = [wf.wish(worker=worker, title="一床厚棉被", category="clothing") for _ in range(2)]
    heater = wf.wish(worker=worker, kind="money", target_amount=Decimal("200"), title="取暖器")
    admin = f.fund_administrator()
    client.force_login(admin)
    response = client.post(
        reverse("wishes:campaigns"),
        {
            "name": "冬季送温暖",
            "description": "给独居老人送厚棉被。",
            "wishes": [w.pk for w in (*quilts, heater)],
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    home = content.demo_pages_ensure()
    page = home.add_child(
        instance=CampaignPage(title="冬季送温暖", slug="winter", campaign=campaign)
    )
    return campaign, page, [*quilts, heater]


def test_a_company_claims_all_the_open_wishes_of_a_project(client):
    campaign, page, wishes = _project(client)
    assert sorted(campaign.wishes.values_list("pk", flat=True)) == sorted(w.pk for w in wishes)
    assert _progress(0, 3) in client.get(page.url).content.decode()
    listing = client.get(reverse("wishes:campaigns")).content.decode()
    assert "冬季送温暖" in listing and f'href="{page.url}"' in listing

    org = f.organisation()
    rep = org.memberships.get().user
    client.force_login(rep)
    shown = client.get(page.url).content.decode()
    assert reverse("wishes:campaign_claim_all", args=[campaign.pk]) in shown
    response = client.post(
        reverse("wishes:campaign_claim_all", args=[campaign.pk]), {"give_as": f"org:{org.pk}"}
    )
    assert response.status_code == 302 and response["Location"] == page.url
    claims = Claim.objects.filter(wish__campaign=campaign)
    assert claims.count() == 2 and {c.donor.organisation_id for c in claims} == {org.pk}
    assert Wish.objects.get(pk=wishes[2].pk).status == Wish.Status.OPEN  # money: chip in instead
    assert _progress(2, 3) in client.get(page.url).content.decode()
    late = f.organisation()
    client.force_login(late.memberships.get().user)
    client.post(
        reverse("wishes:campaign_claim_all", args=[campaign.pk]), {"give_as": f"org:{late.pk}"}
    )
    assert claims.count() == 2  # nothing left to claim: nobody claims twice
    bad = client.post(
        reverse("wishes:campaign_claim_all", args=[campaign.pk]), {"give_as": "org:0"}
    )
    assert bad.status_code == 302 and claims.count() == 2


def test_a_wish_belongs_to_one_project_and_only_the_fund_office_makes_them(client):
    campaign, _page, wishes = _project(client)
    other = campaigns.campaign_create(
        name="另一个", description="", organisation=None, wishes=[], by=f.fund_administrator()
    )
    with pytest.raises(ValidationError):
        campaigns.campaign_wishes_add(campaign=other, wishes=wishes[:1], by=f.fund_administrator())
    client.force_login(f.worker())
    assert client.get(reverse("wishes:campaigns")).status_code == 403
    assert client.get(reverse("wishes:campaign_poster", args=[campaign.pk])).status_code == 403


@pytest.mark.cjk_pdf
@pytest.mark.poppler
@pytest.mark.zbar
def test_the_projects_poster_leads_to_its_page(client, settings, tmp_path):
    settings.SITE_URL = SITE
    campaign, page, wishes = _project(client)
    response = client.get(reverse("wishes:campaign_poster", args=[campaign.pk]))
    text = pdf_text(response.content, tmp_path, layout=False)
    assert "冬季送温暖" in text and all(f"W{w.pk}" in text for w in wishes)
    codes = qr_codes(response.content, tmp_path)
    assert codes == [f"{SITE}/p/{campaign.pk}/"]
    assert client.get(f"/p/{campaign.pk}/")["Location"] == page.url
