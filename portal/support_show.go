package portal

import "net/http"

// supportData is what the support page shows.
type supportData struct {
	Name, Phone, Issue, Preferred string
	Times                         []string
	Errors                        []string
	Sent                          bool
}

// callbackTimes are the choices of a preferred call-back time.
var callbackTimes = []string{"Any time", "Morning (9–12)", "Afternoon (12–5)", "Evening (5–8)"}

// supportShow is the call-back request form, open to everyone: someone who
// cannot log in needs it most.
func (h *Handler) supportShow(w http.ResponseWriter, r *http.Request) {
	d := supportData{Times: callbackTimes, Preferred: callbackTimes[0], Sent: r.URL.Query().Get("sent") != ""}
	if u := visitorOf(r).user; u != nil {
		d.Name, d.Phone = u.Name, u.Phone
	}
	h.render(w, r, http.StatusOK, "support", "Support", d)
}
