package dicomweb

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// baseURL returns the absolute URL of the DICOMweb root as the client
// reaches it, without a trailing slash. RetrieveURL and BulkDataURI values are
// built from it; Weasis builds its follow-up requests from RetrieveURL, so it
// must be right behind proxies too. Order: the configured public URL; else
// Forwarded / X-Forwarded-* headers when the peer is a trusted proxy; else
// the request itself.
func (h *Handler) baseURL(r *http.Request) string {
	if h.opts.PublicURL != "" {
		return h.opts.PublicURL
	}
	scheme, host, prefix := "http", r.Host, ""
	if r.TLS != nil {
		scheme = "https"
	}
	if h.fromTrustedProxy(r) {
		if fwd := r.Header.Get("Forwarded"); fwd != "" {
			// Only the first (client-most) element matters.
			first, _, _ := strings.Cut(fwd, ",")
			for _, pair := range strings.Split(first, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok {
					continue
				}
				v = strings.Trim(v, `"`)
				switch strings.ToLower(k) {
				case "proto":
					scheme = strings.ToLower(v)
				case "host":
					host = v
				}
			}
		} else {
			if v := firstValue(r.Header.Get("X-Forwarded-Proto")); v != "" {
				scheme = strings.ToLower(v)
			}
			if v := firstValue(r.Header.Get("X-Forwarded-Host")); v != "" {
				host = v
			}
			if v := firstValue(r.Header.Get("X-Forwarded-Port")); v != "" && !strings.Contains(host, ":") {
				if !(scheme == "https" && v == "443") && !(scheme == "http" && v == "80") {
					host += ":" + v
				}
			}
		}
		prefix = strings.TrimRight(firstValue(r.Header.Get("X-Forwarded-Prefix")), "/")
	}
	if scheme != "https" {
		scheme = "http"
	}
	if !validHost(host) {
		host = r.Host
	}
	return scheme + "://" + host + prefix + h.opts.Prefix
}

func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// validHost keeps header-supplied hosts from injecting URL syntax.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]_", c)) {
			return false
		}
	}
	return true
}

func (h *Handler) fromTrustedProxy(r *http.Request) bool {
	if len(h.opts.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range h.opts.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
