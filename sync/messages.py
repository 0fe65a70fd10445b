"""What the sync core tells the shopkeeper: a stable code the interface translates.

The core imports no Qt, so it cannot call ``tr()``. Each message it raises or
reports is a ``CoreMessage``: a ``str`` (the French default, for logs and for
callers without an interface) that also carries ``code`` and ``params``; the
interface maps the code to its own translated sentence
(``posapp/ui/core_messages.py``). Library exception text never goes into a
message: callers log it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CoreMessage", "SYNC_MESSAGES", "sync_message", "REFUSAL_CODES"]


class CoreMessage(str):
    """A French sentence that says what to do, plus the code and parameters to translate it."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> CoreMessage:
        self = super().__new__(cls, text.format(**params))
        self.code = code
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy/pickle keep the code
        return (_rebuild, (self.code, str(self), self.params))


def _rebuild(code: str, text: str, params: dict[str, Any]) -> CoreMessage:
    message = str.__new__(CoreMessage, text)
    message.code, message.params = code, params
    return message


# code → French default text ({placeholders} filled from the params).
SYNC_MESSAGES: dict[str, str] = {
    "sync.offline": "Pas de connexion à la place de marché : vérifiez la connexion Internet de la"
                    " boutique. Les commandes continuent ici et partiront au retour du réseau.",
    "sync.timeout": "La place de marché ne répond pas : nouvel essai automatique. Si cela dure,"
                    " vérifiez la connexion Internet de la boutique.",
    "sync.server_down": "La place de marché est en panne (erreur {status}) : nouvel essai"
                        " automatique, rien n’est perdu.",
    "sync.bad_answer": "Réponse illisible de la place de marché : nouvel essai automatique. Si"
                       " cela dure, prévenez la place de marché.",
    "sync.refused": "La place de marché a refusé la demande (erreur {status}) : si cela se"
                    " répète, prévenez la place de marché.",
    "sync.pairing_code": "Code d’appairage inconnu, expiré ou déjà utilisé : demandez un"
                         " nouveau code à la place de marché.",
    "sync.unauthorized": "La place de marché ne reconnaît plus ce comptoir (jeton révoqué ou"
                         " invalide) : appairez-le de nouveau. Les changements en attente sont"
                         " conservés.",
    "sync.insecure_url": "Connexion non chiffrée refusée : l’adresse de la place de marché doit"
                         " commencer par https:// (http:// n’est accepté que vers cet"
                         " ordinateur, 127.0.0.1).",
    "sync.bad_url": "Adresse de la place de marché invalide : elle doit commencer par https://.",
    "sync.partial_push": "La place de marché n’a pas tout pris : nouvel essai automatique.",
    "sync.internal": "Erreur interne de synchronisation : nouvel essai bientôt (détails dans le"
                     " journal).",
    "vault.unavailable": "Trousseau du système indisponible : déverrouillez le trousseau de votre"
                         " session, puis réessayez.",
    "vault.save_failed": "Impossible d’enregistrer le jeton dans le trousseau du système :"
                         " déverrouillez le trousseau de votre session, puis appairez de nouveau"
                         " ce comptoir avec un nouveau code.",
    # The keyring (sync/credentials.py, sync/pairing.py).
    "vault.plaintext": "Le trousseau configuré garde les secrets dans un fichier lisible :"
                       " Comptoir refuse d’y mettre son jeton. Installez ou activez le trousseau"
                       " du système (GNOME Keyring, KWallet…), puis réessayez.",
    "vault.token_revoked": "Le trousseau du système n’a pas pu garder le jeton d’accès : cet"
                           " appairage a été annulé auprès de la place de marché."
                           " Déverrouillez le trousseau (GNOME Keyring, KWallet…), puis demandez"
                           " un nouveau code d’appairage à la place de marché (le code utilisé"
                           " ne sert plus).",
    "vault.token_not_revoked": "Le trousseau du système n’a pas pu garder le jeton d’accès, et"
                               " l’appairage n’a pas pu être annulé : demandez à la place de"
                               " marché de retirer l’appareil « {device} » et un nouveau code"
                               " d’appairage, puis déverrouillez le trousseau et réessayez.",
}

# Server error codes (``{"error": {"code": ...}}``) that have a message of their own.
REFUSAL_CODES = {"invalid_pairing_code": "sync.pairing_code", "unauthorized": "sync.unauthorized"}


def sync_message(code: str, **params: Any) -> CoreMessage:
    return CoreMessage(code, SYNC_MESSAGES[code], **params)
