from decimal import Decimal

import factory

from accounts.tests.factories import StudentFactory
from courses.tests.factories import PublishedCourseFactory
from payments.models import Coupon, Order


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    course = factory.SubFactory(PublishedCourseFactory, price=Decimal("49.99"))
    code = factory.Sequence(lambda n: f"SAVE{n}")
    percent_off = 20
    amount_off = None


class OrderFactory(factory.django.DjangoModelFactory):
    """A pending order with an intent id that only the test knows (no emulator needed)."""

    class Meta:
        model = Order

    student = factory.SubFactory(StudentFactory)
    course = factory.SubFactory(PublishedCourseFactory, price=Decimal("49.99"))
    list_price = factory.LazyAttribute(lambda o: o.course.price)
    amount = factory.LazyAttribute(lambda o: o.course.price - o.discount)
    discount = Decimal("0.00")
    currency = factory.LazyAttribute(lambda o: o.course.currency)
    payment_intent_id = factory.Sequence(lambda n: f"pi_test{n:08d}")
