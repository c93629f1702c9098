# The SPA's code challenge (README "Single sign-on"): the one-time code is bound to the SPA that started
# the sign-in. Rows made before it get "" and can never be exchanged (no verifier hashes to "");
# they expire within minutes anyway.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendinglogin",
            name="spa_challenge",
            field=models.CharField(
                default="",
                help_text="BASE64URL(SHA-256(code_verifier)) of the verifier the SPA that started the sign-in keeps.",
                max_length=43,
                verbose_name="SPA code challenge",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="logincode",
            name="spa_challenge",
            field=models.CharField(
                default="",
                help_text="The sign-in's code challenge: only the verifier whose SHA-256 it is exchanges the code.",
                max_length=43,
                verbose_name="SPA code challenge",
            ),
            preserve_default=False,
        ),
    ]
