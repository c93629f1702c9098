"""/api/v1/admin/webhooks/: outgoing webhook endpoints and their deliveries (admins only)."""

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from lms.api.access import AccessViewSetMixin
from lms.api.pagination import PageNumberPagination
from lms.api.permissions import IsAdmin
from webhooks import selectors, services
from webhooks.access import delivery_for, endpoint_for

from . import schema
from .serializers import (
    WebhookDeliveryQuerySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookSecretSerializer,
)

ADMINISTER = "administer"


@schema.WEBHOOKS
class WebhookEndpointViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = selectors.endpoint_list_for_admin()
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAuthenticated, IsAdmin]
    access = staticmethod(endpoint_for)
    needs = dict.fromkeys(
        ("retrieve", "update", "partial_update", "destroy", "rotate_secret", "deliveries", "redeliver"), ADMINISTER
    )
    lookup_value_regex = r"[0-9]+"

    def create(self, request, *args, **kwargs):
        data = WebhookEndpointInputSerializer.validated(request)
        endpoint = services.endpoint_create(actor=request.user, **data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.get("partial", False)
        endpoint = self.get_object()
        data = WebhookEndpointInputSerializer.validated(request, partial=partial)
        if partial:  # only what was sent: the input's defaults would turn an endpoint back on
            data = {key: value for key, value in data.items() if key in request.data}
        endpoint = services.endpoint_update(actor=request.user, endpoint=endpoint, **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        endpoint = services.endpoint_rotate_secret(actor=request.user, endpoint=self.get_object())
        body = {"secret": endpoint.secret, "previous_secret_expires_at": endpoint.previous_secret_until}
        return Response(WebhookSecretSerializer(body).data)

    @action(detail=True, methods=["get"])
    def deliveries(self, request, *args, **kwargs):
        endpoint = self.get_object()
        wanted = WebhookDeliveryQuerySerializer.from_query(request).get("status")
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            selectors.delivery_list_for_endpoint(endpoint, status=wanted), request, view=self
        )
        return paginator.get_paginated_response(WebhookDeliverySerializer(rows, many=True).data)

    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver")
    def redeliver(self, request, *args, delivery_id=None, **kwargs):
        delivery = delivery_for(request.user, kwargs[self.lookup_field], delivery_id, need=ADMINISTER)
        delivery = services.delivery_redeliver(actor=request.user, delivery=delivery)
        # Read again: without a broker the job ran inline, and the delivery may be done.
        delivery = delivery_for(request.user, kwargs[self.lookup_field], delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
