package store

// schemaUploads holds the tables for uploads and payments. Each feature keeps its
// schema in a file of its own so the migrations list stays in one place.
//
// Money is in paise (integers). Financial rows never cascade away with an
// account: users are disabled, not deleted.
const schemaUploads = `
-- An upload: studies a patient sends from a CD or folder, the report type
-- paid for, and where it is in its life:
--   created -> paid -> uploading -> stored
--                               \-> failed -> credited (the price goes to the credit balance)
--   created -> cancelled (payment abandoned; credit reserved for it released)
-- The id is random and unguessable: the browser sends it with each STOW-RS.
CREATE TABLE uploads (
	id              TEXT PRIMARY KEY,
	user_id         INTEGER NOT NULL REFERENCES users (id),
	report_type     TEXT NOT NULL CHECK (report_type IN ('standard', 'priority')),
	price           INTEGER NOT NULL CHECK (price > 0),
	credit_used     INTEGER NOT NULL DEFAULT 0 CHECK (credit_used >= 0),
	amount_due      INTEGER NOT NULL CHECK (amount_due >= 0 AND amount_due + credit_used = price),
	currency        TEXT NOT NULL DEFAULT 'INR',
	turnaround_ms   INTEGER NOT NULL CHECK (turnaround_ms > 0),
	state           TEXT NOT NULL CHECK (state IN ('created', 'paid', 'uploading', 'stored', 'failed', 'credited', 'cancelled')),
	order_id        TEXT UNIQUE,  -- Razorpay order; NULL when credit covered the price
	payment_id      TEXT UNIQUE,  -- the captured payment of the order
	files           INTEGER NOT NULL CHECK (files > 0),
	bytes           INTEGER NOT NULL CHECK (bytes >= 0),
	consent_version TEXT NOT NULL,
	consent_at      INTEGER NOT NULL,
	consent_remote  TEXT NOT NULL DEFAULT '',
	failure         TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	paid_at         INTEGER,
	finished_at     INTEGER
);
CREATE INDEX uploads_user ON uploads (user_id, created_at);
CREATE INDEX uploads_state ON uploads (state, created_at);

-- The studies an upload was paid for, as the browser read them from the
-- files. Skipped duplicates are not in it; replaced ones are, with replace=1.
CREATE TABLE upload_studies (
	upload_id     TEXT NOT NULL REFERENCES uploads (id),
	study_uid     TEXT NOT NULL,
	replace       INTEGER NOT NULL DEFAULT 0,
	files         INTEGER NOT NULL,
	bytes         INTEGER NOT NULL,
	patient_name  TEXT NOT NULL DEFAULT '',
	study_date    TEXT NOT NULL DEFAULT '',
	modality      TEXT NOT NULL DEFAULT '',
	description   TEXT NOT NULL DEFAULT '',
	name_mismatch INTEGER NOT NULL DEFAULT 0, -- the DICOM patient name is not the account's
	PRIMARY KEY (upload_id, study_uid)
) WITHOUT ROWID;
CREATE INDEX upload_studies_study ON upload_studies (study_uid);

-- Every instance an upload stored: how a resumed upload knows what is
-- left, and what a replaced study keeps.
CREATE TABLE upload_instances (
	upload_id TEXT NOT NULL REFERENCES uploads (id),
	sop_uid   TEXT NOT NULL,
	study_uid TEXT NOT NULL,
	PRIMARY KEY (upload_id, sop_uid)
) WITHOUT ROWID;

-- Razorpay payments (attempts) of uploads' orders, as Checkout and the
-- webhooks report them.
CREATE TABLE payments (
	id         TEXT PRIMARY KEY,
	upload_id  TEXT REFERENCES uploads (id),
	order_id   TEXT NOT NULL,
	amount     INTEGER NOT NULL,
	currency   TEXT NOT NULL,
	status     TEXT NOT NULL,
	method     TEXT NOT NULL DEFAULT '',
	error      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX payments_upload ON payments (upload_id);

-- Money given back: to the original method through Razorpay's refund API,
-- or to the patient's credit balance.
CREATE TABLE refunds (
	id           INTEGER PRIMARY KEY,
	upload_id    TEXT NOT NULL REFERENCES uploads (id),
	user_id      INTEGER NOT NULL REFERENCES users (id),
	kind         TEXT NOT NULL CHECK (kind IN ('method', 'credit')),
	amount       INTEGER NOT NULL CHECK (amount > 0),
	status       TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'failed')),
	razorpay_id  TEXT UNIQUE,
	payment_id   TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	processed_at INTEGER
);
CREATE INDEX refunds_upload ON refunds (upload_id);

-- The credit balance is the sum of a patient's ledger lines: credits
-- (failed uploads, refunds to credit, payments that arrived for abandoned
-- uploads) and debits (credit spent on an upload). Never negative.
CREATE TABLE credit_ledger (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	amount     INTEGER NOT NULL CHECK (amount != 0),
	kind       TEXT NOT NULL CHECK (kind IN ('spent', 'released', 'failed_upload', 'refund', 'unusable_payment')),
	upload_id  TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id);

-- Webhook events handled, by Razorpay's event id and by a hash of the
-- body: the event id header is not signed, so a replayed body under a new
-- id is caught by its hash.
CREATE TABLE webhook_events (
	event_id    TEXT PRIMARY KEY,
	body_sha256 TEXT NOT NULL UNIQUE,
	event       TEXT NOT NULL,
	order_id    TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);
`
