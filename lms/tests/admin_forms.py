"""Posting real admin forms in tests: what a browser sends back from an add or change page."""

from django import forms


def _put(data: dict, form) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        key, value = bound.html_name, bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(field.widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else field.widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = "" if value is None else str(value)


def page_data(response, **changes) -> dict:
    """The fields of an admin add/change page (the main form, every inline formset and its
    management form) as a browser submits them untouched, then `changes` on top."""
    data: dict = {}
    _put(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _put(data, formset.management_form)
        for form in formset.forms:
            _put(data, form)
    data.update(changes)
    return data


def inline_row(response, prefix: str, obj) -> str:
    """The field-name prefix ("sections-1-") of `obj`'s row in the inline formset `prefix`."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            for form in inline.formset.forms:
                if form.instance.pk == obj.pk:
                    return f"{form.prefix}-"
    raise AssertionError(f"no row for {obj!r} in the {prefix} inline")


def add_row(data: dict, prefix: str, **fields) -> dict:
    """Adds a new row to the inline formset `prefix` of posted page data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return data


def form_errors(response) -> dict:
    """The main form's errors ({field or "__all__": [messages]}) of a page shown again."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    return {field: list(messages) for field, messages in response.context["adminform"].form.errors.items()}
