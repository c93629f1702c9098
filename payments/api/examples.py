"""Example bodies for the schema (checkout, orders, coupons), copied from real responses."""

ORDER_COURSE = {"id": 2, "slug": "django-in-depth", "title": "Django in depth"}
ORDER = {
    "id": "8f14e45f-ceea-467f-a0e6-5d6b3c9a2b10",
    "course": ORDER_COURSE,
    "list_price": "49.99",
    "discount": "10.00",
    "amount": "39.99",
    "currency": "USD",
    "status": "paid",
    "coupon": "LAUNCH20",
    "payment_intent_id": "pi_3QeXk2LkdIwHu7ix1x9y8z7w",
    "failure_reason": "",
    "created_at": "2026-11-12T14:03:27Z",
    "paid_at": "2026-11-12T14:04:02Z",
    "refunded_at": None,
}
REFUNDED_ORDER = {**ORDER, "status": "refunded", "refunded_at": "2026-11-14T08:30:00Z"}
CHECKOUT_INPUT = {"coupon": "LAUNCH20"}
CHECKOUT = {
    "order_id": "8f14e45f-ceea-467f-a0e6-5d6b3c9a2b10",
    "status": "pending",
    "payment_intent_id": "pi_3QeXk2LkdIwHu7ix1x9y8z7w",
    "client_secret": "pi_3QeXk2LkdIwHu7ix1x9y8z7w_secret_Vb1LmQ8sZk2Jd0RkTq4",
    "list_price": "49.99",
    "discount": "10.00",
    "amount": "39.99",
    "currency": "USD",
    "publishable_key": "pk_test_51QeXk2LkdIwHu7ixA1b2C3d4E5f6",
}
COUPON = {
    "id": 1,
    "course": 2,
    "code": "LAUNCH20",
    "percent_off": 20,
    "amount_off": None,
    "max_redemptions": 100,
    "redemptions": 12,
    "reserved": 2,
    "expires_at": "2026-12-31T23:59:59Z",
    "active": True,
    "created_at": "2026-11-01T09:00:00Z",
}
COUPON_INPUT = {
    "code": "SPRING25",
    "percent_off": 25,
    "max_redemptions": 100,
    "expires_at": "2027-04-30T23:59:59Z",
    "active": True,
}
NEW_COUPON = {
    **COUPON_INPUT,
    "id": 2,
    "course": 2,
    "amount_off": None,
    "redemptions": 0,
    "reserved": 0,
    "created_at": "2026-11-30T11:30:00Z",
}
WEBHOOK_EVENT = {
    "id": "evt_3QeXk2LkdIwHu7ix0a1b2c3d",
    "object": "event",
    "type": "payment_intent.succeeded",
    "data": {
        "object": {
            "id": "pi_3QeXk2LkdIwHu7ix1x9y8z7w",
            "object": "payment_intent",
            "amount": 4999,
            "currency": "usd",
            "status": "succeeded",
            "metadata": {"order_id": "8f14e45f-ceea-467f-a0e6-5d6b3c9a2b10"},
        }
    },
}
COUPON_PATCH = {"max_redemptions": 50}
WEBHOOK_REPLY = {"received": True, "outcome": "paid"}
PATCHED_COUPON = {**COUPON, **COUPON_PATCH}
