import json

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import Grant

from .models import Claims


@csrf_exempt
@require_POST
def test_login(request):
    """Signs this browser in as `username` (made or updated with the e-mail, names and claims given)."""
    data = json.loads(request.body)
    user, _created = get_user_model().objects.get_or_create(username=data["username"])
    user.email = data.get("email", "")
    user.first_name = data.get("given_name", "")
    user.last_name = data.get("family_name", "")
    user.set_unusable_password()
    user.save()
    Claims.objects.update_or_create(
        user=user, defaults={"data": data.get("claims", {}), "userinfo_only": data.get("userinfo_only", [])}
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
@require_POST
def expire_codes(request):
    """Every authorization code issued so far expires now."""
    count = Grant.objects.update(expires=timezone.now() - timezone.timedelta(minutes=5))
    return JsonResponse({"expired": count})


def broken(request):
    return HttpResponse("<h1>Internal Server Error</h1>", status=500, content_type="text/html")
