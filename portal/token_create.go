package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pacslite/pacslite/portal/store"
)

// tokenCreate creates an API client and shows its token, once.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "Bad form", "The form could not be read. Reload the page and try again.")
		return
	}
	d := tokenListData{Name: strings.TrimSpace(r.PostFormValue("name")), Chosen: r.PostForm["scope"]}
	scopes, err := ParseScopes(strings.Join(d.Chosen, ","))
	if err != nil {
		d.Errors = append(d.Errors, "Choose at least one scope.")
	}
	if !clientName.MatchString(d.Name) {
		d.Errors = append(d.Errors, "Name the token with 1-64 letters, digits, dots, dashes or underscores, e.g. hospital-pacs.")
	}
	if len(d.Errors) > 0 {
		h.showTokens(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	token, c, err := CreateAPIClient(r.Context(), h.db, d.Name, scopes, userPrincipal(v.user, v.session).actor)
	if errors.Is(err, store.ErrConflict) {
		d.Errors = []string{"A token with this name exists already."}
		h.showTokens(w, r, http.StatusConflict, d)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.showTokens(w, r, http.StatusOK, tokenListData{Token: token, Created: &c, Chosen: []string{ScopeRead}})
}
