"""The only module that talks to Stripe. Everything it returns is a plain dict.

Stripe objects come in two shapes in the wild (older API versions put `payment_intent`,
`charge` and `subscription` on the invoice; newer ones moved them under `payments` and
`parent`), so the readers below accept both.
"""

import json
import os
from typing import Any

import stripe
from django.conf import settings

# Set by deployments (or tests) that need a particular HTTP client for the SDK.
http_client: stripe.HTTPClient | None = None


class PaymentsNotConfigured(RuntimeError):
    pass


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


_kept: tuple[tuple[str, str, int, int], stripe.StripeClient] | None = None


def client() -> stripe.StripeClient:
    """One client per process for the configured key and address: its HTTP session (one per
    thread, the SDK's) keeps the connection to Stripe open between calls. A new client per
    call meant a new TCP and TLS handshake for every request a booking makes."""
    global _kept
    if not is_configured():
        raise PaymentsNotConfigured
    # per process: a client made before a fork would share its open socket with the children
    key = (settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "", id(http_client), os.getpid())
    if _kept is not None and _kept[0] == key:
        return _kept[1]
    kwargs: dict[str, Any] = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    if http_client is not None:
        kwargs["http_client"] = http_client
    made = stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)
    _kept = (key, made)  # holds http_client too, so its id is not reused while kept
    return made


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def construct_event(payload: bytes, signature: str) -> dict[str, Any]:
    """Verify the signature on the raw body; raises ValueError or SignatureVerificationError.

    A correctly signed body that is not a JSON object (an array, a number) is not an event.
    """
    stripe.WebhookSignature.verify_header(
        payload,
        signature,
        settings.STRIPE_WEBHOOK_SECRET,
        stripe.Webhook.DEFAULT_TOLERANCE,
    )
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("not an event object")
    return data


def checkout_session_create(*, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    session = client().v1.checkout.sessions.create(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return _plain(session)


def checkout_session_retrieve(session_id: str) -> dict[str, Any]:
    return _plain(client().v1.checkout.sessions.retrieve(session_id))


def checkout_session_expire(session_id: str) -> dict[str, Any]:
    """End an open Checkout Session now (the donor cancelled): it can no longer be paid."""
    return _plain(client().v1.checkout.sessions.expire(session_id))


def charges_since(*, created_after: int) -> list[dict[str, Any]]:
    """Charges created after a Unix time, newest first (Stripe's own record of payments)."""
    page = client().v1.charges.list(params={"created": {"gt": created_after}, "limit": 100})
    return [_plain(item) for item in page.auto_paging_iter()]


def refund_for_idempotency_key(
    *, charge_id: str | None, metadata_refund_id: str
) -> dict[str, Any] | None:
    """After Stripe answered "idempotency key in use", find the refund that key made."""
    if not charge_id:
        return None
    for refund in refunds_for_charge(charge_id):
        if (refund.get("metadata") or {}).get("refund_id") == metadata_refund_id:
            return refund
    return None


def payment_intent_settled(payment_intent_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A PaymentIntent with its latest charge and that charge's balance transaction, in one
    request (``expand``): booking a payment needs all three, and each round trip to Stripe
    costs more than the booking itself. Returns (intent, charge); the charge is {} if none."""
    intent = _plain(
        client().v1.payment_intents.retrieve(
            payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
        )
    )
    charge = intent.get("latest_charge")
    if isinstance(charge, dict):
        return intent, charge
    charge_id = payment_intent_charge_id(intent)  # an older shape: the charges list
    return intent, charge_retrieve(charge_id) if charge_id else {}


def charge_retrieve(charge_id: str) -> dict[str, Any]:
    """A charge with its balance transaction (what settled, and Stripe's fee) in one request."""
    return _plain(
        client().v1.charges.retrieve(charge_id, params={"expand": ["balance_transaction"]})
    )


def invoice_retrieve(invoice_id: str) -> dict[str, Any]:
    return _plain(client().v1.invoices.retrieve(invoice_id))


def subscription_retrieve(subscription_id: str) -> dict[str, Any]:
    return _plain(client().v1.subscriptions.retrieve(subscription_id))


def subscription_cancel(*, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
    return _plain(
        client().v1.subscriptions.cancel(
            subscription_id, options={"idempotency_key": idempotency_key}
        )
    )


def balance_transaction_retrieve(txn_id: str) -> dict[str, Any]:
    return _plain(client().v1.balance_transactions.retrieve(txn_id))


def balance_transactions_list(*, limit: int = 100) -> list[dict[str, Any]]:
    page = client().v1.balance_transactions.list(params={"limit": limit})
    return [_plain(item) for item in page.auto_paging_iter()]


def refund_create(
    *,
    payment_intent_id: str | None,
    charge_id: str | None = None,
    amount_minor: int,
    idempotency_key: str,
    metadata: dict[str, str],
) -> dict[str, Any]:
    target = {"payment_intent": payment_intent_id} if payment_intent_id else {"charge": charge_id}
    refund = client().v1.refunds.create(
        params={**target, "amount": amount_minor, "metadata": metadata},  # type: ignore[arg-type]
        options={"idempotency_key": idempotency_key},
    )
    return _plain(refund)


def refunds_for_charge(charge_id: str) -> list[dict[str, Any]]:
    page = client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    return [_plain(item) for item in page.auto_paging_iter()]


def event_retrieve(event_id: str) -> dict[str, Any]:
    return _plain(client().v1.events.retrieve(event_id))


# --- readers that accept both shapes -----------------------------------------------------


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value.get("id")
    return str(value)


def invoice_payment_intent_id(invoice: dict[str, Any]) -> str | None:
    if invoice.get("payment_intent"):
        return _id(invoice["payment_intent"])
    for item in (invoice.get("payments") or {}).get("data", []):
        payment = item.get("payment") or {}
        if payment.get("payment_intent"):
            return _id(payment["payment_intent"])
    return None


def invoice_charge_id(invoice: dict[str, Any]) -> str | None:
    if invoice.get("charge"):
        return _id(invoice["charge"])
    for item in (invoice.get("payments") or {}).get("data", []):
        payment = item.get("payment") or {}
        if payment.get("charge"):
            return _id(payment["charge"])
    return None


def invoice_subscription_id(invoice: dict[str, Any]) -> str | None:
    if invoice.get("subscription"):
        return _id(invoice["subscription"])
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id(details.get("subscription"))


def payment_intent_charge_id(payment_intent: dict[str, Any]) -> str | None:
    if payment_intent.get("latest_charge"):
        return _id(payment_intent["latest_charge"])
    charges = (payment_intent.get("charges") or {}).get("data") or []
    return _id(charges[-1]) if charges else None


def charge_method(charge: dict[str, Any]) -> str:
    details = charge.get("payment_method_details") or {}
    kind = details.get("type") or "card"
    return kind if kind in {"card", "alipay", "wechat_pay"} else "card"
