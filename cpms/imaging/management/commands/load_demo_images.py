"""A small demo study for the embedded default: an MRI of Klara (TUE-100231, DE22), two series of
twelve small slices, sent by Jonas the way the upload page sends files (chunks encrypted in the
intake folder, then the processing task: de-identified, grouped, stored), confirmed and shared
with her open Dravet panel. Safe to run again: the study's keyed UID is already there, it is left.
Needs `load_demo_data`, `load_demo_patients` and `load_demo_panels`; `make run` loads them all.
"""

from django.core.management.base import BaseCommand, CommandError

from cpms.access.models import OrganisationNode
from cpms.clinical.management.commands.load_demo_data import institution
from cpms.identity.models import User
from cpms.panels.models import Panel, PanelStatus
from cpms.patients.models import Patient
from cpms.patients.queries import hospital_number_index

from ...actions import do_confirm_study
from ...deidentify import pseudonymous_uid
from ...intake import file_key, folder_of, write_chunk
from ...models import Study, Upload, UploadFile
from ...processing import process_upload
from ...synthetic import SyntheticPatient, SyntheticStudy

JONAS = "jonas.braun@demo.cpms.eu"
HOSPITAL_NUMBER, CENTRE = "TUE-100231", "DE22"
# A fixed original StudyInstanceUID: its keyed pseudonym tells whether the demo study is there.
STUDY_UID = "1.2.826.0.1.3680043.8.498.20260915.1"


class Command(BaseCommand):
    help = "Add a small de-identified demo study to a demo patient, shared with a demo panel (idempotent)."

    def handle(self, *args, **options):
        if Study.objects.unscoped().filter(study_uid=pseudonymous_uid(STUDY_UID)).exists():
            self.stdout.write("The demo study is already there.")
            return
        try:
            jonas = User.objects.get(email=JONAS)
            centre = institution("ERN-RND", "DE", CENTRE)
            patient = (
                Patient.objects.unscoped()
                .filter(
                    centre=centre, hospital_number_index=hospital_number_index(centre.pk, HOSPITAL_NUMBER)
                )
                .get()
            )
        except (User.DoesNotExist, Patient.DoesNotExist, OrganisationNode.DoesNotExist) as error:
            raise CommandError(
                "Load the demo people and patients first (load_demo_data, load_demo_patients)."
            ) from error
        synthetic = SyntheticStudy(
            patient=SyntheticPatient(
                name="HOFFMANN^KLARA", patient_id=HOSPITAL_NUMBER, birth_date="20090417"
            ),
            study_uid=STUDY_UID,
            description="MRI brain",
        )
        files = synthetic.series(slices=12, size=64, number=1, description="T1 axial")
        files += synthetic.series(slices=12, size=64, number=2, description="T2 axial")
        upload = Upload.objects.create(patient=patient, user=jonas, files_total=len(files))
        for index, data in enumerate(files):
            row = UploadFile.objects.create(
                upload=upload,
                client_key=file_key(upload.pk, f"demo/IM{index:04d}.dcm"),
                name=f"demo/IM{index:04d}.dcm",
                size_bytes=len(data),
                received_bytes=len(data),
                status=UploadFile.Status.RECEIVED,
            )
            write_chunk(upload.pk, row.pk, 0, data)
            row.temp_name = str(folder_of(upload.pk, row.pk))
            row.save(update_fields=["temp_name"])
        Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING)
        process_upload(upload.pk)
        study = Study.objects.unscoped().get(study_uid=pseudonymous_uid(STUDY_UID))
        panels = list(
            Panel.objects.unscoped()
            .filter(patient=patient, status=PanelStatus.OPEN)
            .values_list("pk", flat=True)
        )
        do_confirm_study(acting_user=jonas, study=study, panel_ids=panels[:1], allowed_panel_ids=panels)
        self.stdout.write(
            f"Demo study: {study.instance_count} images, {study.series_count} series for {patient.pseudonym}"
            f", shared with {len(panels[:1])} panel(s)."
        )
