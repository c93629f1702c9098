from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import user_for
from lms.api.pagination import PageNumberPagination
from lms.api.permissions import IsAdmin
from privacy import selectors, services

from . import schema
from .serializers import (
    AdminErasureSerializer,
    DataExportSerializer,
    ErasureInputSerializer,
    ErasureScheduledSerializer,
)


@schema.MY_EXPORTS
class MyDataExportsView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        exports = selectors.data_export_list_for_user(request.user)
        return Response(DataExportSerializer(exports, many=True, context={"request": request}).data)

    def post(self, request):
        export = services.data_export_request(actor=request.user, user=request.user)
        export = selectors.data_export_get(export.pk)  # jobs run inline without a broker: it may be ready
        return Response(
            DataExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


@schema.MY_ERASURE
class MyErasureView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        data = ErasureInputSerializer.validated(request)
        erasure = services.erasure_request(user=request.user, password=data["password"])
        return Response(ErasureScheduledSerializer(erasure).data, status=status.HTTP_202_ACCEPTED)

    def delete(self, request):
        services.erasure_cancel(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.ADMIN_ERASURES
class AdminErasuresView(APIView):
    permission_classes = [IsAuthenticated, IsAdmin]

    def get(self, request):
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(selectors.erasure_list_for_admin(), request, view=self)
        return paginator.get_paginated_response(AdminErasureSerializer(rows, many=True).data)


@schema.ADMIN_USER_ERASE
class AdminUserEraseView(APIView):
    permission_classes = [IsAuthenticated, IsAdmin]

    def post(self, request, user_id: int):
        user = user_for(request.user, user_id, need="administer")
        erasure = services.erasure_now(actor=request.user, user=user)
        erasure.refresh_from_db()
        return Response(AdminErasureSerializer(erasure).data, status=status.HTTP_202_ACCEPTED)
