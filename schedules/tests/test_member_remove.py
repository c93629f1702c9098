"""Removing a student from a cohort (the admin's "remove"): a seat a checkout holds stays held."""

import pytest

from accounts.tests.factories import StudentFactory
from lms.errors import Conflict
from schedules import services
from schedules.models import CohortMember, MemberStatus
from schedules.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_a_seat_a_checkout_holds_is_not_removed(admin_user):
    cohort = CohortFactory(capacity=1)
    member = CohortMember.objects.create(cohort=cohort, student=StudentFactory(), status=MemberStatus.HELD)
    waiting = CohortMember.objects.create(cohort=cohort, student=StudentFactory(), status=MemberStatus.WAITLISTED)

    with pytest.raises(Conflict) as refused:
        services.cohort_member_remove(actor=admin_user, member=member)

    assert refused.value.code == "seat_held"
    member.refresh_from_db()
    waiting.refresh_from_db()
    assert (member.status, waiting.status) == (MemberStatus.HELD, MemberStatus.WAITLISTED)
