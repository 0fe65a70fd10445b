"""The core's messages (sync/, printing/) in the interface's language.

The core has no Qt: it reports stable codes (``sync.messages.CoreMessage``,
``printing.PrinterState``); here each code becomes a ``tr()`` sentence that
says what to do, so the English window shows no French sync error and the
French one no English printer state. Text from a library exception is never
shown: it goes to the log, and the shopkeeper reads a sentence of ours.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from posapp.ui import fmt
from posapp.ui.i18n import tr, trn

__all__ = ["app_text", "backup_texts", "core_text", "lasting", "user_text", "file_error_text", "printer_state_text", "refusal_text",
           "sync_texts", "printer_texts"]

log = logging.getLogger(__name__)

# Exceptions of these packages carry sentences written for the shopkeeper.
_OWN_PACKAGES = {"posapp", "sync", "printing"}


def sync_texts() -> dict[str, str]:
    """Code → translated text, for every code of ``sync.messages.SYNC_MESSAGES``."""
    return {
        "sync.offline": tr("No connection to the marketplace: check the shop's internet"
                           " connection. Orders keep working here and will be sent when the"
                           " network is back."),
        "sync.timeout": tr("The marketplace does not answer: trying again automatically. If it"
                           " lasts, check the shop's internet connection."),
        "sync.server_down": tr("The marketplace is down (error {status}): trying again"
                               " automatically, nothing is lost."),
        "sync.bad_answer": tr("Unreadable answer from the marketplace: trying again"
                              " automatically. If it lasts, tell the marketplace."),
        "sync.refused": tr("The marketplace refused the request (error {status}): if it happens"
                           " again, tell the marketplace."),
        "sync.pairing_code": tr("Pairing code unknown, expired or already used: ask the"
                                " marketplace for a new code."),
        "sync.unauthorized": tr("The marketplace no longer recognises this counter (token revoked"
                                " or invalid): pair it again. Changes waiting to be sent are"
                                " kept."),
        "sync.insecure_url": tr("Unencrypted connection refused: the marketplace address must"
                                " start with https:// (http:// is only accepted to this"
                                " computer, 127.0.0.1)."),
        "sync.bad_url": tr("Invalid marketplace address: it must start with https://."),
        "sync.partial_push": tr("The marketplace did not take everything: trying again"
                                " automatically."),
        "sync.internal": tr("Internal sync error: trying again soon (details in the log)."),
        "vault.unavailable": tr("The system keyring is unavailable: unlock the keyring of your"
                                " session, then try again."),
        "vault.save_failed": tr("The token could not be stored in the system keyring: unlock the"
                                " keyring of your session, then pair again with a new code."),
        "vault.plaintext": tr("The configured keyring keeps secrets in a readable file: Comptoir"
                              " will not put its token there. Install or enable the system"
                              " keyring (GNOME Keyring, KWallet…), then try again."),
        "vault.token_revoked": tr("The system keyring could not keep the access token: this"
                                  " pairing was cancelled at the marketplace. Unlock the keyring"
                                  " (GNOME Keyring, KWallet…), then ask the marketplace for a new"
                                  " pairing code (the one used is spent)."),
        "vault.token_not_revoked": tr("The system keyring could not keep the access token, and"
                                      " the pairing could not be cancelled: ask the marketplace"
                                      " to remove the device “{device}” and for a new pairing"
                                      " code, then unlock the keyring and try again."),
    }


def printer_texts() -> dict[str, str]:
    """``PrinterState.code`` → translated text."""
    return {
        "ready": tr("Printer ready"),
        "offline": tr("Printer unreachable: check it is switched on and connected"),
        "paper_out": tr("Out of paper: load a new roll"),
        "cover_open": tr("Printer cover open: close it"),
        "error": tr("Printer error: check its settings, then print a test ticket"),
    }


def backup_texts() -> dict[str, str]:
    """Codes of ``posapp.store.backup.BackupError`` (a file reason is added from ``errno``)."""
    return {
        "backup.same_file": tr("The backup must be another file than the database itself:"
                               " choose another name."),
        "backup.write_failed": tr("The backup could not be written to {folder}"),
        "backup.failed": tr("The backup failed (details in the log): try again, or choose"
                            " another folder."),
        "backup.unreadable": tr("{name} cannot be read"),
        "backup.not_sqlite": tr("{name} is not a database: choose a Comptoir backup (.db)."),
        "backup.not_comptoir": tr("{name} is not a Comptoir backup: choose another file."),
        "backup.newer": tr("{name} comes from a newer Comptoir: update Comptoir before restoring"
                           " it."),
        "backup.damaged": tr("{name} is unreadable or damaged: choose another backup."),
        "backup.busy": tr("The database is being written: stop sync and printing before"
                          " restoring."),
        "backup.still_open": tr("The database is still open (is Comptoir still running?): close"
                                " it before restoring."),
        "backup.restore_failed": tr("The restore failed (details in the log): the data did not"
                                    " change; try again."),
    }


def _with_file_reason(text: str, params: dict[str, Any]) -> str:
    """A ``backup.write_failed``/``unreadable`` sentence, ended by why the file failed."""
    code = params.pop("errno", None)
    reason = file_error_text(OSError(code, "")) if isinstance(code, int) else tr(
        "the disk refused (details in the log): try another place")
    return tr("{text}: {reason}.").format(text=text, reason=reason)


def order_texts() -> dict[str, str]:
    """Codes of the order decisions refused at the counter (``posapp.domain.orders``)."""
    return {
        "order.unknown": tr("This order is not on this counter any more: check the board."),
        "order.transition": tr("This order is already “{current}”: it cannot become “{target}”."
                               " Check it on the board."),
    }


# App messages (``posapp.app``) that ask the shopkeeper to act: their banner stays.
_LASTING = {"app.left_behind", "app.restore_dropped", "app.keyring"}


def lasting(message: Any) -> bool:
    return getattr(message, "code", None) in _LASTING


def app_text(code: str, params: dict[str, Any]) -> str | None:
    """The app's own messages (``posapp.app``): counts worded with ``trn``."""
    if code in ("app.left_behind", "app.restore_dropped"):
        unsent, sent = int(params.get("unsent") or 0), int(params.get("sent") or 0)
        parts = []
        if code == "app.restore_dropped":  # changes made since the backup, not in it
            if unsent:
                parts.append(trn("%n change made since the backup was never sent and the"
                                 " restore replaced it: enter it again.", unsent))
            if sent:
                parts.append(trn("%n change made since the backup was sent but its result was"
                                 " not confirmed: check on the marketplace before entering it"
                                 " again.", sent))
        else:
            if unsent:
                parts.append(trn("%n change was never sent to the previous shop: enter it"
                                 " again there.", unsent))
            if sent:
                parts.append(trn("%n change was sent to the previous shop but its result was"
                                 " not confirmed: check there before entering it again.", sent))
        if params.get("csv"):
            parts.append(tr("The list is in {p}.").format(p=params["csv"]))
        else:
            parts.append(tr("The list could not be written to a file: it stays in the database"
                            " and will be written at the next start."))
        if params.get("aside"):
            parts.append(tr("The previous shop's data is saved in {p}.").format(p=params["aside"]))
        return " ".join(parts)
    texts = {
        "app.saved_aside": tr("The previous shop's data is saved in {aside}."),
        "app.restored_other_shop": tr("This backup belongs to the shop {shop}: the counter"
                                      " syncs with that shop again."),
        "app.keyring": tr("The system keyring is unavailable: this counter works offline. Unlock"
                          " the keyring of your session (or log in again), then restart"
                          " Comptoir."),
    }
    template = texts.get(code)
    return template.format(**params) if template is not None else None


def core_text(message: Any) -> str:
    """A core message in the interface's language (plain text is returned as it is)."""
    if not message:
        return ""
    code = getattr(message, "code", None)
    if isinstance(code, str) and code.startswith("app."):
        try:
            text = app_text(code, dict(getattr(message, "params", {})))
        except (KeyError, IndexError, ValueError):
            log.exception("app message %s", code)
            text = None
        return text if text is not None else str(message)
    if isinstance(code, str) and code.startswith("refusal."):  # checked like the marketplace
        return refusal_text(code.removeprefix("refusal."), str(message))
    texts = {**sync_texts(), **order_texts(), **backup_texts()}
    template = texts.get(code) if isinstance(code, str) else None
    if template is None:
        return str(message)
    params = dict(getattr(message, "params", {}))
    if code in ("backup.write_failed", "backup.unreadable"):
        template = _with_file_reason(template, params)
    for key in ("current", "target"):  # statuses read as the board shows them
        if key in params:
            params[key] = fmt.status_label(str(params[key]))
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        log.exception("core message %s", code)
        return str(message)


def user_text(exc: BaseException) -> str:
    """What to show for an exception: our own sentence, never a library's text."""
    if isinstance(exc, OSError) and exc.filename is not None:  # a file, not a socket
        return file_error_text(exc)
    first = exc.args[0] if exc.args else None
    if hasattr(first, "code"):  # raised with a CoreMessage (sync/messages.py)
        return core_text(first)
    if type(exc).__module__.split(".")[0] in _OWN_PACKAGES and str(exc):
        return core_text(str(exc))
    log.warning("shown as a generic error: %r", exc)
    return tr("Unexpected error (details in the log): try again; if it happens again, restart"
              " Comptoir.")


def printer_state_text(state: Any) -> str:
    code = getattr(state, "code", None)
    return printer_texts().get(code, "") if isinstance(code, str) else ""


def file_error_text(exc: OSError) -> str:
    """Why a file could not be read or written, and what to do (the OS's text is logged)."""
    log.info("file error: %r", exc)
    code = exc.errno
    if code == errno.ENOENT:
        return tr("the file or folder does not exist: choose another one")
    if code in (errno.EACCES, errno.EPERM):
        return tr("no permission to use this place: choose another folder")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return tr("the disk is full: free some space or choose another disk")
    if code == errno.EROFS:
        return tr("this disk is read-only: choose another one")
    if code == errno.EISDIR:
        return tr("this is a folder, not a file: choose a file")
    return tr("the disk refused (details in the log): try another place")


def refusal_text(code: str | None, message: str | None = None) -> str:
    """Why the marketplace refused one change (push result codes, docs/PROTOCOL.md)."""
    texts = {
        "unknown_mutation": tr("the marketplace does not know this kind of change: update"
                               " Comptoir"),
        "bad_args": tr("the change was incomplete: do it again; if it is refused again, tell"
                       " the marketplace"),
        "unknown_order": tr("the marketplace does not know this order: check it in its back"
                            " office"),
        "unknown_sku": tr("the marketplace does not know this product: check the catalogue"),
        "illegal_transition": tr("the order had already changed on the marketplace (cancelled or"
                                 " refused?): check its status on the board"),
        "out_of_stock": tr("the marketplace has no stock left for it: count the stock again"),
    }
    if code in texts:
        return texts[code]
    log.info("refusal without a sentence of ours: %s %s", code, message)
    return tr("refused by the marketplace (code {c}): tell the marketplace if it happens"
              " again").format(c=code or "?")
