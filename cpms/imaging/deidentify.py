"""De-identification of one DICOM file, before anything of it is stored.

What happens to a file, in order:

1. It must be DICOM by its content: "DICM" at offset 128 (Part 10), or a bare dataset that pydicom
   reads with `force` *and* that has the core tags placing it in a study (SOP class and instance,
   study and series UIDs). An image whose pixel data is missing or shorter than its rows, columns
   and bits say is refused as truncated.
2. Every UID that identifies something of this hospital (all UI values except the DICOM standard's
   own, `1.2.840.10008.…`, and SOP class / transfer syntax UIDs) is replaced, at every depth, by a
   keyed pseudonym: "2.25." + the integer of HMAC-SHA256(settings.IMAGING_UID_KEY, uid)[:16]. The
   same original UID always gives the same new one, so every file of a study lands in one new
   study and references between files still hold; without the key nobody can go back.
3. Every date (DA, DT), at every depth, is shifted back by a number of days taken from
   HMAC(key, pseudonym): the same for every study of the patient, so intervals between studies
   are kept (PS3.15 "Retain Longitudinal Temporal Information with Modified Dates"). Times are
   kept (the shift is whole days). The birth date is emptied, not shifted.
4. dicom-anonymizer applies the PS3.15 Basic Application Confidentiality Profile's table (2026c):
   names, IDs, institutions, physicians, accession numbers, descriptions of the operators… are
   replaced, emptied or deleted; its UID and date actions are ours (steps 2 and 3).
5. Private tags are removed, PatientName and PatientID become the ERN pseudonym, and the file says
   so (PatientIdentityRemoved YES, DeidentificationMethod, LongitudinalTemporalInformationModified).
6. The burned-in risk is noted, with its reasons: BurnedInAnnotation YES, modality US, a Secondary
   Capture SOP class, or ImageType DERIVED\\SECONDARY. Pixels are never changed here (masking is
   the uploader's choice, cpms/imaging/masking.py).

Bounded memory. Given a path (intake's spooled file) and an `out` path, a file is read with
`defer_size`, its (native, defined-length) pixel data is never loaded: it is copied in blocks to
a file of its own, left out of steps 2–5 (nothing of it is a tag to change), and written back from
that file as a buffered value (pydicom 3 writes buffers in chunks). The de-identified file goes to
`out`, hashed in blocks. Memory then stays at the header's size, whatever the image's. Given bytes,
everything happens in memory as before (tests, the bench, the demo).
"""

import hashlib
import hmac
import io
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import pydicom
from dicomanonymizer import simpledicomanonymizer as anonymizer
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.uid import ImplicitVRLittleEndian

PROFILE_VERSION = "dicomfields_2026c"
METHOD = "CPMS PS3.15 Basic Profile 2026c, keyed UIDs, shifted dates"  # LO: 64 characters at most
STANDARD_UID_ROOT = "1.2.840.10008."
MEDIA_DIRECTORY = "1.2.840.10008.1.3.10"  # a DICOMDIR
CORE_TAGS = ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID")
SECONDARY_CAPTURE_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.7",  # Secondary Capture Image Storage
    "1.2.840.10008.5.1.4.1.1.7.1",  # Multi-frame Single Bit SC
    "1.2.840.10008.5.1.4.1.1.7.2",  # Multi-frame Grayscale Byte SC
    "1.2.840.10008.5.1.4.1.1.7.3",  # Multi-frame Grayscale Word SC
    "1.2.840.10008.5.1.4.1.1.7.4",  # Multi-frame True Color SC
}
# Why a series may show burned-in text: the codes kept in Series.burned_in_reasons.
BURNED_IN_REASONS = {
    "burned-in-annotation": _("the file says it has burned-in annotation"),
    "ultrasound": _("ultrasound images usually carry text in the image"),
    "secondary-capture": _("a secondary capture (a screenshot) may show text"),
    "derived-secondary": _("a derived, secondary image may show text"),
}
# The tags shown before and after in the uploader's preview (one file of each series).
PREVIEW_TAGS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "OtherPatientIDs",
    "InstitutionName",
    "ReferringPhysicianName",
    "AccessionNumber",
    "StudyDate",
    "StudyDescription",
    "SeriesDescription",
    "Modality",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "BurnedInAnnotation",
)
MAX_SHIFT_DAYS = 3650
BIRTH_DATE = (0x0010, 0x0030)


class DicomRefused(Exception):
    """A file we do not store; `message` says why, for the uploader."""

    code = "refused"
    message = _("This file cannot be read as DICOM.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotDicom(DicomRefused):
    code = "not-dicom"
    message = _("Not a DICOM file (its content is not DICOM, whatever its name).")


class Truncated(DicomRefused):
    code = "truncated"
    message = _("The file is incomplete (truncated): its image data is missing or cut short.")


@dataclass
class Deidentified:
    """One de-identified file and what grouping it into study/series/instance needs."""

    data: bytes  # the de-identified Part-10 file (b"" when written to `out`: see `path`)
    study_uid: str  # all new (keyed pseudonyms)
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    modality: str = ""
    study_description: str = ""
    series_description: str = ""
    series_number: int | None = None
    instance_number: int | None = None
    slice_position: float | None = None
    study_date: date | None = None  # shifted
    rows: int | None = None
    columns: int | None = None
    burned_in_reasons: list[str] = field(default_factory=list)
    # The original identity, for the wrong-patient check only: never stored.
    original_patient_id: str = ""
    original_patient_name: str = ""
    # Before/after of PREVIEW_TAGS: [{"keyword", "before", "after"}] (before identifies: encrypt it).
    preview: list[dict] = field(default_factory=list)
    path: str = ""  # where the de-identified file was written, when deidentify() was given `out`
    size: int = 0
    sha256: str = ""


def uid_key() -> bytes:
    return settings.IMAGING_UID_KEY.encode()


def pseudonymous_uid(uid: str) -> str:
    """The keyed pseudonym of a UID: "2.25." and a 128-bit integer (at most 44 characters)."""
    digest = hmac.new(uid_key(), b"uid:" + str(uid).strip().encode(), hashlib.sha256).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def date_shift_days(patient_pseudonym: str) -> int:
    """How many days this patient's dates move back: 1…3650, the same for every study."""
    digest = hmac.new(uid_key(), b"date-shift:" + patient_pseudonym.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % MAX_SHIFT_DAYS + 1


def shift_date(value: str, days: int) -> str:
    """A DA value (YYYYMMDD) or the date of a DT value moved back `days`; "" when unreadable."""
    text = str(value).strip()
    if not text:
        return ""
    try:
        day = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return ""
    return (day - timedelta(days=days)).strftime("%Y%m%d") + text[8:]


def _is_kept_uid(element, value: str) -> bool:
    keyword = element.keyword or ""
    return (
        not value
        or str(value).startswith(STANDARD_UID_ROOT)
        or keyword.endswith("ClassUID")
        or keyword == "TransferSyntaxUID"
    )


def _new_uid(element, value):
    return value if _is_kept_uid(element, value) else pseudonymous_uid(value)


def _sweep(ds: Dataset, days: int) -> None:
    """Steps 2 and 3 at every depth: keyed UIDs, shifted dates; and no person named in a sequence."""

    def visit(dataset, element):
        if element.VR == "PN" and dataset is not ds:
            element.value = ""  # a person named inside a sequence: the profile's table acts on the top level
        elif element.VR == "UI" and element.value:
            if isinstance(element.value, MultiValue):
                element.value = [_new_uid(element, v) for v in element.value]
            else:
                element.value = _new_uid(element, element.value)
        elif element.VR in ("DA", "DT") and element.value and element.tag != BIRTH_DATE:
            if isinstance(element.value, MultiValue):
                element.value = [shift_date(v, days) for v in element.value]
            else:
                element.value = shift_date(element.value, days)

    ds.walk(visit)


@cache
def _profile_rules() -> dict:
    """The Basic Profile's actions, with its UID and date actions left to our sweep."""
    rules = anonymizer.initialize_actions(PROFILE_VERSION)
    for tag, action in list(rules.items()):
        if len(tag) != 2 or action is anonymizer.delete:
            continue
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        if vr in ("UI", "DA", "DT"):
            rules[tag] = anonymizer.keep
    rules[BIRTH_DATE] = anonymizer.keep  # emptied below (the package's `empty` writes 00010101)
    return rules


def _rules_for(ds: Dataset) -> dict:
    """The profile's actions for the tags this dataset has (the package looks each rule up at the
    top level: the other ~600 are no-ops), and its repeating-group rules, which walk the dataset."""
    present = {(element.tag.group, element.tag.element) for element in ds}
    return {tag: action for tag, action in _profile_rules().items() if len(tag) != 2 or tag in present}


DEFER_SIZE = 256 * 1024  # values larger than this are read from the file only when used
BLOCK = 1024 * 1024
PIXEL_DATA = 0x7FE00010


def read_dataset(data, pixel_length: list | None = None) -> Dataset:
    """Step 1: the dataset, or NotDicom / Truncated. `data`: bytes, or a path (read with defer_size).
    With `pixel_length` (a list), a deferred pixel data's length goes there instead of loading it."""
    if isinstance(data, bytes | bytearray):
        head, source, defer = bytes(data[:132]), io.BytesIO(data), None
    else:
        with open(data, "rb") as handle:
            head = handle.read(132)
        source, defer = os.fspath(data), DEFER_SIZE
    is_part10 = len(head) >= 132 and head[128:132] == b"DICM"
    try:
        ds = pydicom.dcmread(source, force=not is_part10, defer_size=defer)
        for keyword in CORE_TAGS:  # reading these parses the header: a broken one raises here
            ds.get(keyword)
    except (InvalidDicomError, ValueError, TypeError, KeyError, EOFError, OSError, NotImplementedError):
        raise NotDicom from None
    except Exception:  # pydicom raises many kinds on garbage; none of them is ours to show
        raise NotDicom from None
    meta_class = str(getattr(getattr(ds, "file_meta", None), "MediaStorageSOPClassUID", "") or "")
    if meta_class == MEDIA_DIRECTORY:
        raise DicomRefused(
            _("A DICOMDIR is the index of a disc, not an image: the images are read from their own files.")
        )
    if any(not str(ds.get(keyword, "") or "").strip() for keyword in CORE_TAGS):
        if not is_part10:
            raise NotDicom  # a bare dataset must have them: anything pydicom "reads" with force is not one
        if "PixelData" not in ds and len(ds) > 0:
            raise Truncated
        raise NotDicom(
            _("Not a usable DICOM file: it lacks the tags that place it in a study (SOP, study, series).")
        )
    _check_complete(ds, _deferred_length(ds) if defer else None)
    return ds


def _deferred_length(ds: Dataset) -> int | None:
    """The length of a pixel data pydicom deferred (defined length, not read yet); None otherwise."""
    raw = ds.get_item(PIXEL_DATA, keep_deferred=True) if PIXEL_DATA in ds else None
    if raw is None or getattr(raw, "value", b"") is not None or raw.length == 0xFFFFFFFF:
        return None
    return raw.length


def _check_complete(ds: Dataset, deferred_length: int | None = None) -> None:
    sop_class = pydicom.uid.UID(str(ds.SOPClassUID))
    is_image = "Image Storage" in sop_class.name or "Rows" in ds
    if not is_image:
        return
    if "PixelData" not in ds:
        raise Truncated
    transfer = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if transfer is not None and pydicom.uid.UID(transfer).is_compressed:
        return  # encapsulated: pydicom read every fragment it found; lengths are not comparable
    try:
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        expected = int(ds.Rows) * int(ds.Columns) * int(ds.get("SamplesPerPixel", 1)) * frames
        expected = expected * int(ds.BitsAllocated) // 8
    except (AttributeError, TypeError, ValueError):
        raise Truncated from None
    length = deferred_length if deferred_length is not None else len(ds.PixelData)
    if length < expected:
        raise Truncated


def burned_in_reasons(ds: Dataset) -> list[str]:
    reasons = []
    if str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES":
        reasons.append("burned-in-annotation")
    if str(ds.get("Modality", "")).strip().upper() == "US":
        reasons.append("ultrasound")
    if str(ds.get("SOPClassUID", "")) in SECONDARY_CAPTURE_CLASSES:
        reasons.append("secondary-capture")
    image_type = [str(v).upper() for v in (ds.get("ImageType") or [])]
    if "DERIVED" in image_type and "SECONDARY" in image_type:
        reasons.append("derived-secondary")
    return reasons


def slice_position(ds: Dataset) -> float | None:
    """Where the slice sits along the stack: ImagePositionPatient · the normal of its orientation."""
    try:
        position = [float(v) for v in ds.ImagePositionPatient]
        o = [float(v) for v in ds.ImageOrientationPatient]
        normal = (o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3])
        return round(sum(p * n for p, n in zip(position, normal, strict=True)), 4)
    except (AttributeError, TypeError, ValueError, IndexError):
        pass
    try:
        return float(ds.SliceLocation)
    except (AttributeError, TypeError, ValueError):
        return None


def _text(ds: Dataset, keyword: str) -> str:
    element = ds.get(keyword)
    if element is None:
        return ""
    if isinstance(element, MultiValue):
        return "\\".join(str(v) for v in element)
    return str(element)


def _int(ds: Dataset, keyword: str) -> int | None:
    try:
        return int(ds.get(keyword))
    except (TypeError, ValueError):
        return None


def _date(value: str) -> date | None:
    try:
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except (TypeError, ValueError):
        return None


def private_tag_count(ds: Dataset) -> int:
    count = 0

    def visit(dataset, element):
        nonlocal count
        count += element.tag.is_private

    ds.walk(visit)
    return count


def deidentify(data, *, patient_pseudonym: str, with_preview: bool = False, out=None) -> Deidentified:
    """The de-identified file and its place; raises NotDicom / Truncated (DicomRefused).

    `data`: the file's bytes, or its path; with `out` (a path), the result is written there, in
    bounded memory for a path (see the module's "Bounded memory")."""
    ds = read_dataset(data)
    with tempfile.TemporaryDirectory(prefix="cpms-deid-", dir=_work_dir(out)) as work:
        pixels = _detach_pixel_data(ds, data, work)
        return _deidentify(ds, patient_pseudonym, with_preview, out, pixels)


def _work_dir(out) -> str | None:
    return os.path.dirname(os.fspath(out)) or None if out else None


@dataclass
class _Pixels:
    vr: str
    path: str


def _detach_pixel_data(ds: Dataset, source, work: str) -> _Pixels | None:
    """A deferred pixel data, copied in blocks to its own file and taken out of the dataset."""
    if isinstance(source, bytes | bytearray) or _deferred_length(ds) is None:
        return None
    raw = ds.get_item(PIXEL_DATA, keep_deferred=True)
    target = os.path.join(work, "pixels")
    with open(source, "rb") as origin, open(target, "wb") as copy:
        origin.seek(raw.value_tell)
        left = raw.length
        while left > 0:
            block = origin.read(min(BLOCK, left))
            if not block:
                raise Truncated
            copy.write(block)
            left -= len(block)
    vr = raw.VR or dictionary_VR(PIXEL_DATA).split(" or ")[-1]
    if vr not in ("OB", "OW"):
        vr = "OW" if int(ds.get("BitsAllocated", 16) or 16) > 8 else "OB"
    del ds[PIXEL_DATA]
    return _Pixels(vr=vr, path=target)


def _deidentify(ds: Dataset, patient_pseudonym: str, with_preview: bool, out, pixels) -> Deidentified:
    before = {keyword: _text(ds, keyword) for keyword in PREVIEW_TAGS} if with_preview else {}
    private_before = private_tag_count(ds) if with_preview else 0
    original_id, original_name = _text(ds, "PatientID"), _text(ds, "PatientName")
    reasons = burned_in_reasons(ds)
    transfer = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None) or ImplicitVRLittleEndian

    ds.remove_private_tags()
    _sweep(ds, date_shift_days(patient_pseudonym))
    anonymizer.anonymize_dataset(ds, delete_private_tags=True, base_rules_gen=lambda: _rules_for(ds))
    ds.remove_private_tags()  # the package adds back private tags its table names: none of them
    if BIRTH_DATE in ds:
        ds[BIRTH_DATE].value = ""
    ds.PatientName = patient_pseudonym
    ds.PatientID = patient_pseudonym
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    ds.LongitudinalTemporalInformationModified = "MODIFIED"

    meta = FileMetaDataset()  # a new header: nothing of the sender's application travels
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = transfer
    ds.file_meta = meta
    written = {}
    try:
        if pixels is None and out is None:
            buffer = io.BytesIO()
            ds.save_as(buffer, enforce_file_format=True)
            written["data"] = buffer.getvalue()
        elif pixels is None:
            ds.save_as(out, enforce_file_format=True)
        else:
            with open(pixels.path, "rb") as pixel_file:
                ds.add_new(PIXEL_DATA, pixels.vr, pixel_file)  # a buffer: written in chunks
                if out is None:
                    buffer = io.BytesIO()
                    ds.save_as(buffer, enforce_file_format=True)
                    written["data"] = buffer.getvalue()
                else:
                    ds.save_as(out, enforce_file_format=True)
                del ds[PIXEL_DATA]
    except (ValueError, TypeError, AttributeError, NotImplementedError, OverflowError) as error:
        raise DicomRefused(_("This file could not be written back de-identified.")) from error
    if out is not None:
        written.update(path=os.fspath(out), size=os.path.getsize(out), sha256=file_sha256(out))

    preview = []
    if with_preview:
        preview = [
            {"keyword": keyword, "before": before[keyword], "after": _text(ds, keyword)}
            for keyword in PREVIEW_TAGS
        ]
        preview.append(
            {"keyword": "PrivateTags", "before": str(private_before), "after": str(private_tag_count(ds))}
        )
    return Deidentified(
        data=written.get("data", b""),
        path=written.get("path", ""),
        size=written.get("size", 0),
        sha256=written.get("sha256", ""),
        study_uid=str(ds.StudyInstanceUID),
        series_uid=str(ds.SeriesInstanceUID),
        sop_uid=str(ds.SOPInstanceUID),
        sop_class_uid=str(ds.SOPClassUID),
        modality=_text(ds, "Modality")[:16],
        study_description=_text(ds, "StudyDescription")[:200],
        series_description=_text(ds, "SeriesDescription")[:200],
        series_number=_int(ds, "SeriesNumber"),
        instance_number=_int(ds, "InstanceNumber"),
        slice_position=slice_position(ds),
        study_date=_date(_text(ds, "StudyDate")),
        rows=_int(ds, "Rows"),
        columns=_int(ds, "Columns"),
        burned_in_reasons=reasons,
        original_patient_id=original_id,
        original_patient_name=original_name,
        preview=preview,
    )


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
