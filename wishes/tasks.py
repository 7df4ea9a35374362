"""Thin tasks: e-mails about wishes, and the beat jobs (each safe to run twice)."""

from smtplib import SMTPException

from celery import shared_task

from wishes.services import chipins, claims, notify, project_gifts


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def send_wish_notice(wish_id: int, event: str, claim_id: int | None = None) -> None:
    notify.notice_send(wish_id=wish_id, event=event, claim_id=claim_id)


@shared_task
def lapse_claims() -> int:
    return claims.claims_lapse_due()


@shared_task
def remind_claims() -> int:
    return claims.claims_remind_due()


@shared_task
def release_expired_holds() -> int:
    return chipins.chipins_release_expired() + project_gifts.project_gifts_release_expired()
