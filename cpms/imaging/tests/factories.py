"""Stored studies for tests: synthetic DICOM files (cpms/imaging/synthetic.py) written through the
image store as READY rows, shared with panels.

Owned by img-viewer; shared by the imaging tests: add new helpers at the end, do not change
existing ones. Until img-intake's deidentify lands, the synthetic bytes are stored as they are:
tests of identity removal are img-intake's.
"""

import hashlib
import io

import pydicom
from django.utils import timezone
from pydicom.uid import generate_uid

from ..models import Instance, Series, Study
from ..stores import image_store
from ..synthetic import SyntheticStudy


def make_stored_study(
    patient,
    *,
    slices: int = 40,
    panels=(),
    series: int = 1,
    uploaded_by=None,
    status: str = Study.Status.READY,
    size: int = 128,
) -> Study:
    """A study of `patient` with `series` MR series of `slices` instances each, in the image store."""
    synthetic = SyntheticStudy()
    uploader = uploaded_by or patient.enrolled_by
    study = Study.objects.unscoped().create(
        patient=patient,
        centre=patient.centre,
        uploaded_by=uploader,
        study_uid=generate_uid(),
        description=synthetic.description,
        modalities="MR",
        study_date=timezone.localdate(),
        status=status,
        confirmed_by=uploader if status == Study.Status.READY else None,
        confirmed_at=timezone.now() if status == Study.Status.READY else None,
    )
    store = image_store()
    total = 0
    # TODO(merge): once cpms/imaging/deidentify.py (img-intake) is on main, store
    # deidentify(data, patient_pseudonym=patient.pseudonym).data and its UIDs instead of the raw bytes.
    for number in range(1, series + 1):
        files = synthetic.series(slices=slices, size=size, number=number, description=f"T{number} axial")
        first = pydicom.dcmread(_reader(files[0]), stop_before_pixels=True)
        row = Series.objects.create(
            study=study,
            series_uid=str(first.SeriesInstanceUID),
            number=number,
            modality="MR",
            description=str(first.SeriesDescription),
            instance_count=len(files),
            rows=int(first.Rows),
            columns=int(first.Columns),
        )
        instances = []
        for data in files:
            ds = pydicom.dcmread(_reader(data), stop_before_pixels=True)
            sop_uid = str(ds.SOPInstanceUID)
            name = store.save(f"{study.study_uid}/{row.series_uid}/{sop_uid}", data)
            instances.append(
                Instance(
                    series=row,
                    sop_uid=sop_uid,
                    sop_class_uid=str(ds.SOPClassUID),
                    instance_number=int(ds.InstanceNumber),
                    slice_position=float(ds.ImagePositionPatient[2]),
                    stored_name=name,
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            )
            total += len(data)
        Instance.objects.bulk_create(instances)
    Study.objects.unscoped().filter(pk=study.pk).update(
        series_count=series, instance_count=series * slices, size_bytes=total
    )
    study.refresh_from_db()
    if panels:
        study.panels.set(panels)
    return study


def _reader(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def store_in(settings, folder) -> None:
    """The image store writes under `folder` (a test's tmp_path), not the embedded var/imaging."""
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
    settings.STORAGES = {**settings.STORAGES, "imaging": backend}
