package portal

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/notify"
	"github.com/pacslite/pacslite/portal/store"
)

// reportSettingsData is what the reporting settings page shows.
type reportSettingsData struct {
	DelayHours   string
	Critical     string
	EmailOn      bool
	SMSOn        bool
	Outbox       []store.Notification
	Saved        bool
	Errors       []string
	DefaultHours string
}

// maxDelay bounds the release delay an admin may set.
const maxDelay = 90 * 24 * time.Hour

func hours(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

// reportSettingsShow shows the reporting settings (release delay, who
// hears of critical findings) and the notification outbox.
func (h *Handler) reportSettingsShow(w http.ResponseWriter, r *http.Request) {
	h.showReportSettings(w, r, http.StatusOK, nil)
}

func (h *Handler) showReportSettings(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	delay, err := h.releaseDelay(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	list, err := h.criticalList(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	out, err := h.db.Notifications(r.Context(), false, 50)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	_, emailLog := h.reports.email.(notify.Log)
	_, smsLog := h.reports.sms.(notify.Log)
	d := reportSettingsData{DelayHours: hours(delay), Critical: strings.Join(list, "\n"), EmailOn: !emailLog, SMSOn: !smsLog,
		Outbox: out, Saved: r.URL.Query().Get("saved") != "", Errors: problems, DefaultHours: hours(h.reports.opts.ReleaseDelay)}
	if problems != nil {
		d.DelayHours, d.Critical = r.PostFormValue("delay_hours"), r.PostFormValue("critical")
	}
	h.render(w, r, status, "report_settings", "Reporting settings", d)
}

// reportSettingsUpdate saves the reporting settings.
func (h *Handler) reportSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	var problems []string
	hoursText := strings.TrimSpace(r.PostFormValue("delay_hours"))
	n, err := strconv.ParseFloat(hoursText, 64)
	delay := time.Duration(n * float64(time.Hour))
	if err != nil || n < 0 || delay > maxDelay {
		problems = append(problems, "The release delay is a number of hours from 0 to 2160 (90 days).")
	}
	list := splitList(r.PostFormValue("critical"))
	for _, a := range list {
		if !strings.Contains(a, "@") && strings.Trim(a, "+0123456789 -") != "" {
			problems = append(problems, "“"+a+"” is neither an email address nor a phone number.")
		}
	}
	if problems != nil {
		h.showReportSettings(w, r, http.StatusUnprocessableEntity, problems)
		return
	}
	if err := h.db.SetReportSetting(r.Context(), settingReleaseDelay, delay.String()); err != nil {
		h.serverError(w, r, err)
		return
	}
	value := strings.Join(list, "\n")
	if value == "" {
		value = noRecipients // an empty list, not the server's default
	}
	if err := h.db.SetReportSetting(r.Context(), settingCriticalNotify, value); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.audit(r.Context(), store.Event{Actor: userPrincipal(v.user, v.session).actor, Role: string(v.user.Role),
		Action: "report.settings", Detail: "release delay " + delay.String(), Status: http.StatusSeeOther, Remote: h.clientAddr(r)})
	http.Redirect(w, r, "/reports/settings?saved=1", http.StatusSeeOther)
}
