"""How long generating ten recovery codes and spending one take (keyed hash vs the old Argon2 hash).

No database: hashes only. Prints the median of 5 runs of each.

    uv run python bench/bench_recovery_codes.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["CPMS_EMBEDDED"] = "1"
os.environ["CPMS_VAR_DIR"] = tempfile.mkdtemp(prefix="cpms-bench-")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402

from cpms.identity.actions.recovery import code_hash, matches, new_code, normalized  # noqa: E402
from cpms.identity.models import User  # noqa: E402


def median_ms(work, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    user = User(pk=1)
    codes = [normalized(new_code()) for _ in range(10)]
    keyed = [code_hash(user, code) for code in codes]
    argon = [make_password(code) for code in codes]
    print(f"generate 10, keyed HMAC-SHA256: {median_ms(lambda: [code_hash(user, c) for c in codes]):.3f} ms")
    print(f"generate 10, Argon2 (before):   {median_ms(lambda: [make_password(c) for c in codes]):.1f} ms")
    last = codes[-1]
    print(
        f"check the last of 10, keyed:    {median_ms(lambda: [matches(user, last, h) for h in keyed]):.3f} ms"
    )
    print(
        f"check the last of 10, Argon2:   {median_ms(lambda: [matches(user, last, h) for h in argon]):.1f} ms"
    )


if __name__ == "__main__":
    main()
