package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UploadState is where an upload is in its life (see schemaUploads).
type UploadState string

// The states of an upload.
const (
	UploadCreated   UploadState = "created"   // waiting for payment
	UploadPaid      UploadState = "paid"      // paid (or covered by credit); no file yet
	UploadUploading UploadState = "uploading" // files arriving
	UploadStored    UploadState = "stored"    // every study stored
	UploadFailed    UploadState = "failed"    // given up after payment
	UploadCredited  UploadState = "credited"  // failed, and the price went to the credit balance
	UploadCancelled UploadState = "cancelled" // never paid
)

// Accepting reports whether files may be stored for the upload.
func (s UploadState) Accepting() bool { return s == UploadPaid || s == UploadUploading }

// Upload is a patient's upload and its payment.
type Upload struct {
	ID             string
	UserID         int64
	ReportType     string // "standard" or PriorityUrgent
	Price          int64  // paise: what the report type cost
	CreditUsed     int64  // paise of the price paid from the credit balance
	AmountDue      int64  // paise charged through Razorpay: Price - CreditUsed
	Currency       string
	Turnaround     time.Duration
	State          UploadState
	OrderID        string
	PaymentID      string
	Files, Bytes   int64
	ConsentVersion string
	ConsentAt      time.Time
	ConsentRemote  string
	Failure        string
	CreatedAt      time.Time
	PaidAt         time.Time // zero until paid
	FinishedAt     time.Time
	Studies        []UploadStudy // filled by Upload and UploadByOrder
}

// Due is the report deadline: the turnaround from payment.
func (u Upload) Due() time.Time {
	if u.PaidAt.IsZero() {
		return time.Time{}
	}
	return u.PaidAt.Add(u.Turnaround)
}

// UploadStudy is a study of an upload.
type UploadStudy struct {
	StudyUID     string
	Replace      bool
	Files, Bytes int64
	PatientName  string // as in DICOM, for the admin pages; never logged
	StudyDate    string
	Modality     string
	Description  string
	NameMismatch bool
	Stored       int64 // instances stored so far
}

// NewUpload is what CreateUpload needs.
type NewUpload struct {
	ID             string
	UserID         int64
	ReportType     string
	Price          int64
	Currency       string
	Turnaround     time.Duration
	Files, Bytes   int64
	ConsentVersion string
	ConsentRemote  string
	Studies        []UploadStudy
	// MinCharge is the smallest amount worth charging (Razorpay's minimum
	// order, 100 paise): less credit is used rather than charge below it.
	MinCharge int64
	Actor     string
}

// CreateUpload records an upload, paying from the account's credit
// balance first: when the balance covers the price the upload is paid at
// once, else the rest is due through an order (SetUploadOrder).
func (db *DB) CreateUpload(ctx context.Context, n NewUpload) (Upload, error) {
	if n.ID == "" || n.Price <= 0 || len(n.Studies) == 0 || n.Files <= 0 {
		return Upload{}, fmt.Errorf("store: create upload: %w", ErrInvalid)
	}
	now := db.now()
	u := Upload{ID: n.ID, UserID: n.UserID, ReportType: n.ReportType, Price: n.Price, Currency: n.Currency, Turnaround: n.Turnaround,
		State: UploadCreated, Files: n.Files, Bytes: n.Bytes, ConsentVersion: n.ConsentVersion, ConsentAt: now,
		ConsentRemote: n.ConsentRemote, CreatedAt: now, Studies: n.Studies}
	err := db.uploadTx(ctx, func(tx *sql.Tx) error {
		balance, err := creditBalance(ctx, tx, n.UserID)
		if err != nil {
			return err
		}
		u.CreditUsed = min(balance, n.Price)
		u.AmountDue = n.Price - u.CreditUsed
		if u.AmountDue > 0 && u.AmountDue < n.MinCharge {
			u.AmountDue = min(n.MinCharge, n.Price)
			u.CreditUsed = n.Price - u.AmountDue
		}
		var paid any
		if u.AmountDue == 0 {
			u.State, u.PaidAt = UploadPaid, now
			paid = ms(now)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO uploads (id, user_id, report_type, price, credit_used, amount_due, currency,
			turnaround_ms, state, files, bytes, consent_version, consent_at, consent_remote, created_at, paid_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.UserID, u.ReportType, u.Price, u.CreditUsed, u.AmountDue,
			u.Currency, u.Turnaround.Milliseconds(), u.State, u.Files, u.Bytes, u.ConsentVersion, ms(now), u.ConsentRemote, ms(now), paid); err != nil {
			return err
		}
		for _, s := range n.Studies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO upload_studies (upload_id, study_uid, replace, files, bytes, patient_name,
				study_date, modality, description, name_mismatch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, s.StudyUID, s.Replace,
				s.Files, s.Bytes, s.PatientName, s.StudyDate, s.Modality, s.Description, s.NameMismatch); err != nil {
				return err
			}
		}
		if u.CreditUsed > 0 {
			return addCredit(ctx, tx, n.UserID, -u.CreditUsed, "spent", u.ID, "used for an upload", n.Actor, now)
		}
		return nil
	})
	if err != nil {
		if isUnique(err) {
			err = fmt.Errorf("%w: %w", ErrConflict, err)
		}
		return Upload{}, fmt.Errorf("store: create upload: %w", err)
	}
	return u, nil
}

// SetUploadOrder records the Razorpay order of an upload waiting for payment.
func (db *DB) SetUploadOrder(ctx context.Context, id, orderID string) error {
	res, err := db.w.ExecContext(ctx, `UPDATE uploads SET order_id = ? WHERE id = ? AND state = 'created' AND order_id IS NULL`, orderID, id)
	if err != nil {
		return fmt.Errorf("store: set upload order: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: set upload order %s: %w", id, ErrConflict)
	}
	return nil
}

const uploadColumns = `id, user_id, report_type, price, credit_used, amount_due, currency, turnaround_ms, state,
	coalesce(order_id, ''), coalesce(payment_id, ''), files, bytes, consent_version, consent_at, consent_remote, failure,
	created_at, paid_at, finished_at`

func scanUpload(row interface{ Scan(...any) error }) (Upload, error) {
	var u Upload
	var turnaround, consent, created int64
	var paid, finished sql.NullInt64
	err := row.Scan(&u.ID, &u.UserID, &u.ReportType, &u.Price, &u.CreditUsed, &u.AmountDue, &u.Currency, &turnaround, &u.State,
		&u.OrderID, &u.PaymentID, &u.Files, &u.Bytes, &u.ConsentVersion, &consent, &u.ConsentRemote, &u.Failure,
		&created, &paid, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, ErrNotFound
	}
	u.Turnaround = time.Duration(turnaround) * time.Millisecond
	u.ConsentAt, u.CreatedAt, u.PaidAt, u.FinishedAt = fromMS(consent), fromMS(created), nullMS(paid), nullMS(finished)
	return u, err
}

// Upload returns an upload with its studies.
func (db *DB) Upload(ctx context.Context, id string) (Upload, error) {
	return db.uploadWhere(ctx, `id = ?`, id)
}

// UploadByOrder returns the upload of a Razorpay order.
func (db *DB) UploadByOrder(ctx context.Context, orderID string) (Upload, error) {
	if orderID == "" {
		return Upload{}, fmt.Errorf("store: upload by order: %w", ErrNotFound)
	}
	return db.uploadWhere(ctx, `order_id = ?`, orderID)
}

func (db *DB) uploadWhere(ctx context.Context, where string, arg any) (Upload, error) {
	u, err := scanUpload(db.r.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE `+where, arg))
	if err != nil {
		return Upload{}, fmt.Errorf("store: upload: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT s.study_uid, s.replace, s.files, s.bytes, s.patient_name, s.study_date, s.modality,
		s.description, s.name_mismatch, (SELECT count(*) FROM upload_instances i WHERE i.upload_id = s.upload_id AND i.study_uid = s.study_uid)
		FROM upload_studies s WHERE s.upload_id = ? ORDER BY s.study_date DESC, s.study_uid`, u.ID)
	if err != nil {
		return Upload{}, fmt.Errorf("store: upload studies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s UploadStudy
		if err := rows.Scan(&s.StudyUID, &s.Replace, &s.Files, &s.Bytes, &s.PatientName, &s.StudyDate, &s.Modality,
			&s.Description, &s.NameMismatch, &s.Stored); err != nil {
			return Upload{}, fmt.Errorf("store: upload studies: %w", err)
		}
		u.Studies = append(u.Studies, s)
	}
	return u, rows.Err()
}

// UploadFilter selects uploads; zero fields select all.
type UploadFilter struct {
	UserID int64
	States []UploadState
	Before time.Time // created before
	Limit  int
}

// Uploads returns uploads without their studies, newest first.
func (db *DB) Uploads(ctx context.Context, f UploadFilter) ([]Upload, error) {
	var where []string
	var args []any
	if f.UserID != 0 {
		where, args = append(where, `user_id = ?`), append(args, f.UserID)
	}
	if len(f.States) > 0 {
		where = append(where, `state IN (?`+strings.Repeat(",?", len(f.States)-1)+`)`)
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if !f.Before.IsZero() {
		where, args = append(where, `created_at < ?`), append(args, ms(f.Before))
	}
	q := `SELECT ` + uploadColumns + ` FROM uploads`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY created_at DESC, id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: uploads: %w", err)
	}
	defer rows.Close()
	var out []Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, fmt.Errorf("store: uploads: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// uploadTx runs f in a write transaction.
func (db *DB) uploadTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}
