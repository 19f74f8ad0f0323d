"""Synthetic DICOM studies made with pydicom: for the demo data, the tests and the benches.

The files look like what a hospital's PACS exports: a patient name, ID and birth date, the
institution, private tags, real UIDs, and pixel data that shows something to scroll through (a
sphere that grows and shrinks along the stack), so that what de-identification must remove is
there to be removed and the viewer has an image to draw.
"""

import io
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, SecondaryCaptureImageStorage, generate_uid

PRIVATE_CREATOR = "ACME MEDICAL 1.0"


@dataclass(frozen=True)
class SyntheticPatient:
    name: str = "GRÜNWALD^MATHILDE"
    patient_id: str = "TUE-4471-93"
    birth_date: str = "19870314"
    sex: str = "F"


@dataclass
class SyntheticStudy:
    patient: SyntheticPatient = field(default_factory=SyntheticPatient)
    study_uid: str = field(default_factory=generate_uid)
    study_date: str = "20260915"
    description: str = "MRI brain"
    accession_number: str = "ACC-20260915-77"
    frame_of_reference_uid: str = field(default_factory=generate_uid)

    def series(
        self,
        *,
        slices: int = 40,
        size: int = 128,
        number: int = 1,
        description: str = "T1 axial",
        modality: str = "MR",
        burned_in: bool = False,
    ) -> list[bytes]:
        """One series of `slices` instances, as the bytes of DICOM files (Part 10, with preamble)."""
        series_uid = generate_uid()
        return [
            to_bytes(
                self._instance(series_uid, index, slices, size, number, description, modality, burned_in)
            )
            for index in range(slices)
        ]

    def _instance(self, series_uid, index, slices, size, number, description, modality, burned_in):
        sop_class = MRImageStorage if modality == "MR" else SecondaryCaptureImageStorage
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = sop_class
        ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = sop_class
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = self.study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = self.frame_of_reference_uid
        ds.PatientName = self.patient.name
        ds.PatientID = self.patient.patient_id
        ds.PatientBirthDate = self.patient.birth_date
        ds.PatientSex = self.patient.sex
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = self.study_date
        ds.StudyTime = "101500"
        ds.AccessionNumber = self.accession_number
        ds.StudyDescription = self.description
        ds.SeriesDescription = description
        ds.InstitutionName = "Universitätsklinikum Tübingen"
        ds.ReferringPhysicianName = "DR^HOUSE^GREGORY"
        ds.Modality = modality
        ds.SeriesNumber = number
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [0.0, 0.0, float(index) * 3.0]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.SliceThickness = 3.0
        ds.PixelSpacing = [0.9, 0.9]
        ds.BurnedInAnnotation = "YES" if burned_in else "NO"
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 12
        ds.HighBit = 11
        ds.PixelRepresentation = 0
        ds.WindowCenter = 600
        ds.WindowWidth = 1200
        ds.PixelData = sphere_slice(index, slices, size).tobytes()
        block = ds.private_block(0x0009, PRIVATE_CREATOR, create=True)
        block.add_new(0x01, "LO", f"{self.patient.name} scanned on Magnetom 3T")
        block.add_new(0x02, "LO", self.patient.patient_id)
        return ds


def sphere_slice(index: int, slices: int, size: int) -> np.ndarray:
    """A slice through a bright sphere in a darker head-like disc: scrolling shows it change."""
    y, x = np.mgrid[0:size, 0:size]
    centre = (size - 1) / 2
    distance = np.hypot(x - centre, y - centre)
    image = np.where(distance < size * 0.45, 400, 0).astype(np.uint16)
    depth = (index - (slices - 1) / 2) / max(slices / 2, 1)
    radius = size * 0.3 * max(0.0, 1 - depth * depth) ** 0.5
    image[distance < radius] = 1500
    image[(index * 7 + y * 3 + x) % 97 == 0] += 60  # a little texture, so that window/level shows
    return image


def to_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
