"""Demo data for `make run`: people, stations, a company and bilingual pages. Safe to run twice."""

from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import roles, services
from accounts.models import Resident, Station, User
from charity import content

DEMO_PASSWORD = "wishpool-demo"  # noqa: S105 - printed for the demo, never used in production

STATIONS = [
    {
        "name": "梅园养老驿站",
        "address": "梅园路 88 号",
        "district": "浦东新区",
        "latitude": 31.236,
        "longitude": 121.505,
    },
    {
        "name": "崂山服务站",
        "address": "崂山路 200 号",
        "district": "浦东新区",
        "latitude": 31.231,
        "longitude": 121.521,
    },
]


class Command(BaseCommand):
    help = "Load the demo data (stations, people, a member company, pages) unless already there."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            stations = [self._station(data) for data in STATIONS]
            logins = self._people(stations)
            content.demo_pages_ensure()
            self._giving()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo logins (password: {DEMO_PASSWORD}):")
        )
        for role, email in logins:
            self.stdout.write(f"  {role:<28} {email}")
        self.stdout.write(
            "  (the fund administrator sets up TOTP at first sign-in; e-mails land in var/mail/)"
        )

    def _giving(self) -> None:
        """Some gifts so the transparency page and 'My giving' have something to show."""
        from decimal import Decimal

        from django.utils import timezone

        from charity.models import Fund
        from donations.models import Donation, Pledge
        from donations.services import offline, pledges
        from lending.models import Warehouse

        if Donation.objects.exists():
            return
        admin = User.objects.get(email="fund@demo.wishpool.cn")
        rep = User.objects.get(email="rep@demo.wishpool.cn")
        org = rep.memberships.get().organisation
        services.organisation_approve(organisation=org, by=admin)
        donor = User.objects.get(email="donor@demo.wishpool.cn")
        services.donor_registration_approve(user=donor, by=admin)
        general = Fund.objects.get(code="general")
        beds, _ = Fund.objects.get_or_create(
            code="care-beds",
            defaults={
                "name": "护理床专项",
                "name_en": "Care beds appeal",
                "target_amount": Decimal("50000"),
                "description": "为失能老人添置可借用的护理床。",
                "sort_order": 2,
            },
        )
        company = pledges.donor_for_organisation(organisation=org)
        now = timezone.now()
        for amount, fund, ref in (
            ("20000", general, "ICBC-20261001-0001"),
            ("8000", beds, "ICBC-20261105-0002"),
        ):
            offline.offline_income_record(
                donor=company,
                fund=fund,
                amount=Decimal(amount),
                method="bank_transfer",
                reference=ref,
                received_at=now,
                show_name=True,
                by=admin,
            )
        offline.offline_income_record(
            donor=pledges.donor_for_user(user=donor),
            fund=general,
            amount=Decimal("500"),
            method="cash",
            reference="CASH-0001",
            received_at=now,
            show_name=False,
            by=admin,
        )
        strips = pledges.pledge_create(
            user=rep,
            organisation=org,
            kind=Pledge.Kind.GOODS,
            fund=general,
            show_name=True,
            goods_description="插线板",
            goods_quantity=200,
            goods_unit_value=Decimal("30"),
        )
        offline.goods_intake_record(
            pledge=strips,
            quantity=200,
            condition="new",
            unit_value=Decimal("30"),
            warehouse=Warehouse.objects.get(is_main=True),
            by=admin,
        )
        pledges.pledge_create(
            user=rep,
            organisation=org,
            kind=Pledge.Kind.GOODS,
            fund=general,
            show_name=True,
            goods_description="助行器",
            goods_quantity=10,
            goods_unit_value=Decimal("150"),
        )

    def _station(self, data: dict[str, Any]) -> Station:
        existing = Station.objects.filter(name=data["name"]).first()
        return existing or services.station_create(**data)

    def _user(self, email: str, name: str, kind: str = User.Kind.DONOR) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=name, kind=kind
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    def _people(self, stations: list[Station]) -> list[tuple[str, str]]:
        admin = self._user("fund@demo.wishpool.cn", "李主任")
        services.staff_role_grant(user=admin, role=roles.FUND_ADMINISTRATOR)
        editor = self._user("editor@demo.wishpool.cn", "陈编辑")
        services.staff_role_grant(user=editor, role=roles.EDITOR)
        worker = self._user("worker@demo.wishpool.cn", "张管家")
        services.staff_role_grant(user=worker, role=roles.COMMUNITY_WORKER, station=stations[0])

        rep = self._user("rep@demo.wishpool.cn", "王经理", User.Kind.COMPANY)
        colleague = self._user("colleague@demo.wishpool.cn", "刘会计", User.Kind.COMPANY)
        if not rep.memberships.exists():
            org = services.organisation_create(
                owner=rep,
                legal_name="上海梅园科技有限公司",
                display_name="梅园科技",
                contact_name=rep.full_name,
                contact_phone="021-5888 0000",
            )
            invitation = services.organisation_invite(
                organisation=org, invited_by=rep, email=colleague.email
            )
            services.invitation_accept(token=invitation.token, user=colleague)
        donor = self._user("donor@demo.wishpool.cn", "赵先生")

        resident_user = self._user("resident@demo.wishpool.cn", "王秀英", User.Kind.RESIDENT)
        if not Resident.objects.exists():
            wang = services.resident_create(
                worker=worker,
                pseudonym="王奶奶",
                coarse_area="梅园社区",
                real_name="王秀英",
                phone="138 0000 0001",
                address="梅园路 12 弄 3 号 401 室",
                birth_year=1944,
            )
            services.resident_link_user(worker=worker, resident=wang, email=resident_user.email)
            services.hardship_record(
                staff=worker,
                resident=wang,
                category="dibao",
                proof_status="verified",
                expires_on=date(2027, 12, 31),
            )
            li = services.resident_create(
                worker=worker,
                pseudonym="李爷爷",
                coarse_area="梅园社区",
                real_name="李建国",
                phone="021-5888 1234",
                address="梅园路 30 弄 1 号 102 室",
                birth_year=1940,
            )
            services.hardship_record(
                staff=worker,
                resident=li,
                category="disability",
                proof_status="pending",
                expires_on=None,
            )
        return [
            ("fund administrator", admin.email),
            ("editor", editor.email),
            ("community worker (梅园)", worker.email),
            ("company representative", rep.email),
            ("company colleague", colleague.email),
            ("individual donor", donor.email),
            ("resident (with account)", resident_user.email),
        ]
