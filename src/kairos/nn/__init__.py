"""Small torch models shared by several pillars (imported lazily: torch is heavy).

Each model lives in its own module, e.g. a decoder-only transformer with a KV
cache used by the cost pillar's calibration and by the byte-level compressor.
"""
