package dicomweb

import (
	"net/http"

	"github.com/gorilla/mux"
)

// validUID reports whether s is a syntactically valid UID (PS3.5 9.1):
// digits and dots, at most 64 characters, no empty component. Leading zeros
// in a component are forbidden by the standard but common in real studies,
// so they are accepted. Only valid UIDs become storage keys.
func validUID(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// pathUIDs are the UIDs of a request path; empty when not in the route.
type pathUIDs struct {
	study, series, instance string
}

// uidsFrom reads the UIDs in the request path and checks them.
func uidsFrom(r *http.Request) (pathUIDs, error) {
	v := mux.Vars(r)
	u := pathUIDs{study: v["study"], series: v["series"], instance: v["instance"]}
	checks := []struct{ key, name string }{{"study", "Study"}, {"series", "Series"}, {"instance", "SOP"}}
	for _, c := range checks {
		val, ok := v[c.key]
		if ok && !validUID(val) {
			return u, errorf(http.StatusBadRequest,
				"malformed %s Instance UID %q in path: a UID is digits and dots, at most 64 characters",
				c.name, truncate(val, 80))
		}
	}
	return u, mayRead(r, u.study)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
