"""Backups that restore: `portal backup`, `portal backup --verify`, `portal restore`.

One archive (plain tar, written as a stream) holds the database snapshot, every stored
document, the outbox and, last, manifest.json: the portal's version, the migrations
applied, the row count of every table, and the size and SHA-256 of every other member.
A restore checks the whole archive against its manifest before it writes anything,
into an empty data dir, database and store only. See docs/DEPLOY.md "Backups".
"""
