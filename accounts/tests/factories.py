import factory

from accounts.models import InstructorProfile, Role, User

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.STUDENT
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class StudentFactory(UserFactory):
    role = Role.STUDENT


class InstructorFactory(UserFactory):
    role = Role.INSTRUCTOR
    profile = factory.RelatedFactory(
        "accounts.tests.factories.InstructorProfileFactory", factory_related_name="user"
    )


class AdminFactory(UserFactory):
    role = Role.ADMIN


class InstructorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstructorProfile

    user = factory.SubFactory(UserFactory, role=Role.INSTRUCTOR)
    headline = "Teaches things"
    bio = "A long career of teaching."
    expertise = "Python, Django"
