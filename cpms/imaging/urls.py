from django.urls import path

from .views import intake, viewer

app_name = "imaging"
urlpatterns = [
    # -- intake: uploads, files in chunks, progress, the preview, masking and confirming (views/intake.py)
    path("imaging/patients/<str:pseudonym>/upload/", intake.upload_new, name="upload-new"),
    path("imaging/panels/<int:panel>/upload/", intake.panel_upload_new, name="panel-upload-new"),
    path("imaging/uploads/<int:upload>/", intake.upload_progress, name="upload-progress"),
    path("imaging/uploads/<int:upload>/files/", intake.upload_files, name="upload-files"),
    path("imaging/uploads/<int:upload>/files/<int:file>/", intake.upload_chunk, name="upload-chunk"),
    path("imaging/uploads/<int:upload>/finish/", intake.upload_finish, name="upload-finish"),
    path("imaging/studies/<int:study>/review/", intake.study_review, name="study-review"),
    path(
        "imaging/studies/<int:study>/series/<int:series>/preview.png",
        intake.series_preview,
        name="series-preview",
    ),
    path("imaging/studies/<int:study>/series/<int:series>/mask/", intake.series_mask, name="series-mask"),
    path("imaging/studies/<int:study>/confirm/", intake.study_confirm, name="study-confirm"),
    # -- viewer: study lists, the viewer, the image endpoint, annotations (views/viewer.py)
    path("panels/<int:panel>/images/", viewer.panel_study_list, name="panel-studies"),
    path("studies/<int:study>/viewer/", viewer.study_viewer, name="study-viewer"),
    path("studies/<int:study>/instances/<int:instance>/", viewer.instance_file, name="instance-file"),
    path(
        "studies/<int:study>/instances/<int:instance>/preview.png",
        viewer.instance_preview,
        name="instance-preview",
    ),
    path("studies/<int:study>/annotations/", viewer.annotation_list, name="annotation-list"),
    path(
        "studies/<int:study>/annotations/<int:annotation>/",
        viewer.annotation_detail,
        name="annotation-detail",
    ),
]
