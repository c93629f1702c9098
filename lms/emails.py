"""E-mails built from a pair of templates: `<name>.txt` for the plain body and `<name>.html` for the
HTML alternative, rendered with the same context. Every e-mail the platform sends is made here."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def templated_email(*, subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """The message, not sent: callers send it (alone, or several over one connection). The subject
    is a header, so it is folded onto one line."""
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=render_to_string(f"{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
