"""Demo data for `make run`: people, stations, a company and bilingual pages. Safe to run twice."""

from datetime import date
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import roles, services
from accounts.models import Organisation, Resident, Station, User
from charity.selectors import fund_general
from portal import content

DEMO_PASSWORD = "wishpool-demo"  # noqa: S105 - printed for the demo, never used in production

# 小区 near the demo stations (latitude, longitude as strings for Decimal)
COMMUNITIES = [
    ("梅园一村", "31.2372", "121.5031"),
    ("崂山新村", "31.2298", "121.5236"),
    ("东方小区", "31.2335", "121.5128"),
]

STATIONS = [
    {
        "name": "梅园养老驿站",
        "address": "梅园路 88 号",
        "district": "浦东新区",
        "latitude": 31.236,
        "longitude": 121.505,
        "phone": "021-5888 0101",
        "opening_hours": "周一至周六 8:30–17:00",
    },
    {
        "name": "崂山服务站",
        "address": "崂山路 200 号",
        "phone": "021-5888 0202",
        "opening_hours": "周一至周五 9:00–16:30",
        "district": "浦东新区",
        "latitude": 31.231,
        "longitude": 121.521,
    },
]


class Command(BaseCommand):
    help = "Load the demo data (stations, people, a member company, pages) unless already there."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.WISHPOOL_DEMO_ALLOWED:
            # The demo creates staff accounts with a published password.
            raise CommandError(
                "Refusing to load demo data with these settings (WISHPOOL_DEMO_ALLOWED is off, "
                "as in production): the demo creates staff accounts with a published password."
            )
        with transaction.atomic():
            stations = [self._station(data) for data in STATIONS]
            logins = self._people(stations)
            self._communities()
            home = content.demo_pages_ensure()
            self._giving()
            self._wishes()
            self._power_strips(stations)
            self._lending()
            # this year's annual report, figures computed from the demo's books, PDF by the worker
            content.annual_report_ensure(
                home,
                year=timezone.localdate().year,
                editor=User.objects.get(email="editor@demo.wishpool.cn"),
            )
            # last month's disbursement report, made by the worker (WeasyPrint) after commit
            from reports import tasks as report_tasks

            transaction.on_commit(report_tasks.make_monthly_report.delay)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo logins (password: {DEMO_PASSWORD}):")
        )
        for role, email in logins:
            self.stdout.write(f"  {role:<28} {email}")
        self.stdout.write(
            "  (the fund administrator and the worker set up TOTP at first sign-in; "
            "e-mails land in var/mail/)"
        )

    def _giving(self) -> None:
        """Some gifts so the transparency page and 'My giving' have something to show."""
        from decimal import Decimal

        from django.utils import timezone

        from accounts.models import Warehouse
        from charity.models import Fund
        from donations.models import Donation, Pledge
        from donations.services import donors, offline, pledges

        if Donation.objects.exists():
            return
        admin = User.objects.get(email="fund@demo.wishpool.cn")
        rep = User.objects.get(email="rep@demo.wishpool.cn")
        org = rep.memberships.get().organisation
        services.organisation_approve(organisation=org, by=admin)
        services.organisation_settings_set(organisation=org, by=rep, show_on_donor_wall=True)
        donor = User.objects.get(email="donor@demo.wishpool.cn")
        donors.donor_registration_approve(user=donor, by=admin)
        general = fund_general()
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
        company = donors.donor_for_organisation(organisation=org)
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
            donor=donors.donor_for_user(user=donor),
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

    def _wishes(self) -> None:
        """Wishes in every state, made through the same services the site uses."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from wishes.models import Wish
        from wishes.services import claims, lifecycle

        if Wish.objects.exists():
            return
        worker = User.objects.get(email="worker@demo.wishpool.cn")
        admin = User.objects.get(email="fund@demo.wishpool.cn")
        wang = Resident.objects.get(pseudonym="王奶奶")
        li = Resident.objects.get(pseudonym="李爷爷")
        rep = User.objects.get(email="rep@demo.wishpool.cn")
        org = rep.memberships.get().organisation
        soon = timezone.localdate() + timedelta(days=30)

        def post(resident: Resident, title: str, story: str, category: str, **kw: Any) -> Wish:
            by = resident.user or worker
            consent = "self" if resident.user else "in_person"
            return lifecycle.wish_submit(
                by=by,
                resident=resident,
                title=title,
                story=story,
                category=category,
                needed_by=soon,
                consent=consent,
                **kw,
            )

        def approve(wish: Wish) -> None:
            # whoever posted a wish does not approve it: the fund office does for the worker's
            lifecycle.wish_approve(
                wish=wish, by=admin if wish.posted_by_id == worker.pk else worker
            )

        fan = post(
            wang, "一台电风扇", "夏天家里很热，旧风扇坏了。", "daily_goods", kind="item", quantity=1
        )
        approve(fan)
        battery = post(
            li,
            "助听器电池一年用量",
            "李爷爷听力不好，电池每月都要换。",
            "health_aid",
            kind="money",
            target_amount=Decimal("300"),
        )
        approve(battery)
        quilt = post(li, "冬天的厚棉被", "老房子冬天冷。", "clothing", kind="item", quantity=1)
        approve(quilt)
        claims.claim_create(wish=quilt, by=rep, organisation=org, show_name=True)
        rail = post(
            wang,
            "卫生间扶手",
            "洗澡时站不稳，想装一个扶手。",
            "home_repair",
            kind="item",
            quantity=1,
        )
        approve(rail)
        claims.claim_create(wish=rail, by=rep, organisation=org, show_name=True)
        lifecycle.wish_mark_delivered(wish=rail, by=rep)
        lifecycle.wish_fulfil(
            wish=rail, by=worker, thank_you_note="谢谢梅园科技的师傅，扶手装得很牢，我放心多了！"
        )
        radio = post(li, "一台收音机", "想听戏曲节目。", "companionship", kind="item", quantity=1)
        approve(radio)
        claims.claim_create(wish=radio, by=rep, organisation=org, show_name=False)
        lifecycle.wish_mark_delivered(wish=radio, by=worker)
        post(wang, "老花镜", "看报纸看不清。", "health_aid", kind="item", quantity=1)
        tv = post(li, "新电视机", "想要一台大电视。", "other", kind="item", quantity=1)
        lifecycle.wish_request_changes(
            wish=tv, by=worker, message="微心愿一般在一千元以内，能否改为修理旧电视？"
        )
        phone = post(wang, "最新款手机", "想和孙子视频。", "other", kind="item", quantity=1)
        lifecycle.wish_reject(
            wish=phone, by=worker, reason="可由社区志愿者帮助设置现有手机的视频通话。"
        )

    def _power_strips(self, stations: list[Station]) -> None:
        """The seeds' 微公益 story half-way: 200 power strips are in the main warehouse (see
        _giving) and old people at two stations ask for a safe one; staff match them at
        /my/matching/."""
        from datetime import timedelta

        from django.utils import timezone

        from wishes.models import Wish
        from wishes.services import lifecycle

        if Wish.objects.filter(title="一个安全的插线板").exists():
            return
        admin = User.objects.get(email="fund@demo.wishpool.cn")
        first = User.objects.get(email="worker@demo.wishpool.cn")
        second = self._user("worker2@demo.wishpool.cn", "陈社工")
        services.staff_role_grant(user=second, role=roles.COMMUNITY_WORKER, station=stations[1])
        people = [
            (first, "周奶奶", "梅园社区", "周桂兰", "梅园路 8 弄 2 号"),
            (first, "吴爷爷", "梅园社区", "吴德明", "梅园路 16 弄 5 号"),
            (second, "郑奶奶", "崂山社区", "郑秀珍", "崂山路 21 号"),
            (second, "孙爷爷", "崂山社区", "孙志强", "崂山路 45 号"),
            (second, "钱奶奶", "崂山社区", "钱美华", "崂山路 60 号"),
        ]
        for i, (worker, pseudonym, area, real_name, address) in enumerate(people):
            resident = services.resident_create(
                worker=worker,
                pseudonym=pseudonym,
                coarse_area=area,
                real_name=real_name,
                phone=f"138 0000 01{i:02d}",
                address=address,
                birth_year=1942 + i,
            )
            wish = lifecycle.wish_submit(
                by=worker,
                resident=resident,
                title="一个安全的插线板",
                story="厨房的旧插线板发烫，想换一个带开关和过载保护的。",
                category="home_repair",
                kind="item",
                quantity=1,
                needed_by=timezone.localdate() + timedelta(days=21),
                consent="in_person",
            )
            lifecycle.wish_approve(wish=wish, by=admin)
        content.campaign_ensure(
            name="用电安全进万家：插线板",
            description="为独居老人换上带开关和过载保护的插线板，企业员工与志愿者上门安装。",
            wishes=list(Wish.objects.filter(title="一个安全的插线板")),
            by=admin,
        )

    def _lending(self) -> None:
        """Equipment at the main warehouse and the stations, a loan, and a wait list at one
        station while the other has idle stock: made through the lending services."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from accounts.models import Warehouse
        from lending import services as lending
        from lending.models import EquipmentType

        if EquipmentType.objects.exists():
            return
        types = [
            lending.equipment_type_create(
                name="轮椅",
                name_en="Wheelchair",
                slug="wheelchair",
                daily_fee=Decimal("3"),
                deposit=Decimal("300"),
                sort_order=1,
                description="折叠式手动轮椅，适合短途外出和复健。",
            ),
            lending.equipment_type_create(
                name="护理床",
                name_en="Care bed",
                slug="care-bed",
                daily_fee=Decimal("8"),
                deposit=Decimal("800"),
                needs_assessment=True,
                sort_order=2,
                max_days=180,
                description="手摇升降护理床，借用前由社区工作者上门评估。",
            ),
            lending.equipment_type_create(
                name="拐杖",
                name_en="Crutches",
                slug="crutches",
                daily_fee=Decimal("1"),
                deposit=Decimal("50"),
                sort_order=3,
            ),
            lending.equipment_type_create(
                name="助行器",
                name_en="Walker",
                slug="walker",
                daily_fee=Decimal("2"),
                deposit=Decimal("150"),
                sort_order=4,
            ),
        ]
        main = Warehouse.objects.get(is_main=True)
        meiyuan, laoshan = (Warehouse.objects.get(station__name=data["name"]) for data in STATIONS)
        meiyuan_station = Station.objects.get(warehouse=meiyuan)
        stock = {main: [2, 2, 3, 2], meiyuan: [1, 1, 2, 1], laoshan: [2, 0, 2, 1]}
        for n, (warehouse, counts) in enumerate(stock.items()):
            for type_, count in zip(types, counts, strict=True):
                for i in range(count):
                    lending.item_add(
                        type=type_,
                        tag=f"{type_.slug[:2].upper()}-{n + 1}{i + 1:02d}",
                        warehouse=warehouse,
                        by=None,
                    )
        worker = User.objects.get(email="worker@demo.wishpool.cn")
        wang = Resident.objects.get(pseudonym="王奶奶")
        li = Resident.objects.get(pseudonym="李爷爷")
        today = timezone.localdate()
        # 王奶奶 (低保, verified) borrows Meiyuan's one wheelchair free; 李爷爷 (proof pending)
        # then waits for one there, while Laoshan has two idle.
        lending.loan_request(
            resident=wang,
            type=types[0],
            station=meiyuan_station,
            starts_on=today,
            ends_on=today + timedelta(days=20),
            by=worker,
        )
        lending.loan_request(
            resident=li,
            type=types[0],
            station=meiyuan_station,
            starts_on=today,
            ends_on=today + timedelta(days=10),
            by=worker,
        )
        self._lending_in_motion(types=types, worker=worker, main=main, laoshan=laoshan)

    def _lending_in_motion(
        self, *, types: list[Any], worker: User, main: Any, laoshan: Any
    ) -> None:
        """The rest of a lending day: 王奶奶's wheelchair handed out; a paying neighbour's
        crutches overdue; a walker back and in cleaning; a care bed on its way to 崂山; a
        company's walker lent in for six months."""
        from datetime import timedelta

        from django.utils import timezone

        from lending import services as lending
        from lending.models import Loan

        admin = User.objects.get(email="fund@demo.wishpool.cn")
        today = timezone.localdate()
        meiyuan_station = worker.station
        assert meiyuan_station is not None
        wheelchair = Loan.objects.get(resident__pseudonym="王奶奶")
        lending.loan_checkout(loan=wheelchair, tag=wheelchair.item.tag, by=worker)
        zhou = services.resident_create(
            worker=worker,
            pseudonym="周爷爷",
            coarse_area="梅园社区",
            real_name="周德明",
            phone="139 0000 0003",
            address="梅园路 8 弄 2 号 301 室",
            birth_year=1946,
        )
        crutches = lending.loan_request(
            resident=zhou,
            type=types[2],
            station=meiyuan_station,
            starts_on=today,
            ends_on=today + timedelta(days=6),
            by=worker,
        )
        assert isinstance(crutches, Loan)
        lending.loan_pay_cash(loan=crutches, by=worker)
        lending.loan_checkout(loan=crutches, tag=crutches.item.tag, by=worker)
        # backdated, for the demo only: a loan that ended three days ago shows as overdue
        Loan.objects.filter(pk=crutches.pk).update(
            starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=3)
        )
        walker = lending.loan_request(
            resident=Resident.objects.get(pseudonym="王奶奶"),
            type=types[3],
            station=meiyuan_station,
            starts_on=today,
            ends_on=today + timedelta(days=2),
            by=worker,
        )
        assert isinstance(walker, Loan)
        lending.loan_checkout(loan=walker, tag=walker.item.tag, by=worker)
        lending.loan_checkin(loan=walker, by=worker, condition="good", note="")
        bed = lending.transfer_request(
            source=main, destination=laoshan, type=types[1], count=1, by=admin, note="崂山无护理床"
        )
        lending.transfer_dispatch(transfer=bed, by=admin)
        lending.transfer_on_the_way(transfer=bed, by=admin)
        company = Organisation.objects.get(display_name="梅园科技")
        lending.item_lend_in(
            type=types[3],
            tag="WA-LEND1",
            warehouse=meiyuan_station.warehouse,
            lent_until=today + timedelta(days=180),
            owner_organisation=company,
            by=worker,
        )

    def _communities(self) -> None:
        """Residential communities around the two stations, for "nearest stations first"."""
        from accounts.models import Community

        admin = User.objects.get(email="fund@demo.wishpool.cn")
        for name, lat, lng in COMMUNITIES:
            if not Community.objects.filter(name=name).exists():
                services.community_create(
                    name=name,
                    district="浦东新区",
                    latitude=Decimal(lat),
                    longitude=Decimal(lng),
                    by=admin,
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
        paying_user = self._user("resident2@demo.wishpool.cn", "李建国", User.Kind.RESIDENT)
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
            # 李爷爷's proof is not checked yet, so he pays for what he borrows: his own login
            # walks the paying side (fee and deposit online, the wait list, an offer).
            services.resident_link_user(worker=worker, resident=li, email=paying_user.email)
        return [
            ("fund administrator", admin.email),
            ("editor", editor.email),
            ("community worker (梅园)", worker.email),
            ("community worker (second station)", "worker2@demo.wishpool.cn"),
            ("company representative", rep.email),
            ("company colleague", colleague.email),
            ("individual donor", donor.email),
            ("resident (with account)", resident_user.email),
            ("resident who pays (lending)", paying_user.email),
        ]
