import csv
import io

from rest_framework.renderers import BaseRenderer

from lms.spreadsheet import inert


class ReportCSVRenderer(BaseRenderer):
    """`?format=csv`: a report's results as `period,value` rows, as a file download."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if isinstance(data, dict) and "results" in data:
            writer.writerow(["period", "value"])
            for point in data["results"]:
                writer.writerow([point["period"], point["value"]])
            response = (renderer_context or {}).get("response")
            if response is not None and response.status_code == 200:
                name = f"{data['name']}-{data['interval']}-{data['from']}-{data['to']}.csv"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
        else:  # an error body: one `field,message` row per message, as plain text
            writer.writerow(["field", "message"])
            writer.writerows(_error_rows(data))
        return buffer.getvalue().encode(self.charset)


def _error_rows(data, field: str = "detail"):
    """The messages of a DRF error body (`{"detail": ..., "code": ...}` or `{field: [messages]}`),
    as (field, message) pairs of plain strings: never a Python repr of DRF's ErrorDetail."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key != "code":
                yield from _error_rows(value, field if key == "detail" else str(key))
    elif isinstance(data, list | tuple):
        for item in data:
            yield from _error_rows(item, field)
    else:
        yield field, inert(str(data))

