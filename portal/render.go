package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/store"
)

//go:embed templates
var templateFS embed.FS

// pages are the parsed templates: every page is the layout plus its own
// file, which defines "title" and "content".
type pages struct {
	byName map[string]*template.Template
}

// view is what every page template receives.
type view struct {
	Site         string
	Title        string
	User         *store.User
	CSRF         string
	SupportPhone string
	Path         string
	Data         any
	// Member is the family member the session looks at ("" for all).
	Member string
}

func parsePages(static *staticFiles) (*pages, error) {
	funcs := template.FuncMap{
		"static":    static.url,
		"date":      formatDate,
		"datetime":  func(t time.Time) string { return formatTime(t, "2 Jan 2006, 15:04") },
		"name":      archive.FormatName,
		"join":      strings.Join,
		"unixms":    func(t time.Time) int64 { return t.UnixMilli() },
		"left":      timeLeft,
		"add":       func(a, b int) int { return a + b },
		"initial":   initial,
		"hasPrefix": strings.HasPrefix,
		"has":       func(list []string, s string) bool { return slices.Contains(list, s) },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		p.byName[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return p, nil
}

// render writes a page. It renders into a buffer first, so that a failing
// template yields an error page, never half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	t, ok := h.pages.byName[page]
	if !ok {
		h.serverError(w, r, fmt.Errorf("portal: no page %q", page))
		return
	}
	v := view{Site: h.opts.SiteName, Title: title, SupportPhone: h.opts.SupportPhone, Path: r.URL.Path, Data: data}
	if vis := visitorOf(r); vis.user != nil {
		v.User = vis.user
		v.Member = h.memberViewing(r)
	}
	v.CSRF = h.csrfToken(w, r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		if page != "error" {
			h.serverError(w, r, fmt.Errorf("portal: render %s: %w", page, err))
			return
		}
		h.logger(r.Context()).Error().Err(err).Msg("render error page")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func formatDate(t time.Time) string { return formatTime(t, "2 Jan 2006") }

func formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(layout)
}

// timeLeft is the countdown text of a deadline: "1h 42m left", "overdue".
func timeLeft(due time.Time) string {
	d := time.Until(due)
	if d <= 0 {
		return "overdue"
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h >= 48 {
		return fmt.Sprintf("%dd %dh left", h/24, h%24)
	}
	if h == 0 {
		return fmt.Sprintf("%dm left", max(m, 1))
	}
	return fmt.Sprintf("%dh %02dm left", h, m)
}

// initial is the letter of an avatar.
func initial(s string) string {
	for _, r := range strings.ToUpper(s) {
		return string(r)
	}
	return "?"
}
