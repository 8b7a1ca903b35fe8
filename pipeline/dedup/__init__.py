"""De-duplication steps: which records are written.

    exact.StateDedup   runs: new or changed text is written, unchanged text and text
                       already seen under another URL are not (by content hash, in
                       the state store), with each record staged in the outbox

Saved files and archives are taken as given (`pipeline.runner.WriteAll`).
"""
