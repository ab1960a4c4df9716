"""The one error hierarchy for ledger import: every message is for the user."""


class LedgerImportError(Exception):
    """Base class: a ledger file that cannot be imported, with a Chinese message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnsupportedFileError(LedgerImportError):
    """Extension or content is not a .docx, .xlsx or .pdf ledger."""


class CorruptFileError(LedgerImportError):
    """The file is damaged, truncated, encrypted or a zip bomb."""


class FileTooLargeError(LedgerImportError):
    """The file is over the configured size limit."""


class NoLedgerError(LedgerImportError):
    """The file opens but holds no recognisable ledger table."""


class NoTextLayerError(LedgerImportError):
    """A scanned PDF without a text layer."""


class PeriodMissingError(LedgerImportError):
    """No period in the title or file name and none given."""


class LedgerNotFoundError(LedgerImportError):
    """--ledger names a ledger that does not exist."""


class BadPeriodError(LedgerImportError):
    """--period cannot be understood."""


class ImportFileMissingError(LedgerImportError):
    """The file to import is not there."""
