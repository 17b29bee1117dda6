"""The database work queues of the platform channels: inbound messages stored before the webhook
answers (store), claimed and completed one conversation at a time (inbox), replies and notices
queued and sent once (outbox), and the platforms' messaging windows (windows).

Every statement has a PostgreSQL form (postgres, hand-written for speed) and a portable
SQLAlchemy form (portable, SQLite and others); `backend.backend_for` picks one per database.
Nothing here is imported at package level, so `booking_core.db` can import a module of it lazily.
"""
