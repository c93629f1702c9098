import csv
import io

from rest_framework.renderers import BaseRenderer


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
        else:  # an error body
            writer.writerow(["detail"])
            writer.writerow([data.get("detail", data) if isinstance(data, dict) else data])
        return buffer.getvalue().encode(self.charset)
