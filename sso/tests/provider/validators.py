from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import Claims


def _claims(user) -> Claims:
    return Claims.objects.filter(user=user).first() or Claims(user=user)


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes (groups has no standard scope)

    def get_additional_claims(self, request):
        user = request.user
        claims = {"email": user.email, "given_name": user.first_name, "family_name": user.last_name}
        claims.update(_claims(user).data)
        return {name: value for name, value in claims.items() if value is not None}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        for name in _claims(request.user).userinfo_only:
            claims.pop(name, None)
        return claims, expiration_time
