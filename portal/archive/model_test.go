package archive

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFormatName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Doe^John", "Doe, John"},
		{"Doe^John^Q^Dr^Jr", "Doe, John Q"},
		{"Doe", "Doe"},
		{"^John", "John"},
		{"", ""},
		{"Müller^Jürgen", "Müller, Jürgen"},
	}
	for _, tt := range tests {
		if got := FormatName(tt.in); got != tt.want {
			t.Errorf("FormatName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		da, tm string
		want   time.Time
	}{
		{"20230710", "080000", time.Date(2023, 7, 10, 8, 0, 0, 0, time.UTC)},
		{"20230710", "0815", time.Date(2023, 7, 10, 8, 15, 0, 0, time.UTC)},
		{"20230710", "081502.123", time.Date(2023, 7, 10, 8, 15, 2, 0, time.UTC)},
		{"20230710", "", time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)},
		{"2023-07-10", "", time.Time{}},
		{"", "", time.Time{}},
	}
	for _, tt := range tests {
		if got := parseDate(tt.da, tt.tm); !got.Equal(tt.want) {
			t.Errorf("parseDate(%q, %q) = %v, want %v", tt.da, tt.tm, got, tt.want)
		}
	}
}

func TestCaseVariants(t *testing.T) {
	if diff := cmp.Diff([]string{"ct head", "CT HEAD", "Ct Head"}, caseVariants("ct head")); diff != "" {
		t.Errorf("caseVariants(ct head) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"A-0042", "a-0042"}, caseVariants("A-0042")); diff != "" {
		t.Errorf("caseVariants(A-0042) (-want +got):\n%s", diff)
	}
}
