package portal

import "strings"

// secretPaths are the portal paths whose next segment is a secret: a
// share's token or code, a download link, an invitation.
var secretPaths = []string{"/s/", "/downloads/", "/invite/"}

// LogPath is a request path as logs may show it: the secret segment of a
// share, download or invitation path becomes "…".
func LogPath(p string) string {
	for _, prefix := range secretPaths {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			if _, tail, found := strings.Cut(rest, "/"); found {
				return prefix + "…/" + tail
			}
			return prefix + "…"
		}
	}
	return p
}
