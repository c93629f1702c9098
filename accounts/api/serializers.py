from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts.models import InstructorProfile, Role, User
from accounts.services import refresh_token_claim
from lms.api.serializers import InputSerializer
from media import storage
from media.api.serializers import absolute

LANGUAGE_HELP = (
    "The language the platform writes to this user in: API messages, notifications, e-mails and "
    "certificates. Empty: the request's Accept-Language, and the platform's default for what is sent later."
)


def language_field(**kwargs) -> serializers.ChoiceField:
    kwargs.setdefault("help_text", LANGUAGE_HELP)
    return serializers.ChoiceField(choices=settings.LANGUAGES, allow_blank=True, **kwargs)


# --- input ---------------------------------------------------------------------------------------
class RegisterInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    language = language_field(
        required=False,
        help_text="The profile's language. Omitted: the language of the request's Accept-Language header, "
        "when it names one the platform speaks.",
    )


class InstructorRegisterInputSerializer(RegisterInputSerializer):
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    expertise = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")


class LoginInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class RefreshInputSerializer(InputSerializer):
    refresh = serializers.CharField()


class MeUpdateInputSerializer(InputSerializer):
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False)
    language = language_field(required=False)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    expertise = serializers.CharField(max_length=500, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    avatar = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A ready `avatar` upload's id (POST /api/v1/uploads/ first); null removes the avatar. "
        "The avatar it replaces is deleted.",
    )


class PasswordChangeInputSerializer(InputSerializer):
    old_password = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)


class PasswordResetInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(InputSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)


# --- output --------------------------------------------------------------------------------------
class AvatarSerializer(serializers.Serializer):
    """An uploaded profile picture: public, stable URLs."""

    url = serializers.CharField(help_text="The image as uploaded (EXIF removed).")
    thumb_url = serializers.CharField(allow_null=True, help_text="A small square JPEG; null until made.")


def avatar_data(user, request) -> dict | None:
    """The user's avatar as AvatarSerializer describes it, or None."""
    if not user.avatar_id:
        return None
    avatar = user.avatar
    thumb = (avatar.variants or {}).get("thumb") if avatar.derived_at else None
    return {
        "url": absolute(request, storage.public_url(avatar.key)),
        "thumb_url": absolute(request, storage.public_url(thumb["jpeg"])) if thumb and thumb.get("jpeg") else None,
    }


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user's own profile. Instructors also get their profile fields, flat."""

    avatar = AvatarSerializer(allow_null=True, read_only=True)
    headline = serializers.CharField(required=False, help_text="Instructors only.")
    bio = serializers.CharField(required=False, help_text="Instructors only.")
    expertise = serializers.CharField(required=False, help_text="Instructors only.")
    website = serializers.CharField(required=False, help_text="Instructors only.")
    language = language_field()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "language",
            "date_joined",
            "avatar",
            "headline",
            "bio",
            "expertise",
            "website",
        ]
        read_only_fields = fields

    def to_representation(self, user):
        data = {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "language": user.language,
            "date_joined": serializers.DateTimeField().to_representation(user.date_joined),
            "avatar": avatar_data(user, self.context.get("request")),
        }
        if user.role == Role.INSTRUCTOR:
            try:
                profile = user.instructor_profile
            except InstructorProfile.DoesNotExist:
                profile = InstructorProfile(user=user)
            data.update({f: getattr(profile, f) for f in ("headline", "bio", "expertise", "website")})
        return data


class PublicUserSerializer(serializers.Serializer):
    """How a user appears to others (course instructor, forum author): no e-mail."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    full_name = serializers.CharField()


class AuthResponseSerializer(serializers.Serializer):
    user = UserSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class SafeTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, made safe: a token whose user was deleted is a 401, not a server error,
    and a refresh token is exchanged once even when several requests present it at the same time
    (simplejwt checks the blacklist, then blacklists: two concurrent refreshes both passed)."""

    def validate(self, attrs):
        try:
            with transaction.atomic():
                refresh_token_claim(refresh=attrs["refresh"])
                return super().validate(attrs)
        except User.DoesNotExist as exc:
            raise AuthenticationFailed(_("No active account found for the given token.")) from exc


class AdminUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "is_active", "date_joined", "last_login"]
        read_only_fields = fields


class AdminUserUpdateInputSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)
