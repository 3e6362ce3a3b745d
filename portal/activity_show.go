package portal

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

// activityRow is one line of a study's Activity: the same person doing
// the same kind of thing within a few minutes makes one line.
type activityRow struct {
	At, Since time.Time
	Who       string
	What      string
	Where     string
	Count     int
	Failed    bool
}

// activityData is the Activity page of a study.
type activityData struct {
	Study archive.Study
	Rows  []activityRow
}

// activityShow is a study's Activity: every access and action recorded in
// the audit trail, newest first, in words.
func (h *Handler) activityShow(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	study, _, ok := h.visibleStudy(w, r, uid, "study.denied")
	if !ok {
		return
	}
	events, err := h.db.SearchAudit(r.Context(), store.AuditQuery{StudyUID: uid, Limit: 2000})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names := h.actorNames(r.Context(), events)
	me := userPrincipal(visitorOf(r).user, visitorOf(r).session).actor
	d := activityData{Study: study}
	for _, e := range events {
		row := activityRow{At: e.At, Since: e.At, What: activityLabel(e.Action), Count: 1, Failed: e.Status >= 400}
		switch {
		case e.Actor == me:
			row.Who = "You"
		default:
			row.Who = names[e.Actor]
		}
		if e.Role != string(store.RoleRadiologist) && e.Role != string(store.RoleAdmin) && e.Role != "system" {
			row.Where = e.Remote
		}
		if n := len(d.Rows); n > 0 {
			last := &d.Rows[n-1]
			if last.Who == row.Who && last.What == row.What && last.Failed == row.Failed && last.Since.Sub(e.At) < 10*time.Minute {
				last.Since = e.At
				last.Count++
				continue
			}
		}
		d.Rows = append(d.Rows, row)
	}
	h.auditUser(r, "study.activity", uid, "", http.StatusOK)
	h.render(w, r, http.StatusOK, "activity", "Activity", d)
}

// actorNames describes the actors of events for people: accounts by name
// and role, shares by whom they were for, hospital systems by name.
func (h *Handler) actorNames(ctx context.Context, events []store.AuditRecord) map[string]string {
	out := map[string]string{"system": "The archive", "anonymous": "Someone without an account"}
	clients := map[string]string{}
	if cs, err := h.db.Clients(ctx); err == nil {
		for _, c := range cs {
			clients[fmt.Sprintf("client:%d", c.ID)] = c.Name
		}
	}
	for _, e := range events {
		if _, ok := out[e.Actor]; ok {
			continue
		}
		kind, idText, _ := strings.Cut(e.Actor, ":")
		id, _ := strconv.ParseInt(idText, 10, 64)
		name := e.Actor
		switch kind {
		case "user":
			if u, err := h.db.UserByID(ctx, id); err == nil {
				switch u.Role {
				case store.RoleRadiologist:
					name = "Radiologist " + u.Name
				case store.RoleAdmin:
					name = "Administrator " + u.Name
				default:
					name = "Another patient account" // never another patient's name
				}
			}
		case "share":
			name = "Someone with a share link"
			if s, err := h.db.ShareByID(ctx, id); err == nil {
				if s.Label != "" {
					name = "Share for " + s.Label
				}
				name += " (created " + s.CreatedAt.Format("2 Jan 15:04") + ")"
			}
		case "client":
			name = "Hospital system " + clients[e.Actor]
		}
		out[e.Actor] = name
	}
	return out
}

// activityLabels say what an audit action means.
var activityLabels = map[string]string{
	"study.view":               "Opened the study page",
	"viewer.open":              "Opened the image viewer",
	"share.viewer":             "Opened the image viewer",
	"study.upload":             "Stored images",
	"dicomweb.stow":            "Stored images",
	"dicomweb.delete":          "Deleted images",
	"dicomweb.retrieve":        "Downloaded DICOM files (DICOMweb)",
	"dicomweb.denied":          "Was refused access",
	"study.denied":             "Was refused access",
	"study.activity":           "Looked at this activity",
	"share.create":             "Created a share link",
	"share.revoke":             "Revoked a share link",
	"share.open":               "Opened the shared link",
	"share.unlock":             "Entered the share password",
	"share.password_failed":    "Entered a wrong share password",
	"share.password_throttled": "Was stopped after many wrong passwords",
	"share.locked":             "Share locked after 10 wrong passwords",
	"share.refused":            "Tried a share that no longer works",
	"download.code_sent":       "Asked for a download security code",
	"download.code_failed":     "Entered a wrong download code",
	"download.code_ok":         "Entered the download code",
	"download.invalidated":     "Download link invalidated after 10 wrong codes",
	"download.zip":             "Downloaded the original files",
	"download.failed":          "Download failed",
	"download.denied":          "Download refused",
	"match.link":               "Matched the study to an account",
	"match.ambiguous":          "Could not match the study to one account",
	"invitation.create":        "Invited the patient to activate an account",
	"invitation.accept":        "Activated the patient account",
	"study.retention_delete":   "Deleted the study at the end of its retention",
	"study.delete":             "Deleted the study",
	"study.keep":               "Exempted the study from deletion",
	"study.unkeep":             "Ended the study's exemption from deletion",
}

func activityLabel(action string) string {
	if l, ok := activityLabels[action]; ok {
		return l
	}
	switch {
	case strings.HasPrefix(action, "dicomweb."):
		return "Viewed images"
	case strings.HasPrefix(action, "report."):
		return "Report: " + strings.ReplaceAll(strings.TrimPrefix(action, "report."), "_", " ")
	}
	return strings.ReplaceAll(action, ".", " ")
}
