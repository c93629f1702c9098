"""The sso services on their own: the one-time code, identity links, pruning and the prune job."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.services import user_deactivate
from activity.models import ActivityEvent, Verb
from lms.errors import InvalidInput, NotPermitted
from sso import services
from sso.models import IdentityLink, LoginCode, PendingLogin
from sso.providers import Provider
from sso.refusals import SignInRefused
from sso.tasks import sso_prune_task

from .conftest import CHALLENGE, VERIFIER

pytestmark = pytest.mark.django_db


def test_a_code_is_stored_only_as_its_hash_and_redeemed_once(student):
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)

    row = LoginCode.objects.get()
    assert code not in row.code_hash and len(code) >= 43
    assert row.expires_at - row.created_at == timedelta(seconds=60)
    assert services.login_code_redeem(code=code, code_verifier=VERIFIER) == student
    assert ActivityEvent.objects.filter(actor=student, verb=Verb.USER_LOGGED_IN).count() == 1
    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "code_used"
    assert ActivityEvent.objects.filter(actor=student, verb=Verb.USER_LOGGED_IN).count() == 1


def test_the_challenge_is_rfc_7636_s256():
    assert services.code_challenge_of(VERIFIER) == CHALLENGE  # RFC 7636, appendix B


def test_a_code_is_bound_to_its_challenge(student):
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)

    assert LoginCode.objects.get().spa_challenge == CHALLENGE
    assert services.login_code_redeem(code=code, code_verifier=VERIFIER) == student


@pytest.mark.parametrize("verifier", ["", "W" * 43, VERIFIER[:-1], VERIFIER + "A", CHALLENGE, VERIFIER + "\n", None])
def test_another_verifier_is_refused_like_an_unknown_code_and_consumes_it(student, verifier):
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)

    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=verifier)
    assert (caught.value.code, caught.value.extra, str(caught.value.message)) == (
        "code_invalid",
        {"field": "code"},
        str(services.CODE_INVALID),
    )
    assert LoginCode.objects.get().used_at is not None  # committed although refused
    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "code_used"
    assert not ActivityEvent.objects.filter(actor=student, verb=Verb.USER_LOGGED_IN).exists()


def test_a_used_or_expired_code_with_another_verifier_says_only_invalid(student, time_machine):
    used = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    services.login_code_redeem(code=used, code_verifier=VERIFIER)
    expired = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    time_machine.move_to(timezone.now() + timedelta(seconds=61))

    for code in (used, expired):
        with pytest.raises(InvalidInput) as caught:
            services.login_code_redeem(code=code, code_verifier="W" * 43)
        assert caught.value.code == "code_invalid"


def test_a_code_issued_before_challenges_existed_is_never_exchanged(student):
    """The migration gives codes issued before it an empty challenge: no verifier matches it."""
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    LoginCode.objects.update(spa_challenge="")

    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "code_invalid"


@pytest.mark.parametrize("challenge", ["", "x", CHALLENGE + "=", CHALLENGE[:-1] + "+", CHALLENGE + "\n", None])
def test_a_start_needs_a_well_formed_challenge(challenge):
    provider = Provider(name="school", issuer="https://id.example.com", client_id="c")

    with pytest.raises(InvalidInput) as caught:
        services.oidc_login_start(provider=provider, redirect_uri="http://testserver/cb/", code_challenge=challenge)
    assert caught.value.code == "code_challenge_invalid" and caught.value.extra == {"field": "code_challenge"}
    assert not PendingLogin.objects.exists()


@pytest.mark.parametrize("code", ["", "x", "a" * 43])
def test_an_unknown_code_is_refused(code):
    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "code_invalid" and caught.value.extra == {"field": "code"}


def test_an_expired_code_is_refused(student, time_machine):
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    time_machine.move_to(timezone.now() + timedelta(seconds=60))

    with pytest.raises(InvalidInput) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "code_expired"
    assert LoginCode.objects.get().used_at is None


def test_a_code_of_a_deactivated_user_is_refused(student):
    code = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    user_deactivate(actor=None, user=student)

    with pytest.raises(NotPermitted) as caught:
        services.login_code_redeem(code=code, code_verifier=VERIFIER)
    assert caught.value.code == "account_inactive"


def test_an_identity_is_linked_once(student, other_student):
    services.identity_link_create(user=student, provider="school", subject="s1", email="A@School.test")

    assert IdentityLink.objects.get().email == "a@school.test"
    with pytest.raises(IntegrityError):
        services.identity_link_create(user=other_student, provider="school", subject="s1", email="b@school.test")
    services.identity_link_create(user=other_student, provider="other", subject="s1", email="b@school.test")
    assert IdentityLink.objects.count() == 2


def test_only_admins_remove_identity_links(student, instructor, admin_user):
    link = services.identity_link_create(user=student, provider="school", subject="s1", email=student.email)

    for actor in (student, instructor):
        with pytest.raises(NotPermitted):
            services.identity_link_delete(actor=actor, link=link)
    assert IdentityLink.objects.exists()

    services.identity_link_delete(actor=admin_user, link=link)
    services.identity_link_delete(actor=admin_user, link=link)  # gone already: nothing to do
    assert not IdentityLink.objects.exists()


def _pending(**fields) -> PendingLogin:
    defaults = {
        "state_hash": services._hash(str(fields.get("expires_at"))),
        "browser_hash": "b",
        "provider": "school",
        "nonce": "n",
        "code_verifier": "v",
        "redirect_uri": "http://testserver/cb/",
    }
    return PendingLogin.objects.create(**{**defaults, **fields})


def test_prune_deletes_what_expired_and_keeps_the_rest(student):
    now = timezone.now()
    _pending(expires_at=now - timedelta(seconds=1))
    live = _pending(expires_at=now + timedelta(minutes=5))
    old = services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)
    LoginCode.objects.update(expires_at=now - timedelta(seconds=1))
    services.login_code_issue(user=student, provider="school", code_challenge=CHALLENGE)

    assert services.sso_prune(now=now) == 2
    assert list(PendingLogin.objects.all()) == [live]
    assert LoginCode.objects.count() == 1 and not LoginCode.objects.filter(code_hash=services._hash(old)).exists()
    assert sso_prune_task.delay().get() == 0  # the job: nothing left to prune, safe to run again


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"email": "not-an-address", "email_verified": True}, "email_missing"),
        ({"email": ["a@school.test"], "email_verified": True}, "email_missing"),
        ({"email": "a@school.test", "email_verified": "false"}, "email_unverified"),
        ({"email": "a@school.test", "email_verified": False, "xms_edov": True}, "email_unverified"),
        ({"email": "a@elsewhere.test", "email_verified": True}, "domain_not_allowed"),
        ({"email": "a@sub.school.test", "email_verified": True}, "domain_not_allowed"),
    ],
)
def test_e_mails_the_provider_does_not_vouch_for_are_refused(claims, code):
    provider = Provider(name="p", issuer="https://id.example.com", client_id="c", allowed_domains=("school.test",))

    with pytest.raises(SignInRefused) as caught:
        services._verified_email(provider, claims)
    assert caught.value.code == code


@pytest.mark.parametrize("verified", [True, "true", "True"])
def test_a_verified_e_mail_is_normalised(verified):
    provider = Provider(name="p", issuer="https://id.example.com", client_id="c", allowed_domains=("school.test",))

    assert services._verified_email(provider, {"email": " Ada@School.TEST ", "email_verified": verified}) == (
        "ada@school.test"
    )
