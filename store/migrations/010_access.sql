-- Access control and compliance records (issue 7; CJJIS ALPR guidelines 2, 5, 6, 7).
-- ClickHouse has no transactions, so every mutable record is an append-only series of
-- versions (ReplacingMergeTree(version), read with FINAL or argMax): the latest version is
-- the state, the older ones are the history the guidelines ask agencies to keep.
-- None of these tables has a TTL: read retention never purges compliance records.

-- Designated users and service accounts. Secrets only as hashes (scrypt, sha-256 for tokens).
CREATE TABLE IF NOT EXISTS users
(
    username String,
    version UInt64,
    kind LowCardinality(String),
    display_name String,
    roles Array(LowCardinality(String)),
    status LowCardinality(String),
    designated_by String,
    designated_at DateTime64(3, 'UTC'),
    password_hash String,
    totp_secret String,
    totp_enabled UInt8,
    token_hash String,
    enrol_token_hash String,
    enrol_expires DateTime64(3, 'UTC'),
    changed_by String,
    changed_at DateTime64(3, 'UTC'),
    change String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

-- Sign-in state, apart from users so that logins do not bury the designation history.
CREATE TABLE IF NOT EXISTS auth_state
(
    username String,
    version UInt64,
    failed_attempts UInt32,
    locked_until DateTime64(3, 'UTC'),
    totp_last_step Int64,
    last_login_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

-- Training records (guidelines 2a, 2f, 5c): course, completion, expiry.
CREATE TABLE IF NOT EXISTS training_records
(
    id UUID,
    version UInt64,
    username String,
    course String,
    completed_on Date,
    expires_on Date,
    recorded_by String,
    recorded_at DateTime64(3, 'UTC'),
    revoked UInt8,
    note String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (username, id);

-- The case registry that gates every search and export (guidelines 6e). case_key is the
-- normalised case number or name; active_intel marks active criminal intelligence or
-- investigative information (guidelines 2g), which is never released to a registered owner.
CREATE TABLE IF NOT EXISTS cases
(
    case_key String,
    version UInt64,
    case_ref String,
    title String,
    status LowCardinality(String),
    active_intel UInt8,
    plates Array(String),
    opened_by String,
    opened_at DateTime64(3, 'UTC'),
    changed_by String,
    changed_at DateTime64(3, 'UTC'),
    change String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY case_key;

-- The audit log (guidelines 7a, 7c): a hash chain, each entry's hash covering the one before.
CREATE TABLE IF NOT EXISTS audit_log
(
    seq UInt64,
    at DateTime64(3, 'UTC'),
    actor String,
    action LowCardinality(String),
    target Nullable(String),
    query String,
    case_ref Nullable(String),
    purpose Nullable(String),
    outcome LowCardinality(String),
    detail Nullable(String),
    ip Nullable(String),
    prev_hash String,
    hash String
)
ENGINE = MergeTree
ORDER BY seq;

-- Deployment authorisations (guidelines 2d, 5b, 5e); rescissions and changes are versions.
CREATE TABLE IF NOT EXISTS deployments
(
    id String,
    version UInt64,
    camera_id String,
    status LowCardinality(String),
    mode LowCardinality(String),
    location_desc String,
    lat Float64,
    lon Float64,
    public_view UInt8,
    purpose String,
    authorized_by String,
    authorized_at DateTime64(3, 'UTC'),
    valid_from DateTime64(3, 'UTC'),
    valid_until Nullable(DateTime64(3, 'UTC')),
    changed_by String,
    changed_at DateTime64(3, 'UTC'),
    change String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- Results and exceptions recorded against a deployment (guidelines 5e).
CREATE TABLE IF NOT EXISTS deployment_events
(
    id UUID,
    deployment_id String,
    at DateTime64(3, 'UTC'),
    kind LowCardinality(String),
    note String,
    recorded_by String
)
ENGINE = MergeTree
ORDER BY (deployment_id, at);

-- Every release of data to another agency or to a registered owner (guidelines 2g, 6c).
CREATE TABLE IF NOT EXISTS disseminations
(
    id UUID,
    at DateTime64(3, 'UTC'),
    kind LowCardinality(String),
    outcome LowCardinality(String),
    refusal String,
    recipient_agency String,
    recipient_person String,
    case_ref String,
    purpose String,
    authority String,
    plate String,
    query String,
    read_ids Array(String),
    sent_by String,
    notice_version String
)
ENGINE = MergeTree
ORDER BY at;

-- Findings of non-compliance and the action taken (guidelines 7d).
CREATE TABLE IF NOT EXISTS noncompliance
(
    id UUID,
    username String,
    at DateTime64(3, 'UTC'),
    recorded_by String,
    finding String,
    action String
)
ENGINE = MergeTree
ORDER BY (username, at);
