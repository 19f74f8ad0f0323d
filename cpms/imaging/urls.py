from django.urls import path  # noqa: F401

from .views import viewer

app_name = "imaging"
urlpatterns = [
    # -- intake: uploads, files in chunks, progress, the preview, masking and confirming (views/intake.py)
    # -- viewer: study lists, the viewer, the image endpoint, annotations (views/viewer.py)
    path("panels/<int:panel>/images/", viewer.panel_study_list, name="panel-studies"),
    path("studies/<int:study>/viewer/", viewer.study_viewer, name="study-viewer"),
    path("studies/<int:study>/instances/<int:instance>/", viewer.instance_file, name="instance-file"),
    path("studies/<int:study>/annotations/", viewer.annotation_list, name="annotation-list"),
    path(
        "studies/<int:study>/annotations/<int:annotation>/",
        viewer.annotation_detail,
        name="annotation-detail",
    ),
]
