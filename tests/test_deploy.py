"""Production settings, read in a separate process with the environment a production host has."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

# What README.md's production table says a host must set; everything else has a default.
REQUIRED = {
    "DJANGO_SECRET_KEY": "a" * 20 + "-production-like-secret-" + "b" * 30,
    "DJANGO_ALLOWED_HOSTS": "wishpool.example.org",
    "DATABASE_URL": "sqlite:///tmp/unused.sqlite3",
    "CELERY_BROKER_URL": "amqp://wishpool:secret@127.0.0.1:5672/wishpool",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
}


def production_env(**changes: str | None) -> dict[str, str]:
    """This process's environment with production settings; a change of None removes it."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **REQUIRED,
    }
    for key in ("ALLAUTH_TRUSTED_PROXY_COUNT", "WISHPOOL_FUND_NAME", "DJANGO_READ_DOT_ENV_FILE"):
        env.pop(key, None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def production_setting(name: str, **changes: str | None) -> str:
    """The value of one production setting, as str() shows it."""
    code = f"from django.conf import settings; print(str(settings.{name}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=production_env(**changes),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.removesuffix("\n")


def check_deploy(**changes: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env(**changes),
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_production_refuses_to_start_without_a_required_variable(name):
    """EMAIL_URL included: with mandatory address verification, mail that goes nowhere would
    leave nobody able to sign up, so production has no default for it."""
    result = check_deploy(**{name: None})
    assert result.returncode != 0
    assert name in result.stderr


def test_login_rate_limits_trust_one_proxy_in_production_and_none_elsewhere():
    assert production_setting("ALLAUTH_TRUSTED_PROXY_COUNT") == "1"
    assert production_setting("ALLAUTH_TRUSTED_PROXY_COUNT", ALLAUTH_TRUSTED_PROXY_COUNT="2") == "2"
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # tests and `make run`: no proxy


def test_account_mail_subjects_carry_the_fund_name():
    assert (
        production_setting("ACCOUNT_EMAIL_SUBJECT_PREFIX", WISHPOOL_FUND_NAME="社区爱心基金")
        == "[社区爱心基金] "
    )


def test_production_publishes_with_confirms_on_rabbitmq_and_keeps_redis_for_the_cache():
    assert production_setting("CELERY_BROKER_TRANSPORT_OPTIONS") == "{'confirm_publish': True}"
    assert "redis" in production_setting("CACHES").lower()
    redis_broker = production_setting(
        "CELERY_BROKER_TRANSPORT_OPTIONS", CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert "visibility_timeout" in redis_broker
