from django.db import migrations, models
from django.db.models import Count


def hold_for_pending_orders(apps, schema_editor):
    """Pending orders made before reservations existed take their coupon's use now, so that the
    invariant (reserved = orders holding a use) holds from the start."""
    Order = apps.get_model("payments", "Order")
    Coupon = apps.get_model("payments", "Coupon")
    pending = Order.objects.filter(status="pending", coupon__isnull=False)
    pending.update(coupon_held=True)
    for row in pending.values("coupon").annotate(n=Count("pk")):
        Coupon.objects.filter(pk=row["coupon"]).update(reserved=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="coupon",
            name="reserved",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="order",
            name="coupon_held",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(hold_for_pending_orders, migrations.RunPython.noop),
    ]
