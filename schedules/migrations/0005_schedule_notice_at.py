import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """A notice is once per date (a moved date is told again): the date it was about, in the key."""

    dependencies = [
        ("schedules", "0004_schedule_notices"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="schedulenotice", name="schedule_notice_once"),
        migrations.AddField(
            model_name="schedulenotice",
            name="at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="The date the notice was about: the start, the student's due date, the day.",
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="schedulenotice",
            constraint=models.UniqueConstraint(
                fields=("kind", "object_id", "student", "at"), name="schedule_notice_once_per_date"
            ),
        ),
    ]
