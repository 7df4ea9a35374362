"""Stripe for tests: the real SDK against localstripe on loopback, plus what localstripe lacks.

localstripe has no Checkout Sessions, no `checkout.session.*`/`charge.*` events and no
refund events. For those we answer at the SDK's HTTP-client boundary with Stripe's
documented object shapes (checking what the product sends), and build events from the
same shapes, signed with the webhook secret by Stripe's scheme.
"""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_test_wishpool"
API_KEY = "sk_test_wishpool"

LAUNCH = """
import sys, aiohttp.web, localstripe.resources as r, localstripe.server as s
r.store.dump_to_disk = lambda *a, **k: None   # keep everything in memory
aiohttp.web.run_app(s.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_localstripe() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    proc.stderr.read().decode() if proc.stderr else "localstripe died"
                ) from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("localstripe did not start")


def _decode_form(body: Any) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=x) back into nested dicts and lists."""
    text = body.decode() if isinstance(body, bytes) else (body or "")
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(out)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class CheckoutBoundary(stripe.RequestsClient):
    """Everything goes to localstripe, except Checkout Sessions, which we answer here
    with Stripe's documented shape after recording what the product sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        self.by_idempotency_key: dict[str, dict[str, Any]] = {}
        # charge or refund id -> (settlement currency, exchange rate, fee in settlement minor units)
        self.settlements: dict[str, tuple[str, float, int]] = {}

    def _settle(self, txn: dict[str, Any]) -> dict[str, Any]:
        """Stripe settles in the account's currency (HKD for an account taking Alipay/WeChat
        Pay), charging a fee: the shape of a real balance transaction, from localstripe's."""
        rule = self.settlements.get(txn.get("source", ""))
        if rule is None:
            return txn
        currency, rate, fee = rule
        amount = round(int(txn["amount"]) * rate)
        fee = fee if amount > 0 else 0
        return {
            **txn,
            "currency": currency,
            "amount": amount,
            "fee": fee,
            "net": amount - fee,
            "exchange_rate": rate,
        }

    def request(self, method, url, headers, post_data=None):  # type: ignore[no-untyped-def]
        path = urlsplit(url).path
        if path == "/v1/checkout/sessions" and method.lower() == "post":
            params = _decode_form(post_data)
            key = (headers or {}).get("Idempotency-Key")
            self.sent.append({"params": params, "idempotency_key": key})
            if key in self.by_idempotency_key:  # Stripe replays the first answer
                return json.dumps(self.by_idempotency_key[key]).encode(), 200, {}
            session = {
                "id": f"cs_test_{uuid.uuid4().hex[:24]}",
                "object": "checkout.session",
                "mode": params["mode"],
                "status": "open",
                "payment_status": "unpaid",
                "url": f"https://checkout.stripe.test/pay/{uuid.uuid4().hex}",
                "metadata": params.get("metadata", {}),
                "client_reference_id": params.get("client_reference_id"),
                "expires_at": int(params["expires_at"]),
                "amount_total": int(params["line_items"][0]["price_data"]["unit_amount"]),
                "currency": params["line_items"][0]["price_data"]["currency"],
                "payment_intent": None,
                "subscription": None,
                "customer": None,
            }
            self.sessions[session["id"]] = session
            if key:
                self.by_idempotency_key[key] = session
            return json.dumps(session).encode(), 200, {}
        if path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            session_id = path.split("/")[-2]
            session = self.sessions.get(session_id)
            if session is None or session["status"] != "open":
                error = {"error": {"type": "invalid_request_error", "message": "not open"}}
                return json.dumps(error).encode(), 400, {}
            session["status"] = "expired"
            return json.dumps(session).encode(), 200, {}
        if path.startswith("/v1/checkout/sessions/") and method.lower() == "get":
            session_id = path.rsplit("/", 1)[-1]
            if session_id not in self.sessions:
                error = {"error": {"type": "invalid_request_error", "message": "No such session"}}
                return json.dumps(error).encode(), 404, {}
            return json.dumps(self.sessions[session_id]).encode(), 200, {}
        body, status, response_headers = super().request(method, url, headers, post_data)
        if status == 200 and self.settlements and b'"balance_transaction"' in body:
            # balance transactions alone, in lists, or expanded inside a charge or intent
            body = json.dumps(self._settled(json.loads(body))).encode()
        return body, status, response_headers

    def _settled(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._settled(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: self._settled(value) for key, value in node.items()}
        return self._settle(node) if node.get("object") == "balance_transaction" else node


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")."""
    ts = int(timestamp or time.time())
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def deliver(client, evt: dict[str, Any], *, secret: str = WEBHOOK_SECRET):  # type: ignore[no-untyped-def]
    body = json.dumps(evt).encode()
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret),
    )


class Stripe:
    """The test's handle on the fake world: SDK client, boundary, and helpers to pay."""

    def __init__(self, base: str, boundary: CheckoutBoundary) -> None:
        self.base = base
        self.boundary = boundary
        self.sdk = stripe.StripeClient(API_KEY, base_addresses={"api": base}, http_client=boundary)

    def pay(
        self,
        *,
        amount_minor: int,
        currency: str = "cny",
        metadata: dict[str, str],
        card: str = "pm_card_visa",
    ) -> dict[str, Any]:
        intent = self.sdk.v1.payment_intents.create(
            params={
                "amount": amount_minor,
                "currency": currency,
                "metadata": metadata,
                "payment_method_types": ["card"],
                "payment_method": card,
                "confirm": True,
            }
        )
        return intent.to_dict()

    def complete_checkout(
        self, session_id: str, *, card: str = "pm_card_visa"
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The donor pays in Checkout: a real PaymentIntent in localstripe; returns (session, intent)."""
        session = self.boundary.sessions[session_id]
        intent = self.pay(
            amount_minor=session["amount_total"],
            currency=session["currency"],
            metadata=session["metadata"],
            card=card,
        )
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return dict(session), intent

    def charge_of(self, intent: dict[str, Any]) -> dict[str, Any]:
        from donations import stripe_gateway

        charge_id = stripe_gateway.payment_intent_charge_id(
            self.sdk.v1.payment_intents.retrieve(intent["id"]).to_dict()
        )
        return self.sdk.v1.charges.retrieve(charge_id).to_dict()


class SlowStripe:
    """A proxy in front of localstripe that holds every request for a while, so a worker can
    be killed while it waits on Stripe."""

    def __init__(self, target: str, delay: float) -> None:
        self.target, self.delay = target, delay
        self.seen = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.seen.set()
                time.sleep(proxy.delay)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(
                    proxy.target + self.path,
                    data=body,
                    method=self.command,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, data, headers = response.status, response.read(), response.headers
                except urllib.error.HTTPError as error:
                    status, data, headers = error.code, error.read(), error.headers
                try:
                    self.send_response(status)
                    self.send_header(
                        "Content-Type", headers.get("Content-Type", "application/json")
                    )
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller was killed while it waited: that is the point

            do_GET = do_POST = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
