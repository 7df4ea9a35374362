from smtplib import SMTPException

from celery import shared_task

from accounts import services


@shared_task(autoretry_for=(SMTPException, ConnectionError), max_retries=5)
def send_invitation(invitation_id: int) -> None:
    services.invitation_email_send(invitation_id=invitation_id)
