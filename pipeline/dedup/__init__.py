"""De-duplication steps: which records are written.

    exact.judge        runs: new or changed text is written, unchanged text and text
                       already seen under another URL are not (by content hash, in
                       the state store); the run's ledger (pipeline/ledger.py) acts
                       on the judgement and stages each record in the outbox
    near.NearDuplicates  the near-duplicate index beside the state store: a
                       syndicated copy of an earlier article, or a repost with its
                       own intro and footer (MinHash LSH over word 5-grams)

Saved files and archives are taken as given (`pipeline.ledger.Ledger`).

    from pipeline.dedup.near import NearDuplicates, near_path
    with NearDuplicates.open(near_path(state_path), settings) as index:
        match = index.check(record.id, record.text)   # Match | None
        index.add(record.id, record.text)             # for each record written

`near` is imported on its own (not from here) because its signatures need numpy,
start-up time that a job without near-duplicates need not pay.
"""
