// Package notify sends the portal's notifications: email over SMTP and SMS
// through an HTTP hook of an SMS gateway. Each channel is a Sender; with
// nothing configured, Log stands in, so that a demo without a mail server
// shows what would have been sent (the portal keeps every message in its
// outbox table, where Log leaves it for an admin to read).
package notify

import (
	"context"

	"github.com/rs/zerolog"
)

// The channels.
const (
	Email = "email"
	SMS   = "sms"
)

// Message is one notification to one recipient.
type Message struct {
	Channel string // Email or SMS
	To      string // an email address or a phone number
	Subject string // email only
	Body    string // plain text
	// ID, Kind and StudyUID identify the message in logs; they are never
	// sent.
	ID       int64
	Kind     string
	StudyUID string
}

// Sender delivers messages over one channel. Send returns an error when the
// message was not accepted; the caller may try again later.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Log is the Sender used when a channel is not configured: it writes a log
// line naming the message (never its recipient or text, which stay in the
// outbox) and reports success.
type Log struct {
	Log *zerolog.Logger
}

var _ Sender = Log{}

// Send implements Sender.
func (l Log) Send(ctx context.Context, m Message) error {
	l.Log.Info().Int64("notification_id", m.ID).Str("channel", m.Channel).Str("kind", m.Kind).Str("study_uid", m.StudyUID).
		Msg("notification kept in the outbox: no " + m.Channel + " delivery configured")
	return nil
}
