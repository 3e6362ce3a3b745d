package store

// schemaReports holds the tables for radiology reports. Each feature keeps its
// schema in a file of its own so the migrations list stays in one place.
//
// A study has at most one report; its text lives in versions: version 1 is
// the original, later ones are addenda or amendments. At most one version
// is a draft at a time, and final versions never change.
const schemaReports = `
CREATE TABLE reports (
	study_uid    TEXT PRIMARY KEY,
	-- ready (unclaimed), claimed, draft, final, amended
	state        TEXT NOT NULL CHECK (state IN ('ready', 'claimed', 'draft', 'final', 'amended')),
	claimed_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	claimed_at   INTEGER,
	finalised_at INTEGER,          -- first signature
	release_at   INTEGER,          -- when patients may read it
	series_uid   TEXT NOT NULL DEFAULT '', -- the report series in the archive
	updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reports_claimed ON reports (claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE report_versions (
	study_uid      TEXT NOT NULL REFERENCES reports (study_uid) ON DELETE CASCADE,
	version        INTEGER NOT NULL,
	kind           TEXT NOT NULL CHECK (kind IN ('original', 'addendum', 'amendment')),
	status         TEXT NOT NULL CHECK (status IN ('draft', 'final')),
	clinical_history TEXT NOT NULL DEFAULT '',
	technique      TEXT NOT NULL DEFAULT '',
	comparison     TEXT NOT NULL DEFAULT '',
	findings       TEXT NOT NULL DEFAULT '',
	impression     TEXT NOT NULL DEFAULT '',
	recommendation TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '', -- an addendum's text, or why a report was amended
	critical       INTEGER NOT NULL DEFAULT 0,
	author_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	signed_at      INTEGER,
	signed_by      TEXT NOT NULL DEFAULT '', -- the signer's name as signed
	pdf            BLOB,                     -- the PDF as signed
	sop_uid        TEXT NOT NULL DEFAULT '', -- its Encapsulated PDF in the archive
	published_at   INTEGER,                  -- stored in the archive and patients told
	PRIMARY KEY (study_uid, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX report_versions_one_draft ON report_versions (study_uid) WHERE status = 'draft';
CREATE INDEX report_versions_unpublished ON report_versions (signed_at) WHERE status = 'final' AND published_at IS NULL;

-- Settings an admin changes without a restart (release delay, who hears
-- of critical findings); absent keys fall back to the server's flags.
CREATE TABLE report_settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Notifications (email, SMS): every message is written here first and
-- delivered from here, so none is lost when a mail server is down, and the
-- demo without one can still show what would have been sent.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	recipient  TEXT NOT NULL,
	subject    TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL,
	kind       TEXT NOT NULL,            -- report.final, report.critical, ...
	study_uid  TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'logged', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	sent_at    INTEGER,
	error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_pending ON notifications (id) WHERE status = 'pending';
`
