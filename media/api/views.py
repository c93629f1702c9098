"""Uploads: ask (create), send the bytes (PUT content, local storage only), complete, read, delete.
Each resolves the upload through media.access.upload_for; the services re-check."""

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from lms.api.access import AccessViewSetMixin

from .. import services
from ..access import upload_for
from ..models import Upload
from . import schema
from .serializers import UploadCreatedSerializer, UploadInputSerializer, UploadSerializer


class RawBytes(BaseParser):
    """The PUT of an upload's bytes takes any content type; the view streams the body itself, so
    nothing is ever parsed (or held in memory)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


@schema.UPLOADS
class UploadViewSet(AccessViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Upload.objects.none()  # for the schema; requests resolve it through upload_for
    serializer_class = UploadSerializer
    permission_classes = [IsAuthenticated]
    access = staticmethod(upload_for)
    lookup_value_converter = "uuid"

    def get_parsers(self):
        if getattr(self, "action", None) == "content" or (self.request is not None and self.request.method == "PUT"):
            return [RawBytes()]
        return super().get_parsers()

    def create(self, request):
        data = UploadInputSerializer.validated(request)
        upload = services.upload_create(actor=request.user, **data)
        return Response(UploadCreatedSerializer(upload, context={"request": request}).data, status=201)

    def destroy(self, request, pk=None):
        services.upload_delete(actor=request.user, upload_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["put"], parser_classes=[RawBytes])
    def content(self, request, pk=None):
        length = request.META.get("CONTENT_LENGTH")
        length = int(length) if length and length.isdigit() else None
        upload = services.upload_content_write(
            actor=request.user, upload_id=pk, stream=request._request, content_length=length
        )
        return Response(UploadSerializer(upload, context={"request": request}).data)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        upload = services.upload_complete(actor=request.user, upload_id=pk)
        return Response(UploadSerializer(upload, context={"request": request}).data)
