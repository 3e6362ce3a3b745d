package index

import "testing"

func TestNormTime(t *testing.T) {
	for _, tt := range []struct {
		in         string
		floor, top string
		ok         bool
	}{
		{"10", "100000.000000", "105959.999999", true},
		{"1030", "103000.000000", "103059.999999", true},
		{"103015", "103015.000000", "103015.999999", true},
		{"103015.5", "103015.500000", "103015.599999", true},
		{"103015.123456", "103015.123456", "103015.123456", true},
		{"10:30:15", "103015.000000", "103015.999999", true},
		{" 2359 ", "235900.000000", "235959.999999", true},
		{"", "", "", false},
		{"1", "", "", false},
		{"103", "", "", false},
		{"1030.5", "", "", false}, // a fraction needs seconds
		{"103015.", "", "", false},
		{"103015.1234567", "", "", false},
		{"2400", "", "", false},
		{"1060", "", "", false},
		{"10a0", "", "", false},
	} {
		floor, ok := normTime(tt.in, false)
		top, _ := normTime(tt.in, true)
		if ok != tt.ok || floor != tt.floor || (ok && top != tt.top) {
			t.Errorf("normTime(%q) = %q, %q, %v, want %q, %q, %v", tt.in, floor, top, ok, tt.floor, tt.top, tt.ok)
		}
	}
}

func TestNormDate(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"20240102", "20240102", true},
		{"2024.01.02", "20240102", true},
		{"2024", "", false},
		{"2024010a", "", false},
		{"", "", false},
	} {
		if got, ok := normDate(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("normDate(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGlobPattern(t *testing.T) {
	for _, tt := range []struct{ in, pattern, prefix string }{
		{"doe*", "doe*", "doe"},
		{"*doe*", "*doe*", ""},
		{"d?e", "d?e", "d"},
		{"a[b]*", "a[[]b]*", "a[b]"},
		{"100%_x\\*", "100%_x\\*", "100%_x\\"},
		{"plain", "plain", "plain"},
	} {
		pattern, prefix := globPattern(tt.in)
		if pattern != tt.pattern || prefix != tt.prefix {
			t.Errorf("globPattern(%q) = %q, %q, want %q, %q", tt.in, pattern, prefix, tt.pattern, tt.prefix)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"doe", "dof"},
		{"a\xff", "b"},
		{"\xff\xff", ""},
		{"mü", "m\xc3\xbd"},
	} {
		if got := prefixEnd(tt.in); got != tt.want {
			t.Errorf("prefixEnd(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Müller", "muller"},
		{"MÜLLER", "muller"},
		{"Ångström^Zoë", "angstrom^zoe"},
		{"Doe^John", "doe^john"},
		{"Żółć", "zołc"}, // ł is a letter of its own, not l with a mark
	} {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := foldTokens("Müller^Hans Peter^^Dr", "", "myura^gurete"), " muller hans peter dr myura gurete"; got != want {
		t.Errorf("foldTokens = %q, want %q", got, want)
	}
	if got, want := foldKey("  Müller^H*  "), "muller h*"; got != want {
		t.Errorf("foldKey = %q, want %q", got, want)
	}
}
