from django.urls import path  # noqa: F401

app_name = "imaging"
urlpatterns = [
    # -- intake: uploads, files in chunks, progress, the preview, masking and confirming (views/intake.py)
    # -- viewer: study lists, the viewer, the image endpoint, annotations (views/viewer.py)
]
