from django.core.management.base import BaseCommand, CommandError

from cpms.audit.checkpoints import ChainNotIntact, checkpoint_file, write_checkpoint


class Command(BaseCommand):
    help = "Seal the audit events committed so far, verify them, and append a signed checkpoint of the chain."

    def handle(self, *args, **options):
        try:
            checkpoint = write_checkpoint()
        except ChainNotIntact as error:
            raise CommandError(f"No checkpoint written, the audit chain is not intact: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint at position {checkpoint.seq} ({checkpoint.hash[:16]}…) "
                f"written to {checkpoint_file()}."
            )
        )
