"""Receiving an upload: the chunks of each file, where they wait, what a file is, and ZIP unpacking.

Chunks. The browser PUTs each file in pieces (settings.IMAGING_CHUNK_BYTES) with the offset it
starts at; the server keeps what it has (UploadFile.received_bytes) and answers a wrong offset with
where to go on, so a dropped connection or a reload resumes where it stopped: nothing received is
lost. Each chunk waits encrypted (cpms.lib.crypto.encrypt_bytes) in its own file, named by its
offset, in a private folder (settings.IMAGING_INTAKE_DIR, never served), until the file has been
de-identified; then the folder is deleted.

What a file is, by its content, never its name: "DICM" at 128 (or a bare dataset: deidentify.py
decides), a ZIP ("PK\\3\\4"), or anything else (refused as not DICOM).

ZIPs are unpacked in blocks to files of the upload's work folder (bounded memory), with limits,
each entry judged on its own: a name that climbs out of the archive (absolute, "..", a drive) is
refused, as is an archive inside the archive, an encrypted entry, an entry larger than a file may
be, or one that unpacks to more than IMAGING_MAX_ZIP_RATIO times its packed size (a ZIP bomb);
the archive as a whole is refused when it has more entries than an upload may have, or unpacks to
more than IMAGING_MAX_ZIP_TOTAL_BYTES. The sizes the archive declares are not trusted: reading
stops at the limit.
"""

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cpms.lib.crypto import blind_index, decrypt_bytes, encrypt_bytes

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar")
RATIO_FLOOR_BYTES = 1024**2  # below this an entry may compress as well as it likes
READ_PIECE = 1024**2


class ArchiveRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def kind_of(head: bytes) -> str:
    """'dicom' (Part 10), 'zip', or 'other' (maybe a bare dataset: deidentify decides)."""
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head[:4] in ZIP_MAGIC:
        return "zip"
    return "other"


# -- names


def file_key(upload_id: int, browser_key: str) -> str:
    """What is kept of the browser's key of a file: its path may name the patient, so a keyed
    hash of it (per upload), enough to find the same file again when the browser resumes."""
    return blind_index(str(browser_key), purpose=f"imaging.upload-file:{int(upload_id)}")


# -- chunks


def folder_of(upload_id: int, file_id: int) -> Path:
    return Path(settings.IMAGING_INTAKE_DIR) / str(int(upload_id)) / str(int(file_id))


def write_chunk(upload_id: int, file_id: int, offset: int, data: bytes) -> None:
    """Keep one chunk, encrypted, under its offset (written again, it replaces itself)."""
    folder = folder_of(upload_id, file_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{int(offset):015d}.enc"
    temporary = folder / f".{int(offset):015d}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(encrypt_bytes(data))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def spool_file(upload_id: int, file_id: int, size: int, into) -> int:
    """Decrypt the received chunks of a file, one at a time, into the open binary file `into`,
    checked to follow on from each other; how many bytes were written (less than `size`: lost)."""
    folder = folder_of(upload_id, file_id)
    written = 0
    for path in sorted(folder.glob("*.enc")):
        if int(path.stem) != written:
            break
        part = decrypt_bytes(path.read_bytes())[: size - written]
        into.write(part)
        written += len(part)
        if written >= size:
            break
    return written


def read_file(upload_id: int, file_id: int, size: int) -> bytes:
    """The received bytes of a file, decrypted, in memory (small files: the tests, the demo)."""
    buffer = io.BytesIO()
    spool_file(upload_id, file_id, size, buffer)
    return buffer.getvalue()


def work_dir(upload_id: int) -> Path:
    """Where processing unpacks and de-identifies, in the upload's private folder (deleted with it)."""
    folder = Path(settings.IMAGING_INTAKE_DIR) / str(int(upload_id)) / "work"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@contextmanager
def spooled(upload_id: int, file_id: int, size: int) -> Iterator[tuple[Path, int]]:
    """The file decrypted to a temporary file of the upload's work folder (bounded memory), and
    its length; the plain copy is deleted on leaving."""
    descriptor, name = tempfile.mkstemp(dir=work_dir(upload_id), prefix="file-")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            length = spool_file(upload_id, file_id, size, handle)
        yield path, length
    finally:
        path.unlink(missing_ok=True)


def head_of(path, size: int = 132) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def discard_file(upload_id: int, file_id: int) -> None:
    shutil.rmtree(folder_of(upload_id, file_id), ignore_errors=True)


def discard_upload(upload_id: int) -> None:
    shutil.rmtree(Path(settings.IMAGING_INTAKE_DIR) / str(int(upload_id)), ignore_errors=True)


# -- sizes


def too_large_message(size: int) -> str:
    """Said next to the file's name on the page: the name itself is never part of a refusal
    (refusals are stored in the clear, the name only encrypted)."""
    return _("It is %(size)s: a file may be %(limit)s at most.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.IMAGING_MAX_FILE_BYTES),
    }


# -- ZIP


@dataclass
class Entry:
    name: str
    size: int
    path: str = ""  # its bytes, unpacked to a file of the work folder (the caller deletes it)
    received: int = 0
    refusal: str = ""


DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    """A name that would land outside the archive's folder if written out (path traversal)."""
    normalised = name.replace("\\", "/")
    parts = normalised.split("/")
    return (
        "\x00" in name
        or normalised.startswith("/")
        or bool(DRIVE.match(normalised))
        or any(part == ".." for part in parts)
    )


def is_archive(name: str, head: bytes) -> bool:
    return head[:4] in ZIP_MAGIC or head[:2] == b"\x1f\x8b" or name.lower().endswith(ARCHIVE_SUFFIXES)


def zip_entries(source, work: Path) -> Iterator[Entry]:
    """Each file of the archive (a path, or bytes), unpacked in blocks to a file of `work`, or why it
    is refused; ArchiveRefused for the whole."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused(
            _("The ZIP file is damaged or incomplete: nothing could be read from it.")
        ) from None
    if len(infos) > settings.IMAGING_MAX_UPLOAD_FILES:
        raise ArchiveRefused(
            _("The ZIP file holds %(count)s files: an upload may have %(limit)s at most.")
            % {"count": len(infos), "limit": settings.IMAGING_MAX_UPLOAD_FILES}
        )
    declared = sum(info.file_size for info in infos)
    total_limit = settings.IMAGING_MAX_ZIP_TOTAL_BYTES
    if declared > total_limit:
        raise ArchiveRefused(
            _("The ZIP file would unpack to %(size)s, more than %(limit)s: it is refused (a ZIP bomb?).")
            % {"size": filesizeformat(declared), "limit": filesizeformat(total_limit)}
        )
    unpacked = 0
    for info in infos:
        name = info.filename
        entry = Entry(name=name, size=info.file_size)
        entry.refusal = _entry_refusal(info)
        if not entry.refusal:
            entry.path, entry.received, entry.refusal = _read_entry(
                archive, info, total_limit - unpacked, work
            )
            unpacked += entry.received
        if not entry.refusal and is_archive(name, head_of(entry.path, 4)):
            entry.refusal = _("An archive inside the archive is not unpacked: send its files.")
        if entry.refusal and entry.path:
            Path(entry.path).unlink(missing_ok=True)
            entry.path, entry.received = "", 0
        yield entry


def _entry_refusal(info: zipfile.ZipInfo) -> str:
    if unsafe_name(info.filename):
        return _("Its name leads outside the archive (path traversal): refused.")
    if info.flag_bits & 0x1:
        return _("This entry is encrypted: it cannot be read.")
    if info.file_size > settings.IMAGING_MAX_FILE_BYTES:
        return too_large_message(info.file_size)
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > settings.IMAGING_MAX_ZIP_RATIO * max(
        info.compress_size, 1
    ):
        return _("It would unpack to %(ratio)s times its packed size: refused (a ZIP bomb?).") % {
            "ratio": info.file_size // max(info.compress_size, 1)
        }
    return ""


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int, work: Path
) -> tuple[str, int, str]:
    """Unpack at most what the entry declares (and what is left of the total), in blocks, to a file
    of `work`; more means a lie. (path, bytes, refusal)."""
    limit = min(info.file_size, settings.IMAGING_MAX_FILE_BYTES, max(room, 0))
    descriptor, name = tempfile.mkstemp(dir=work, prefix="entry-")
    read = 0
    try:
        with os.fdopen(descriptor, "wb") as out, archive.open(info) as handle:
            while read <= limit:
                piece = handle.read(min(READ_PIECE, limit + 1 - read))
                if not piece:
                    break
                out.write(piece)
                read += len(piece)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return name, 0, _("This entry is damaged and could not be unpacked.")
    if read > limit:
        return (
            out.name,
            0,
            _("This entry unpacks to more than it declares or than is left: refused (a ZIP bomb?)."),
        )
    return name, read, ""
