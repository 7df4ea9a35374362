import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.mark.redis
def test_health_reports_each_part(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": True,
        "cache": True,
        "broker": True,
        "broker_transport": "redis",
    }


@pytest.mark.rabbitmq
def test_health_asks_rabbitmq_when_it_is_the_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "amqp://guest:guest@127.0.0.1:5672//")
    body = client.get("/health/").json()
    assert body["broker"] is True and body["broker_transport"] == "amqp"
    monkeypatch.setattr(celery_app.conf, "broker_url", "amqp://guest:guest@127.0.0.1:1//")
    response = client.get("/health/")
    assert response.status_code == 503 and response.json()["broker"] is False


def test_health_says_which_part_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] is False and body["database"] is True and body["status"] == "error"
