from comptoir.common.exceptions import Conflict, InvalidInput, NotFound, PayloadTooLarge, PermissionDenied

__all__ = ["Conflict", "InvalidInput", "NotFound", "PayloadTooLarge", "PermissionDenied", "AttachmentRefused"]


class AttachmentRefused(InvalidInput):
    """An uploaded file broke a size or type rule; the message says which, in the user's language."""


class AttachmentTooLarge(AttachmentRefused, PayloadTooLarge):
    status_code = 413
