"""Who may do what with webhooks, in one place: administrators manage every endpoint and its
deliveries; nobody else sees them. `endpoint_for` and `delivery_for` fetch the row by the id a
client sent and authorize the caller in one call (403 `not_admin`, 404 for an unknown id); the
services re-check (accounts.access.require_admin), so an admin page or a script is held to the
same rule.

Needs:
- "administer" (the only one): read, change, rotate, redeliver: admins only."""

from typing import Literal

from django.utils.translation import gettext_lazy as _

from accounts.roles import is_admin
from lms.access import check_need, object_or_404
from lms.errors import NotPermitted

from .models import Delivery, Endpoint

Need = Literal["administer"]
NEEDS: tuple[Need, ...] = ("administer",)

ADMIN_ONLY = _("Only an administrator can manage webhooks.")


def endpoint_for(user, endpoint_id, *, need: Need = "administer") -> Endpoint:
    """The endpoint `endpoint_id` for an administrator (403 `not_admin` for anyone else; 404 when
    there is none)."""
    check_need(need, NEEDS)
    if not is_admin(user):
        raise NotPermitted(ADMIN_ONLY, code="not_admin")
    return object_or_404(Endpoint.objects.all(), endpoint_id)


def delivery_for(user, endpoint_id, delivery_id, *, need: Need = "administer") -> Delivery:
    """The delivery `delivery_id` of the endpoint `endpoint_id` (with both loaded), as endpoint_for;
    404 for a delivery of another endpoint."""
    endpoint = endpoint_for(user, endpoint_id, need=need)
    delivery = object_or_404(Delivery.objects.filter(endpoint=endpoint).select_related("event"), delivery_id)
    delivery.endpoint = endpoint
    return delivery
