from django.apps import AppConfig


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
    verbose_name = "台账"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_create_role_groups, sender=self)


def _create_role_groups(sender, **kwargs) -> None:
    # Groups need the permissions that post_migrate has just created.
    from ledger.services.setup import ensure_role_groups

    ensure_role_groups()
