from django.core.management.base import BaseCommand, CommandError

from cpms.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain against the signed checkpoints: from the newest "
        "checkpoint (incremental, the default) or from the first event (--full)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="verify every event, not only those since the newest checkpoint",
        )

    def handle(self, *args, full=False, **options):
        report = verify_chain(full=full)
        if not report.intact:
            raise CommandError("\n".join(f"Audit chain {problem.message}" for problem in report.problems))
        since = (
            f"since the checkpoint at position {report.start_seq}" if report.start_seq else "from the first"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.last_seq} events ({report.checked} verified {since}, "
                f"{report.checkpoints} checkpoints, {report.pending} not sealed yet)."
            )
        )
