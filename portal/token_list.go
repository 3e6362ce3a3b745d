package portal

import (
	"net/http"

	"github.com/pacslite/pacslite/portal/store"
)

// tokenListData is what the API tokens page shows.
type tokenListData struct {
	Clients []store.Client
	Scopes  []string
	Name    string
	Chosen  []string
	Errors  []string
	// Token and Created are set once, right after creation.
	Token   string
	Created *store.Client
	Notice  string
}

// tokenList is the admin page of API clients (hospital PACS, viewers).
func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) {
	h.showTokens(w, r, http.StatusOK, tokenListData{Chosen: []string{ScopeRead}})
}

func (h *Handler) showTokens(w http.ResponseWriter, r *http.Request, status int, d tokenListData) {
	clients, err := h.db.Clients(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Clients, d.Scopes = clients, Scopes
	if r.URL.Query().Get("notice") == "revoked" {
		d.Notice = "The token was revoked; it stops working at once."
	}
	h.render(w, r, status, "admin_tokens", "API tokens", d)
}
