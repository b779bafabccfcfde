-- 0001: the foundation schema: sessions, settings, the instance partition
-- and builds.

-- sessions holds one row per logged-in browser. The session id itself is
-- never stored: id_hash is its SHA-256. Times are Unix seconds.
CREATE TABLE sessions (
    id_hash   BLOB    PRIMARY KEY,
    csrf      TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;

-- settings is a small key/value store: "release" (the current software
-- release profile, workspace-relative), "password_hash" (argon2id, PHC
-- string format).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- partitions holds the instance partitions of the mini master; Webrunner
-- has exactly one, slappart0. parameters and connection are JSON objects.
CREATE TABLE partitions (
    name          TEXT PRIMARY KEY,
    state         TEXT NOT NULL DEFAULT 'started'
                  CHECK (state IN ('started', 'stopped', 'destroyed')),
    software_type TEXT NOT NULL DEFAULT 'default',
    parameters    TEXT NOT NULL DEFAULT '{}',
    connection    TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;

-- builds records every press of the play button. started and finished are
-- RFC 3339 UTC times; finished is NULL while the build runs; error is the
-- first error of the failing step, verbatim, or ''.
CREATE TABLE builds (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    target   TEXT NOT NULL CHECK (target IN ('all', 'software', 'instance')),
    state    TEXT NOT NULL
             CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
    profile  TEXT NOT NULL DEFAULT '',
    started  TEXT NOT NULL,
    finished TEXT,
    error    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX builds_state ON builds (state);
