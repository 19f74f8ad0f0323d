"""Stored studies for tests: synthetic DICOM files (cpms/imaging/synthetic.py) written through the
image store as READY rows, shared with panels.

Owned by img-viewer; shared by the imaging tests: add new helpers at the end, do not change
existing ones. The files are de-identified on the way in, as an upload's are.
"""

import hashlib

from django.utils import timezone

from ..deidentify import deidentify
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
    # De-identified as the intake does it (cpms/imaging/deidentify.py): what is stored is what a real
    # upload would have left, under the new study UID.
    files = [
        deidentify(data, patient_pseudonym=patient.pseudonym)
        for number in range(1, series + 1)
        for data in synthetic.series(slices=slices, size=size, number=number, description=f"T{number} axial")
    ]
    study = Study.objects.unscoped().create(
        patient=patient,
        centre=patient.centre,
        uploaded_by=uploader,
        study_uid=files[0].study_uid,
        description=synthetic.description,
        modalities="MR",
        study_date=files[0].study_date,
        status=status,
        confirmed_by=uploader if status == Study.Status.READY else None,
        confirmed_at=timezone.now() if status == Study.Status.READY else None,
    )
    store = image_store()
    for number in range(1, series + 1):
        in_series = files[(number - 1) * slices : number * slices]
        first = in_series[0]
        row = Series.objects.create(
            study=study,
            series_uid=first.series_uid,
            number=number,
            modality="MR",
            description=f"T{number} axial",
            instance_count=slices,
            rows=first.rows,
            columns=first.columns,
        )
        Instance.objects.bulk_create(
            Instance(
                series=row,
                sop_uid=file.sop_uid,
                sop_class_uid=file.sop_class_uid,
                instance_number=file.instance_number,
                slice_position=file.slice_position,
                stored_name=store.save(f"{study.study_uid}/{row.series_uid}/{file.sop_uid}", file.data),
                size_bytes=len(file.data),
                sha256=hashlib.sha256(file.data).hexdigest(),
            )
            for file in in_series
        )
    Study.objects.unscoped().filter(pk=study.pk).update(
        series_count=series, instance_count=series * slices, size_bytes=sum(len(f.data) for f in files)
    )
    study.refresh_from_db()
    if panels:
        study.panels.set(panels)
    return study


def store_in(settings, folder) -> None:
    """The image store writes under `folder` (a test's tmp_path), not the embedded var/imaging."""
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
    settings.STORAGES = {**settings.STORAGES, "imaging": backend}
