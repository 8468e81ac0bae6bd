"""Operating the event store: backup, restore, copy between engines, archive, verify.

The stored events are read and written row for row (position, originator id and version, topic,
state bytes), so a copy keeps every position and the log's digest (``projections/digest.py``).
"""
