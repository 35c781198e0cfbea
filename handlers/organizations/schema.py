"""The Organizations tables. Timestamps are epoch milliseconds (AWS's precision).

Migrations are applied in order and never edited once released (`runtime.database`):
a change is a new script at the end.
"""

MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        organization_id TEXT,
        joined_method TEXT,
        joined_at BIGINT,
        tags TEXT
    );
    CREATE INDEX accounts_by_organization ON accounts (organization_id, joined_at, id);
    CREATE INDEX accounts_by_email ON accounts (email);

    CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        management_account_id TEXT NOT NULL UNIQUE,
        feature_set TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );

    CREATE TABLE handshakes (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        notes TEXT,
        tags TEXT,
        parent_id TEXT,
        requested_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        state_changed_at BIGINT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX handshakes_by_organization ON handshakes (organization_id, requested_at, id);
    CREATE INDEX handshakes_by_target ON handshakes (target_id, requested_at, id);
    CREATE INDEX handshakes_by_parent ON handshakes (parent_id)
    """,
    # 2. The runtime keeps its own keys (the page-token secret) in `botogen_meta`, created
    # before any migration runs: the secret moves there, so that page tokens issued
    # before the upgrade stay valid, and the service's own `meta` table goes.
    """
    INSERT INTO botogen_meta (key, value)
        SELECT key, value FROM meta
        WHERE key NOT IN (SELECT key FROM botogen_meta);
    DROP TABLE meta
    """,
]
