"""Factories that build through the services, as the product does."""

import time
import uuid

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt

from accounts import roles, services
from accounts.models import Organisation, Resident, Station, User

PASSWORD = "a-long-test-password"
RUN = uuid.uuid4().hex[:6]  # e-mails stay unique even beside rows another run committed


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}-{RUN}@example.org")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def station(name: str | None = None) -> Station:
    n = Station.objects.count() + 1
    return services.station_create(
        name=name or f"测试驿站{n}-{RUN}",
        address=f"测试路 {n} 号",
        district="浦东新区",
        latitude=31.2,
        longitude=121.5,
    )


def worker(station_: Station | None = None, *, with_totp: bool = True) -> User:
    """A community worker; with TOTP set up, as the role requires (accounts.selectors)."""
    user = services.staff_role_grant(
        user=UserFactory(), role=roles.COMMUNITY_WORKER, station=station_ or station()
    )
    if with_totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def fund_administrator(*, with_totp: bool = True) -> User:
    user = services.staff_role_grant(user=UserFactory(), role=roles.FUND_ADMINISTRATOR)
    if with_totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def totp_code(user: User) -> str:
    """The code the person's authenticator app shows now (to sign in through the forms).

    Like a person whose app shows a code about to expire, it waits for the next one: a code
    typed in the period's last seconds reaches the server in the next period and is refused
    (no tolerance), which had failed a browser journey now and then."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 5:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def organisation(owner: User | None = None, name: str | None = None) -> Organisation:
    owner = owner or UserFactory(kind=User.Kind.COMPANY)
    n = Organisation.objects.count() + 1
    return services.organisation_create(
        owner=owner,
        legal_name=name or f"测试科技有限公司{n}-{RUN}",
        display_name=f"测试科技{n}",
        contact_name=owner.full_name,
        contact_phone="021-0000 0000",
    )


def resident(by: User | None = None, **kwargs: object) -> Resident:
    by = by or worker()
    data = {
        "pseudonym": "王奶奶",
        "coarse_area": "梅园社区",
        "real_name": "王秀英",
        "phone": "13800000001",
        "address": "梅园路 12 弄 3 号",
    }
    data.update(kwargs)
    return services.resident_create(worker=by, **data)  # type: ignore[arg-type]
