"""Similar past alarms by 48-bit hash code (deep hashing, ``models.zoo.hashing``).

``CropHasher`` runs the shipped hashing model (``models/default/hashing.onnx``) on registered
crops; ``HashCodeStore`` caches each alarm's code in the alarm database (table
``alarm_hash_codes``); ``SimilarAlarms`` ranks the other alarms by Hamming distance.
"""

from service.similar.codes_table import HashCodeStore, alarm_hash_codes
from service.similar.finder import SimilarAlarms, SimilarResult
from service.similar.hasher import (
    HASHING_MODEL_PATH,
    CropHasher,
    HashingUnavailableError,
    hamming,
)

__all__ = [
    "HASHING_MODEL_PATH",
    "CropHasher",
    "HashCodeStore",
    "HashingUnavailableError",
    "SimilarAlarms",
    "SimilarResult",
    "alarm_hash_codes",
    "hamming",
]
