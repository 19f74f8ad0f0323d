"""The hpo3 Ontology, built from the same HPO release as the tables (data/hpo), for similarity.

hpo3 reads plain files from a folder; data/hpo ships them compressed. They are decompressed once
into VAR_DIR/hpo/<version>/ (into a temporary folder first, then renamed: a half-written folder is
never read), and the Ontology is built once per process (~1.4 s).
"""

import lzma
import shutil
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings

from .sources import HPO_DIR, HPO_FILES, hpo_version


def hpo_folder() -> Path:
    """VAR_DIR/hpo/<version>/ with the decompressed release files, created if missing."""
    target = Path(settings.VAR_DIR) / "hpo" / hpo_version()
    if all((target / name).exists() for name in HPO_FILES):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        for name in HPO_FILES:
            with lzma.open(HPO_DIR / f"{name}.xz") as source, open(staging / name, "wb") as out:
                shutil.copyfileobj(source, out, length=1 << 20)
        try:
            staging.rename(target)
        except OSError:  # another process got there first (or a partial folder from a crash)
            if not all((target / name).exists() for name in HPO_FILES):
                shutil.rmtree(target, ignore_errors=True)
                staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@cache
def ontology():
    """hpo3's Ontology of the loaded release (`from pyhpo import Ontology` is a process-wide object)."""
    from pyhpo import Ontology

    Ontology(str(hpo_folder()), transitive=True)
    return Ontology
