package portal

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// fromTrustedProxy reports whether the peer is a proxy whose forwarding
// headers are believed.
func (h *Handler) fromTrustedProxy(r *http.Request) bool {
	a, ok := peerAddr(r)
	if !ok {
		return false
	}
	for _, p := range h.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client for the audit trail and the
// throttles: the peer, or behind trusted proxies the right-most address of
// X-Forwarded-For that is not one of them.
func (h *Handler) clientAddr(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !h.fromTrustedProxy(r) {
		return peer.String()
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		trusted := false
		for _, p := range h.opts.TrustedProxies {
			trusted = trusted || p.Contains(a)
		}
		if !trusted {
			return a.String()
		}
	}
	return peer.String()
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
