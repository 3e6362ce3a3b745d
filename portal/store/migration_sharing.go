package store

// schemaSharing holds the tables for sharing, secure downloads, family
// members, study matching and retention. Each feature keeps its schema in
// a file of its own so the migrations list stays in one place.
//
// Share tokens and codes, download links and codes, share unlocks and
// invitation tokens are kept only as SHA-256 hashes, share passwords as
// argon2id PHC strings. Counters of wrong guesses only ever grow.
const schemaSharing = `
-- Settings per organisation: the institution a study comes from, by the
-- DICOM Institution Name (0008,0080), matched without regard to case.
-- NULL retention takes the server's default.
CREATE TABLE organisations (
	id                      INTEGER PRIMARY KEY,
	name                    TEXT NOT NULL COLLATE NOCASE UNIQUE,
	downloads               INTEGER NOT NULL DEFAULT 1,
	upload_retention_days   INTEGER,
	hospital_retention_days INTEGER,
	report_release_hours    INTEGER, -- NULL: the server's report release delay
	updated_at              INTEGER NOT NULL
);

-- What the portal read from a study's DICOM attributes to match it to
-- accounts and to apply its organisation's settings. hospital is 1 for a
-- study a hospital system pushed, 0 for a patient's upload.
CREATE TABLE study_identity (
	study_uid   TEXT PRIMARY KEY,
	patient_id  TEXT NOT NULL DEFAULT '',
	issuer      TEXT NOT NULL DEFAULT '',
	other_ids   TEXT NOT NULL DEFAULT '', -- normalised, space separated
	birth_date  TEXT NOT NULL DEFAULT '', -- YYYYMMDD
	phones      TEXT NOT NULL DEFAULT '', -- last ten digits, space separated
	name        TEXT NOT NULL DEFAULT '', -- DICOM person name
	accession   TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
	study_date  TEXT NOT NULL DEFAULT '',
	institution TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
	description TEXT NOT NULL DEFAULT '',
	hospital    INTEGER NOT NULL DEFAULT 0,
	match_state TEXT NOT NULL DEFAULT 'pending'
		CHECK (match_state IN ('pending', 'matched', 'unmatched', 'ambiguous', 'invited', 'upload')),
	read_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX study_identity_patient ON study_identity (patient_id, issuer);
CREATE INDEX study_identity_accession ON study_identity (accession);

-- The people of an account: the holder ('self') and family members.
CREATE TABLE members (
	id           INTEGER PRIMARY KEY,
	holder_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	birth_date   TEXT NOT NULL DEFAULT '', -- YYYYMMDD
	id_number    TEXT NOT NULL DEFAULT '', -- national ID, normalised
	phone_key    TEXT NOT NULL DEFAULT '', -- last ten digits
	relationship TEXT NOT NULL CHECK (relationship IN ('self', 'spouse', 'child', 'parent', 'sibling', 'ward', 'other')),
	guardian     INTEGER NOT NULL DEFAULT 0,
	consent      INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX members_self ON members (holder_id) WHERE relationship = 'self';
CREATE INDEX members_holder ON members (holder_id);
CREATE INDEX members_id_number ON members (id_number) WHERE id_number != '';
CREATE INDEX members_phone ON members (phone_key) WHERE phone_key != '';

-- Patient IDs (with their issuer) known to be a member's, from a manual
-- match or an accepted invitation: later studies with them match at once.
CREATE TABLE member_patient_ids (
	patient_id TEXT NOT NULL,
	issuer     TEXT NOT NULL DEFAULT '',
	member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	source     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (patient_id, issuer, member_id)
) WITHOUT ROWID;
CREATE INDEX member_patient_ids_member ON member_patient_ids (member_id);

CREATE TABLE member_studies (
	member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	study_uid  TEXT NOT NULL,
	reason     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (member_id, study_uid)
) WITHOUT ROWID;
CREATE INDEX member_studies_study ON member_studies (study_uid);

-- The member a session is looking at; none: everyone of the account.
CREATE TABLE member_selection (
	session_hash TEXT PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
	member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE shares (
	id               INTEGER PRIMARY KEY,
	token_hash       TEXT NOT NULL UNIQUE,
	code_hash        TEXT NOT NULL UNIQUE,
	study_uid        TEXT NOT NULL,
	owner_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	label            TEXT NOT NULL DEFAULT '',
	password_hash    TEXT NOT NULL DEFAULT '',
	allow_download   INTEGER NOT NULL DEFAULT 0,
	include_report   INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	expires_at       INTEGER NOT NULL,
	revoked_at       INTEGER,
	revoked_by       TEXT NOT NULL DEFAULT '',
	failed_passwords INTEGER NOT NULL DEFAULT 0,
	opens            INTEGER NOT NULL DEFAULT 0,
	first_opened_at  INTEGER,
	last_opened_at   INTEGER
);
CREATE INDEX shares_study ON shares (study_uid);
CREATE INDEX shares_owner ON shares (owner_id, created_at);

-- A browser that gave a share's password: the cookie holds the id.
CREATE TABLE share_unlocks (
	id_hash    TEXT PRIMARY KEY,
	share_id   INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Download links of originals, each guarded by a security code sent to
-- the account.
CREATE TABLE downloads (
	id           INTEGER PRIMARY KEY,
	token_hash   TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	study_uid    TEXT NOT NULL,
	code_hash    TEXT NOT NULL,
	sent_to      TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	failed_codes INTEGER NOT NULL DEFAULT 0,
	verified_at  INTEGER,
	fetched      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX downloads_user ON downloads (user_id, created_at);

-- Account invitations for patients of hospital-pushed studies.
CREATE TABLE invitations (
	id          INTEGER PRIMARY KEY,
	token_hash  TEXT NOT NULL UNIQUE,
	patient_id  TEXT NOT NULL,
	issuer      TEXT NOT NULL DEFAULT '',
	name        TEXT NOT NULL DEFAULT '',
	birth_date  TEXT NOT NULL DEFAULT '',
	phone       TEXT NOT NULL,
	study_uid   TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	accepted_at INTEGER,
	user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_patient ON invitations (patient_id, issuer);

-- Studies an admin exempted from retention.
CREATE TABLE study_keep (
	study_uid TEXT PRIMARY KEY,
	kept_by   TEXT NOT NULL,
	kept_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Admin search of the audit trail by action and by time.
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_at ON audit (at);
`
