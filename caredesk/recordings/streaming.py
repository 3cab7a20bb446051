"""A stored recording as an HTTP response: the whole file, or one byte range (RFC 9110: 206 with
Content-Range; 416 when the range is outside the file), read in chunks so memory does not grow with the size."""

from __future__ import annotations

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from caredesk.recordings.models import Recording

CHUNK_BYTES = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single-range header; None when there is no usable header (send everything);
    False when it cannot be satisfied."""
    match = RANGE.match(header.strip()) if header else None
    if match is None:
        return None  # absent, several ranges or another unit: the whole file, as RFC 9110 allows
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if end >= start else None


def _chunks(handle, start: int, length: int):
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def stream(request, recording: Recording, *, download: bool = False) -> HttpResponse:
    size = recording.size_bytes or recording.file.size
    wanted = byte_range(request.headers.get("Range", ""), size)
    filename = recording.file.name.rsplit("/", 1)[-1]
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(recording.file.open("rb"), as_attachment=download, filename=filename,
                                content_type=recording.content_type)
    else:
        start, end = wanted
        response = StreamingHttpResponse(_chunks(recording.file.open("rb"), start, end - start + 1), status=206,
                                         content_type=recording.content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Content-Disposition"] = f'{"attachment" if download else "inline"}; filename="{filename}"'
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    return response
