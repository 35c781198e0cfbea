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
    # 3. The organization's structure (organizations.md §4–§6, §10): the root (one per
    # organization, its id kept on the organization; an existing organization's root id
    # is derived from its own id, unique as that is), OUs, every account's parent and
    # State timeline, create-account requests, tags of any resource, the root's enabled
    # policy types in the order they were enabled. Times are epoch milliseconds; the
    # State of an account and of a create-account request follow from the stored times
    # and the business clock (C3), so nothing needs a background worker.
    """
    ALTER TABLE organizations ADD COLUMN root_id TEXT;
    UPDATE organizations SET root_id = 'r-' || substr(id, 3) WHERE root_id IS NULL;
    CREATE UNIQUE INDEX organizations_by_root ON organizations (root_id);

    CREATE TABLE organizational_units (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        parent_id TEXT NOT NULL,
        name TEXT NOT NULL,
        depth INTEGER NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX ous_by_parent ON organizational_units (parent_id, created_at, id);
    CREATE INDEX ous_by_organization ON organizational_units (organization_id);

    ALTER TABLE accounts ADD COLUMN parent_id TEXT;
    UPDATE accounts SET parent_id = (
        SELECT o.root_id FROM organizations o WHERE o.id = accounts.organization_id
    ) WHERE organization_id IS NOT NULL;
    CREATE INDEX accounts_by_parent ON accounts (parent_id, joined_at, id);
    ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'ACTIVE';
    ALTER TABLE accounts ADD COLUMN closed_at BIGINT;
    ALTER TABLE accounts ADD COLUMN suspends_at BIGINT;
    ALTER TABLE accounts ADD COLUMN closes_at BIGINT;
    ALTER TABLE accounts ADD COLUMN departs_at BIGINT;
    ALTER TABLE accounts ADD COLUMN create_request_id TEXT;

    CREATE TABLE create_account_requests (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        account_name TEXT NOT NULL,
        email TEXT NOT NULL,
        requested_at BIGINT NOT NULL,
        completes_at BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        failure_reason TEXT,
        account_id TEXT,
        role_name TEXT,
        iam_user_access_to_billing TEXT,
        tags TEXT
    );
    CREATE INDEX create_account_requests_by_organization
        ON create_account_requests (organization_id, requested_at, id);

    CREATE TABLE tags (
        resource_id TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        tag_value TEXT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (resource_id, tag_key)
    );

    CREATE TABLE enabled_policy_types (
        organization_id TEXT NOT NULL,
        policy_type TEXT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (organization_id, policy_type)
    )
    """,
    # 4. Accounts whose departure is due (A21) are found before every transaction: by an
    # index, not a scan, whatever the number of accounts.
    """
    CREATE INDEX accounts_by_departure ON accounts (departs_at)
    """,
    # 5. Policies and effective policies (organizations.md §7, §8), trusted access,
    # delegated administrators and the delegation policy (§9).
    #
    # `policies` holds customer policies only: the AWS-managed ones (P10) are the same in
    # every organization and are not stored, but their attachments are. An attachment's
    # `seq` numbers the organization's attachments in the order they were made (P15,
    # P16, E4); writers hold the organization's lock, and where two could tie (an
    # account's creation settling without it) listings break the tie by id. `policy_target_changes` keeps, per target and type, when an attachment
    # or detachment last happened there, and `accounts.moved_at` when the account last
    # moved: with `policies.content_changed_at` they make E8's LastUpdatedTimestamp.
    # `effective_policy_errors` are injected validation errors (E11, fixtures only).
    # `resource_policies` is the delegation policy, one per organization (D11).
    """
    CREATE TABLE policies (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        policy_type TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        content_changed_at BIGINT NOT NULL
    );
    CREATE INDEX policies_by_type
        ON policies (organization_id, policy_type, created_at, id);
    CREATE UNIQUE INDEX policies_by_name ON policies (organization_id, policy_type, name);

    CREATE TABLE policy_attachments (
        organization_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        policy_id TEXT NOT NULL,
        policy_type TEXT NOT NULL,
        seq BIGINT NOT NULL,
        attached_at BIGINT NOT NULL,
        PRIMARY KEY (target_id, policy_id)
    );
    CREATE INDEX attachments_by_target ON policy_attachments (target_id, policy_type, seq);
    CREATE INDEX attachments_by_policy
        ON policy_attachments (organization_id, policy_id, seq);
    CREATE INDEX attachments_by_seq ON policy_attachments (organization_id, seq);

    CREATE TABLE policy_target_changes (
        target_id TEXT NOT NULL,
        policy_type TEXT NOT NULL,
        changed_at BIGINT NOT NULL,
        PRIMARY KEY (target_id, policy_type)
    );
    ALTER TABLE accounts ADD COLUMN moved_at BIGINT;

    CREATE TABLE effective_policy_errors (
        organization_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        policy_type TEXT NOT NULL,
        seq INTEGER NOT NULL,
        error_code TEXT NOT NULL,
        error_message TEXT NOT NULL,
        path_to_error TEXT NOT NULL,
        contributing_policies TEXT NOT NULL,
        PRIMARY KEY (account_id, policy_type, seq)
    );
    CREATE INDEX effective_errors_by_type
        ON effective_policy_errors (organization_id, policy_type, account_id);

    CREATE TABLE enabled_services (
        organization_id TEXT NOT NULL,
        service_principal TEXT NOT NULL,
        enabled_at BIGINT NOT NULL,
        PRIMARY KEY (organization_id, service_principal)
    );

    CREATE TABLE delegated_administrators (
        organization_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        service_principal TEXT NOT NULL,
        registered_at BIGINT NOT NULL,
        PRIMARY KEY (organization_id, account_id, service_principal)
    );
    CREATE INDEX delegated_by_service ON delegated_administrators
        (organization_id, service_principal, registered_at, account_id);

    CREATE TABLE resource_policies (
        organization_id TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        content TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    )
    """,
    # 6. A18's fixture flag: an account that could not stand alone (no verified phone)
    # cannot leave or be removed; 1 for every account but those a seed marks.
    """
    ALTER TABLE accounts ADD COLUMN standalone_ready INTEGER NOT NULL DEFAULT 1
    """,
    # 7. Responsibility transfers (organizations.md §11, X1–X12): one row per transfer,
    # both organizations' view of it (X6). The invited organization is the source, the
    # inviting one the target (X1); `status` is what was answered or done (REQUESTED,
    # ACCEPTED, DECLINED, CANCELED, WITHDRAWN), and what time does to it (EXPIRED once
    # its handshake's expiry, StartTimestamp − 24 h, has come; ended once `end_at` has
    # come; gone after X11's retention) is worked out on the business clock when read
    # (C3). Listings read by either side's organization in (created_at, id) order (L3).
    """
    CREATE TABLE responsibility_transfers (
        id TEXT PRIMARY KEY,
        transfer_type TEXT NOT NULL,
        name TEXT NOT NULL,
        source_organization_id TEXT NOT NULL,
        source_account_id TEXT NOT NULL,
        target_organization_id TEXT NOT NULL,
        target_account_id TEXT NOT NULL,
        handshake_id TEXT NOT NULL UNIQUE,
        start_at BIGINT NOT NULL,
        end_at BIGINT,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        status_changed_at BIGINT NOT NULL
    );
    CREATE INDEX transfers_by_source
        ON responsibility_transfers (source_organization_id, created_at, id);
    CREATE INDEX transfers_by_target
        ON responsibility_transfers (target_organization_id, created_at, id)
    """,
]
