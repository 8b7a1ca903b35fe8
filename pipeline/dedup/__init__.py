"""De-duplication across runs beyond identical text.

Exact duplicates (the same content hash) are the state store's (`pipeline.state`);
this package finds near-duplicates: a syndicated copy of an earlier article, or a
repost with its own intro and footer. See `pipeline/dedup/near.py` for what
counts as one, the parameters and the file.

    with NearDuplicates.open(near_path(state_path), settings) as index:
        match = index.check(record.id, record.text)   # Match | None
        index.add(record.id, record.text)             # once the record is written
"""

from pipeline.dedup.near import (
    DEFAULT_NEAR_SETTINGS,
    Match,
    NearDuplicates,
    NearSettings,
    NearStats,
    Signature,
    band_split,
    near_path,
    signature,
    tokens,
)

__all__ = [
    "DEFAULT_NEAR_SETTINGS",
    "Match",
    "NearDuplicates",
    "NearSettings",
    "NearStats",
    "Signature",
    "band_split",
    "near_path",
    "signature",
    "tokens",
]
