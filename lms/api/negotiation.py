from rest_framework.negotiation import BaseContentNegotiation


class FileOrJSONErrors(BaseContentNegotiation):
    """For a view that answers a file itself (an HttpResponse or FileResponse, never rendered:
    a certificate's PDF, a calendar feed) whatever `Accept` says, so `Accept: application/pdf` or
    `text/calendar` is no 406; its errors are rendered by the first renderer (JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
