import csv
import io

from lms.spreadsheet import inert
from reports.api.renderers import ReportCSVRenderer


class GradebookCSVRenderer(ReportCSVRenderer):
    """`?format=csv`: the gradebook table (gradebook.export) as a file download; an error body as
    `field,message` rows, as the reports' CSV."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not (isinstance(data, dict) and "header" in data):
            return super().render(data, accepted_media_type, renderer_context)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([inert(cell) for cell in data["header"]])
        for row in data["rows"]:
            writer.writerow([inert(cell) for cell in row])
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{data["filename"]}"'
        return buffer.getvalue().encode(self.charset)
