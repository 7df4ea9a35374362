"""Private files (receipts, statements, reports, annual-report PDFs, photos) in one storage.

``STORAGES["private"]`` is a local folder (``PRIVATE_MEDIA_ROOT``) in development and on one
host, or any S3-compatible object store in production (settings read it from the
environment), so several web hosts and the PDF workers see the same files. Nothing private
has a public address: views check who may see a file, then stream it from here.
"""

import os
import socket
import time
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``path`` through a temporary file and a rename, so readers see the old file or
    the whole new one, and two workers writing the same file leave one. A temporary file
    left by a writer killed mid-write goes at the next write of that file: at once when its
    process (on this host) is gone, after a minute otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    tmp = path.with_name(f"{path.name}.{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}.part")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    for stale in path.parent.glob(f"{path.name}.*.part"):
        if _writer_gone(stale, path=path, host=host) or (stale.stat().st_mtime < time.time() - 60):
            stale.unlink(missing_ok=True)
    return path


def _writer_gone(part: Path, *, path: Path, host: str) -> bool:
    """Whether a temporary file's writer was a process of this host that no longer runs."""
    writer = part.name[len(path.name) + 1 : -len(".part")].rsplit("-", 2)
    if len(writer) != 3 or writer[0] != host or not writer[1].isdigit():
        return False
    try:
        os.kill(int(writer[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def private_path(name: str) -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError("path outside the private media root")
    return path


class PrivateFileStorage(FileSystemStorage):
    """A folder that follows ``PRIVATE_MEDIA_ROOT`` (tests and workers point it elsewhere) and
    has no URL."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public address")


def _storage() -> Storage:
    return storages["private"]


def _local() -> bool:
    return isinstance(_storage(), FileSystemStorage)


def private_save(name: str, data: bytes) -> str:
    """Write (or replace) a private file whole: readers see the old file or the new one,
    never a part (a rename on disk; an object store's put is whole by nature)."""
    if _local():
        write_atomically(private_path(name), data)
        return name
    # the object store's settings overwrite a name (file_overwrite): no delete first, which
    # would leave a moment with no file at all
    return _storage().save(name, ContentFile(data))


def private_exists(name: str) -> bool:
    return bool(name) and _storage().exists(name)


def private_open(name: str) -> IO[bytes]:
    return _storage().open(name, "rb")  # type: ignore[return-value]


def private_read(name: str) -> bytes:
    with private_open(name) as handle:
        return handle.read()


def private_delete(name: str) -> None:
    if name:
        _storage().delete(name)


def private_response(
    name: str,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    as_attachment: bool = False,
) -> FileResponse:
    """Stream a private file to someone a view has already checked may see it (shown in the
    browser, or saved as ``filename`` with ``as_attachment``)."""
    return FileResponse(
        private_open(name),
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename or "",
    )
