"""Several web hosts behind one address: files in an S3-compatible object store (moto's server
on loopback), sessions and rate limits in the shared database and Redis.

A real Celery worker renders a receipt into the store; two gunicorn processes, each with its own
empty working folder, both serve it to the donor signed in on the first one; the open-data
rate limit counts the requests of both together.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings

from donations import tasks
from donations.models import Receipt
from tests.accounts import factories as f
from tests.core.worker import celery_worker, database_url, wait_for
from tests.donations.helpers import offline_gift
from tests.donations.stripe_harness import free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.cjk_pdf,
    pytest.mark.xdist_group("worker"),
]

BUCKET = "wishpool-test"
CACHE_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture(scope="module")
def object_store() -> Iterator[dict[str, str]]:
    """A real S3 API on loopback (moto in server mode), with one private bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "WISHPOOL_S3_BUCKET": BUCKET,
        "WISHPOOL_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "WISHPOOL_S3_REGION": "us-east-1",
        "WISHPOOL_S3_ACCESS_KEY": "test-key",
        "WISHPOOL_S3_SECRET_KEY": "test-secret",
    }
    boto3.client(
        "s3",
        endpoint_url=env["WISHPOOL_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    ).create_bucket(Bucket=BUCKET)
    try:
        yield env
    finally:
        server.stop()


def _objects(store: dict[str, str]) -> dict[str, bytes]:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=store["WISHPOOL_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def _gunicorn(env: dict[str, str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    folder.mkdir(parents=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(settings.BASE_DIR),
        ],
        env={
            **os.environ,
            **env,
            # each host has its own (empty) local folder: a file it serves came from the store
            "WISHPOOL_PRIVATE_MEDIA_ROOT": str(folder / "private"),
        },
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/en/accounts/login/", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still starting
            return False

    wait_for(up, timeout=120)
    return proc, url


def _sign_in(session: requests.Session, url: str, email: str) -> None:
    page = session.get(f"{url}/en/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = session.post(
        f"{url}/en/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "login": email,
            "password": f.PASSWORD,
        },
        headers={"Referer": f"{url}/en/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]


@pytest.mark.django_db(transaction=True)
def test_two_hosts_serve_the_receipt_the_worker_wrote_and_share_session_and_rate_limit(
    object_store, tmp_path, django_capture_on_commit_callbacks
):
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()
    s3_options = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": object_store["WISHPOOL_S3_ENDPOINT_URL"],
                "region_name": "us-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "location": "private",
                "file_overwrite": True,
            },
        },
    }
    from accounts.models import User
    from donations.services import donors

    member = f.UserFactory(kind=User.Kind.COMPANY)
    donor = donors.donor_for_organisation(organisation=f.organisation(owner=member))
    with override_settings(STORAGES=s3_options):
        assert type(storages["private"]).__name__ == "S3Storage"
        with django_capture_on_commit_callbacks(execute=False):  # the worker renders it
            receipt = offline_gift(donor=donor, amount="321").receipts.get()
        # the worker renders it into the object store
        with celery_worker(
            extra_env={**object_store, "WISHPOOL_PRIVATE_MEDIA_ROOT": str(tmp_path / "worker")}
        ) as (_proc, queue):
            tasks.render_receipt.apply_async(
                args=[receipt.pk], kwargs={"email": False}, queue=queue
            )
            wait_for(
                lambda: Receipt.objects.filter(
                    pk=receipt.pk, pdf_rendered_at__isnull=False
                ).exists(),
                timeout=90,
            )
        stored = _objects(object_store)
        key = f"private/receipts/{receipt.year}/{receipt.number}.pdf"
        assert stored[key].startswith(b"%PDF")
    assert not (tmp_path / "worker").exists() or not any((tmp_path / "worker").rglob("*.pdf"))

    env = {
        **object_store,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CACHE_URL": CACHE_URL,
        "TEST_SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "WISHPOOL_API_RATE": "4/min",
        "WISHPOOL_API_CACHE_SECONDS": "0",
    }
    hosts = [_gunicorn(env, tmp_path / name) for name in ("host-a", "host-b")]
    try:
        (_a, url_a), (_b, url_b) = hosts
        browser = requests.Session()
        _sign_in(browser, url_a, member.email)
        path = f"/en/my/giving/receipts/{receipt.number}.pdf"
        for url in (url_a, url_b):
            # the same session cookie is a signed-in person on either host
            response = browser.get(url + path, timeout=30)
            assert response.status_code == 200, (url, response.status_code)
            assert response.content == stored[key]
            assert not list((tmp_path / ("host-a" if url == url_a else "host-b")).rglob("*.pdf"))
        # someone not signed in gets nothing from either host
        for url in (url_a, url_b):
            anonymous = requests.get(url + path, timeout=30, allow_redirects=False)
            assert anonymous.status_code == 302 and "login" in anonymous.headers["Location"]
        # the rate limit is one count across both hosts: four in a minute, then 429
        codes = [
            requests.get(f"{url}/api/v1/funds/", timeout=30).status_code
            for url in (url_a, url_b, url_a, url_b, url_a, url_b)
        ]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        for proc, _url in hosts:
            proc.terminate()
            proc.wait(timeout=20)
        redis.Redis.from_url(CACHE_URL).flushdb()
