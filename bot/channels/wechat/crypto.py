"""WeChat callback signatures (checked in constant time) and safe-mode AES, via wechatpy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from wechatpy.crypto import PrpCrypto  # untyped: confined to this module
from wechatpy.exceptions import InvalidAppIdException

__all__ = ["BadAppId", "BadCiphertext", "WechatCipher", "sign", "signature_ok"]


class BadCiphertext(ValueError):
    """An Encrypt value that does not decrypt to a well-formed message."""


class BadAppId(ValueError):
    """A message that decrypts, but was encrypted for another account."""


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_ok(given: str | None, *parts: str) -> bool:
    """Whether a signature from a query string matches, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.lower().encode(), sign(*parts).encode())


class _Prp(PrpCrypto):  # type: ignore[misc]  # wechatpy is untyped
    """wechatpy's cipher with a cryptographically random 16-byte prefix."""

    def get_random_string(self) -> str:
        """16 characters from `secrets` (wechatpy's own use `random.sample`)."""
        return secrets.token_hex(8)


class WechatCipher:
    """AES-256-CBC of safe mode: key from the EncodingAESKey, appid at the tail."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self._prp = _Prp(_aes_key(encoding_aes_key))
        self.app_id = app_id

    def decrypt(self, encrypted: str) -> str:
        """The XML inside an Encrypt value; BadAppId / BadCiphertext when it is not ours."""
        try:
            return str(self._prp.decrypt(encrypted, self.app_id))
        except InvalidAppIdException:
            raise BadAppId("message encrypted for another appid") from None
        except Exception:  # wechatpy surfaces bad input as assorted errors
            raise BadCiphertext("undecryptable Encrypt value") from None

    def encrypt(self, xml: str) -> str:
        """Base64 ciphertext of an XML reply (random prefix, length, xml, appid)."""
        return bytes(self._prp.encrypt(xml, self.app_id)).decode()


def _aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key an EncodingAESKey (43 base64 characters) stands for."""
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key
