"""The staff dashboard for accounts at /admin/: lists, filters, the add form and the role actions."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.models import InstructorProfile, Role, User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory
from lms.tests.admin_forms import form_errors, page_data

CHANGELIST = "/admin/accounts/user/"
ADD = "/admin/accounts/user/add/"
PROFILES = "/admin/accounts/instructorprofile/"


def listed(response) -> set[int]:
    return {u.pk for u in response.context["cl"].result_list}


def run_action(client, action, *users):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- access --------------------------------------------------------------------------------------
def test_admin_needs_a_staff_login(student, instructor):
    assert Client().get(CHANGELIST).status_code == 302
    for user in (student, instructor):
        client = Client()
        client.force_login(user)
        r = client.get(CHANGELIST)
        assert r.status_code == 302
        assert "/admin/login/" in r["Location"]


# --- changelist ----------------------------------------------------------------------------------
def test_changelist_loads(staff, student, instructor, admin_user):
    r = staff.get(CHANGELIST)

    assert r.status_code == 200
    assert {student.pk, instructor.pk, admin_user.pk} <= listed(r)
    assert student.email in r.content.decode()


def test_changelist_search(staff, student, other_student):
    student.first_name = "Zebulon"
    student.save(update_fields=["first_name"])

    assert listed(staff.get(CHANGELIST, {"q": other_student.email})) == {other_student.pk}
    assert listed(staff.get(CHANGELIST, {"q": "zebulon"})) == {student.pk}
    assert listed(staff.get(CHANGELIST, {"q": "no-such-person"})) == set()


def test_changelist_filter_by_role(staff, student, instructor, other_instructor, admin_user):
    r = staff.get(CHANGELIST, {"role": "instructor"})

    assert r.status_code == 200
    assert listed(r) == {instructor.pk, other_instructor.pk}
    assert listed(staff.get(CHANGELIST, {"role__exact": "student"})) == {student.pk}


def test_changelist_filter_by_active(staff, student, other_student):
    services.user_deactivate(actor=None, user=other_student)

    assert listed(staff.get(CHANGELIST, {"is_active__exact": "0"})) == {other_student.pk}
    assert other_student.pk not in listed(staff.get(CHANGELIST, {"is_active__exact": "1"}))


@pytest.mark.parametrize("factory", [StudentFactory, InstructorFactory, AdminFactory])
def test_change_page_loads(staff, factory):
    user = factory()

    r = staff.get(f"{CHANGELIST}{user.pk}/change/")

    assert r.status_code == 200
    assert user.email in r.content.decode()


# --- add form ------------------------------------------------------------------------------------
def test_add_form_loads(staff):
    assert staff.get(ADD).status_code == 200


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.ADMIN])
def test_add_user_goes_through_the_service(staff, role):
    r = staff.post(
        ADD,
        {
            "email": "New.Person@Example.com",
            "first_name": "New",
            "last_name": "Person",
            "role": role,
            "password": "Sup3r-secret-pw",
        },
    )

    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    user = User.objects.get(email="new.person@example.com")
    assert user.role == role
    assert user.check_password("Sup3r-secret-pw")
    assert (user.is_staff, user.is_superuser) == (role == Role.ADMIN, role == Role.ADMIN)
    assert InstructorProfile.objects.filter(user=user).exists() == (role == Role.INSTRUCTOR)


@pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
def test_add_user_weak_password_is_a_form_error(staff, password):
    r = staff.post(
        ADD,
        {
            "email": "new@example.com",
            "first_name": "New",
            "last_name": "Person",
            "role": Role.STUDENT,
            "password": password,
        },
    )

    assert r.status_code == 200
    assert "password" in r.context["adminform"].form.errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_add_user_duplicate_email_is_a_form_error(staff, student):
    r = staff.post(
        ADD,
        {
            "email": student.email.upper(),
            "first_name": "New",
            "last_name": "Person",
            "role": Role.STUDENT,
            "password": "Sup3r-secret-pw",
        },
    )

    assert r.status_code == 200
    assert "email" in r.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=student.email).count() == 1


# --- actions -------------------------------------------------------------------------------------
def test_promote_to_instructor(staff, student, other_student):
    r = run_action(staff, "promote_to_instructor", student, other_student)

    assert r.status_code == 200
    for user in (student, other_student):
        user.refresh_from_db()
        assert (user.role, user.is_staff) == (Role.INSTRUCTOR, False)
        assert InstructorProfile.objects.filter(user=user).exists()
    assert any("2 users" in m for m in messages_of(r))


def test_promote_to_admin(staff, instructor):
    run_action(staff, "promote_to_admin", instructor)

    instructor.refresh_from_db()
    assert (instructor.role, instructor.is_staff, instructor.is_superuser) == (Role.ADMIN, True, True)


def test_demote_to_student(staff, instructor, admin_user):
    other_admin = AdminFactory()

    run_action(staff, "demote_to_student", instructor, other_admin)

    for user in (instructor, other_admin):
        user.refresh_from_db()
        assert (user.role, user.is_staff, user.is_superuser) == (Role.STUDENT, False, False)


def test_demote_last_admin_is_refused_with_a_message(staff, admin_user, instructor):
    r = run_action(staff, "demote_to_student", admin_user, instructor)

    assert r.status_code == 200
    admin_user.refresh_from_db()
    instructor.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert instructor.role == Role.STUDENT  # the rest of the batch still goes through
    assert any("last active admin" in m for m in messages_of(r))


def test_deactivate(staff, student, instructor):
    refresh = services.tokens_for_user(student)["refresh"]

    run_action(staff, "deactivate", student, instructor)

    assert not User.objects.filter(pk__in=[student.pk, instructor.pk], is_active=True).exists()
    with pytest.raises(TokenError):
        RefreshToken(refresh)


def test_deactivate_last_admin_is_refused(staff, admin_user):
    r = run_action(staff, "deactivate", admin_user)

    assert User.objects.get(pk=admin_user.pk).is_active
    assert any("last active admin" in m for m in messages_of(r))


def test_reactivate(staff, student):
    services.user_deactivate(actor=None, user=student)

    run_action(staff, "reactivate", student)

    assert User.objects.get(pk=student.pk).is_active


# --- no deleting ---------------------------------------------------------------------------------
def test_deleting_is_not_offered(staff, student):
    r = staff.get(CHANGELIST)
    actions = {name for name, _ in r.context["action_form"].fields["action"].choices}

    assert "delete_selected" not in actions
    assert {"promote_to_instructor", "promote_to_admin", "demote_to_student", "deactivate"} <= actions
    assert staff.get(f"{CHANGELIST}{student.pk}/delete/").status_code == 403
    staff.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [student.pk], "post": "yes"})
    assert User.objects.filter(pk=student.pk).exists()


# --- change form bypassing the services ----------------------------------------------------------
def test_change_form_cannot_deactivate_the_last_admin(staff, admin_user):
    r = staff.post(
        f"{CHANGELIST}{admin_user.pk}/change/",
        {
            "email": admin_user.email,
            "first_name": admin_user.first_name,
            "last_name": admin_user.last_name,
            "_save": "Save",
        },
    )

    assert r.status_code in (200, 302)
    assert User.objects.get(pk=admin_user.pk).is_active


def test_admin_password_change_signs_the_user_out(staff, student):
    refresh = services.tokens_for_user(student)["refresh"]

    r = staff.post(
        f"{CHANGELIST}{student.pk}/password/", {"password1": "Brand-New-Pass-77", "password2": "Brand-New-Pass-77"}
    )

    assert r.status_code == 302
    assert User.objects.get(pk=student.pk).check_password("Brand-New-Pass-77")
    assert APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 401


# --- instructor profiles -------------------------------------------------------------------------
def test_instructor_profile_changelist(staff, instructor, other_instructor):
    r = staff.get(PROFILES)

    assert r.status_code == 200
    assert len(r.context["cl"].result_list) == 2
    search = staff.get(PROFILES, {"q": instructor.email})
    assert [p.user_id for p in search.context["cl"].result_list] == [instructor.pk]


def test_instructor_profile_change_page(staff, instructor):
    r = staff.get(f"{PROFILES}{instructor.instructor_profile.pk}/change/")

    assert r.status_code == 200


# --- the change form and the profiles go through the services -------------------------------------
def test_change_form_renames_and_readdresses_through_the_services(staff, instructor):
    url = f"{CHANGELIST}{instructor.pk}/change/"
    page = staff.get(url)
    data = page_data(page, email="Renamed.Person@Example.com", first_name="Ada")
    data["instructor_profile-0-headline"] = "New"

    r = staff.post(url, data)

    assert r.status_code == 302, form_errors(r)
    user = User.objects.get(pk=instructor.pk)
    assert (user.email, user.first_name) == ("renamed.person@example.com", "Ada")
    assert InstructorProfile.objects.get(user=user).headline == "New"


def test_change_form_sets_the_language_through_the_service(staff, student, monkeypatch):
    url = f"{CHANGELIST}{student.pk}/change/"
    calls = []
    real = services.user_update_profile
    monkeypatch.setattr(services, "user_update_profile", lambda **kw: calls.append(kw["data"]) or real(**kw))

    r = staff.post(url, page_data(staff.get(url), language="ar"))

    assert r.status_code == 302, form_errors(r)
    assert calls == [{"language": "ar"}]
    assert User.objects.get(pk=student.pk).language == "ar"


def test_change_form_refuses_an_email_taken_in_another_letter_case(staff, student, other_student):
    url = f"{CHANGELIST}{student.pk}/change/"

    r = staff.post(url, page_data(staff.get(url), email=other_student.email.upper(), first_name="X"))

    assert form_errors(r) == {"email": ["A user with this e-mail address already exists."]}
    user = User.objects.get(pk=student.pk)
    assert (user.email, user.first_name) == (student.email, student.first_name)


def test_instructor_profiles_are_edited_not_added_or_deleted(staff, instructor):
    profile = instructor.instructor_profile
    url = f"{PROFILES}{profile.pk}/change/"

    r = staff.post(url, page_data(staff.get(url), headline="Teaches Django"))

    assert r.status_code == 302, form_errors(r)
    assert InstructorProfile.objects.get(pk=profile.pk).headline == "Teaches Django"
    assert staff.get(f"{PROFILES}add/").status_code == 403
    assert staff.post(f"{PROFILES}{profile.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_former_instructors_profile_is_kept_as_it_was(staff, instructor):
    profile = instructor.instructor_profile
    services.user_set_role(actor=None, user=instructor, role=Role.STUDENT)
    url = f"{PROFILES}{profile.pk}/change/"

    assert 'name="_save"' not in staff.get(url).content.decode()
    assert staff.post(url, {"headline": "Changed"}).status_code == 403
    assert InstructorProfile.objects.get(pk=profile.pk).headline == profile.headline


def test_refresh_tokens_and_groups_are_not_edited_here(staff, student):
    services.tokens_for_user(student)
    services.user_deactivate(actor=None, user=student)  # blacklists that refresh token
    blacklisted = BlacklistedToken.objects.get(token__user=student)

    for page in ("/admin/token_blacklist/blacklistedtoken/", "/admin/token_blacklist/outstandingtoken/"):
        assert staff.get(page).status_code == 200
        assert staff.get(f"{page}add/").status_code == 403
    delete = f"/admin/token_blacklist/blacklistedtoken/{blacklisted.pk}/delete/"
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert BlacklistedToken.objects.filter(pk=blacklisted.pk).exists()
    assert staff.get("/admin/auth/group/").status_code == 404


# --- sign-in lockouts ----------------------------------------------------------------------------
def test_a_lockout_is_listed_read_only_and_staff_can_lift_it(staff, django_capture_on_commit_callbacks):
    from accounts.models import SignInLockout

    victim = StudentFactory(password="Right-pass-123")
    api = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            api.post("/api/v1/auth/login/", {"email": victim.email, "password": f"guess-{n}"}, format="json")
    right = {"email": victim.email, "password": "Right-pass-123"}
    assert api.post("/api/v1/auth/login/", right, format="json").status_code == 429
    lockout = SignInLockout.objects.get(user=victim)

    page = staff.get("/admin/accounts/signinlockout/")
    assert page.status_code == 200 and victim.email in page.content.decode()
    assert staff.get(f"/admin/accounts/signinlockout/{lockout.pk}/delete/").status_code == 403
    assert staff.get("/admin/accounts/signinlockout/add/").status_code == 403

    response = staff.post(
        "/admin/accounts/signinlockout/", {"action": "unlock", "_selected_action": [lockout.pk]}, follow=True
    )

    assert "1 account unlocked." in messages_of(response)
    assert api.post("/api/v1/auth/login/", right, format="json").status_code == 200
