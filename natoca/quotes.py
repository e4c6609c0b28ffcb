"""Quote matching against source fingerprints.

The source texts are under copyright and stay out of the repository. What the
repository keeps is a fingerprint of each text: the ordered list of short hashes
of its normalised word trigrams. A quote is found when the hashes of its own
trigrams occur there as one contiguous run, so a single changed word breaks the
match while line breaks, curly quotes, dashes and footnote digits do not.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

NGRAM = 3
HASH_BYTES = 3  # 24 bits: collisions stay rare at our text sizes, yet the hashes are ambiguous enough not to spell the text back
MIN_WORDS = NGRAM
MAX_WORDS = 25

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# An apostrophe (or the "?" left where one was lost) between letters joins the word: NATO's == NATO?s == NATOs.
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’‘`´?](?=[^\W\d_])")
_WORD = re.compile(r"[a-z0-9]+")
_DROP_SUPERSCRIPTS = {ord(c): None for c in _SUPERSCRIPTS}


def words(text: str) -> list[str]:
    """Normalise text to a list of lowercase ASCII words.

    Superscript footnote digits are dropped, quote marks and apostrophes are
    folded, dashes and all other punctuation separate words.
    """
    text = text.translate(_DROP_SUPERSCRIPTS)
    text = _INNER_APOSTROPHE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii() and any(unicodedata.combining(c) for c in set(text)):  # only then is there a mark to drop
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _WORD.findall(text.lower())


def gram_hash(gram: tuple[str, ...]) -> bytes:
    return hashlib.sha256(" ".join(gram).encode("ascii", "ignore")).digest()[:HASH_BYTES]


def grams(word_list: list[str]) -> list[bytes]:
    sha256 = hashlib.sha256  # gram_hash, inlined: this runs for every word of every quote
    return [sha256(" ".join(word_list[i:i + NGRAM]).encode("ascii", "ignore")).digest()[:HASH_BYTES] for i in range(len(word_list) - NGRAM + 1)]


@dataclass(frozen=True)
class Fingerprint:
    source: str
    hashes: bytes  # concatenated HASH_BYTES-long hashes, one per word position
    paragraphs: tuple[tuple[int, int], ...]  # body paragraphs as [first word, end word)

    @classmethod
    def from_json(cls, payload: dict) -> "Fingerprint":
        return cls(
            source=payload["source"],
            hashes=base64.b64decode(payload["grams"]),
            paragraphs=tuple((int(a), int(b)) for a, b in payload["paragraphs"]),
        )

    def locate(self, quote: str) -> int | None:
        """Word offset where the quote starts in the text, or None."""
        return self.locate_words(words(quote))

    def locate_words(self, quote_words: list[str]) -> int | None:
        """locate() for a quote already split by words()."""
        needle = b"".join(grams(quote_words))
        if not needle:
            return None
        start = self.hashes.find(needle)
        while start != -1 and start % HASH_BYTES:
            start = self.hashes.find(needle, start + 1)
        return None if start == -1 else start // HASH_BYTES

    def paragraph_of(self, offset: int) -> int | None:
        for index, (first, end) in enumerate(self.paragraphs):
            if first <= offset < end:
                return index
        return None


def load_fingerprints(folder: Path) -> dict[str, Fingerprint]:
    fingerprints = {}
    for path in sorted(folder.glob("*.json")):
        fingerprint = Fingerprint.from_json(json.loads(path.read_text(encoding="utf-8")))
        fingerprints[fingerprint.source] = fingerprint
    return fingerprints
