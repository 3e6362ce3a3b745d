package stowclient

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want stowResponse
	}{
		{"stored and failed", `{
			"00081190": {"vr": "UR", "Value": ["http://x/studies/1"]},
			"00081198": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": ["1.2"]},
				"00081155": {"vr": "UI", "Value": ["1.2.3"]}, "00081197": {"vr": "US", "Value": [272]}}]},
			"00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.4"]}},
				{"00081155": {"vr": "UI", "Value": ["1.2.5\u0000"]}}]}}`,
			stowResponse{stored: []string{"1.2.4", "1.2.5"}, failed: []failedSOP{{"1.2.3", "processing failure (0x0110)"}}}},
		{"array, reason as string, comment", `[{"00081198": {"vr": "SQ", "Value": [{
				"00081197": {"vr": "US", "Value": ["43264"]},
				"00000902": {"vr": "LO", "Value": ["Patient ID missing"]}}]}}]`,
			stowResponse{failed: []failedSOP{{"", "data set does not match SOP class (0xA900): Patient ID missing"}}}},
		{"no reason", `{"00081198": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["9"]}}]}}`,
			stowResponse{failed: []failedSOP{{"9", "no reason given"}}}},
		{"empty data set", `{}`, stowResponse{}},
		{"out of resources", `{"00081198": {"vr": "SQ", "Value": [{"00081197": {"vr": "US", "Value": [42752]}}]}}`,
			stowResponse{failed: []failedSOP{{"", "out of resources (0xA700)"}}}},
	}
	for _, tt := range tests {
		got, err := parseResponse([]byte(tt.body))
		if err != nil {
			t.Errorf("%s: parseResponse error: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(stowResponse{}, failedSOP{})); diff != "" {
			t.Errorf("%s: parseResponse mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	for _, body := range []string{"", "<NativeDicomModel/>", "{", `"x"`} {
		if _, err := parseResponse([]byte(body)); err == nil {
			t.Errorf("parseResponse(%q) = nil error, want an error", body)
		}
	}
}

func TestAttributeUnmatched(t *testing.T) {
	files, _ := instances(t)
	batch := files[:3]
	uid0 := sopInstanceUID(batch[0].Path)
	tests := []struct {
		name   string
		status int
		resp   stowResponse
		want   batchResult
	}{
		{"failure without UID goes to the unmatched file", http.StatusAccepted,
			stowResponse{stored: []string{uid0, "other"}, failed: []failedSOP{{"", "cannot understand (0xC000)"}}},
			batchResult{stored: 2, failures: []Failure{{batch[1].Path, "cannot understand (0xC000)"}}}},
		{"file in neither list", http.StatusAccepted,
			stowResponse{stored: []string{uid0}, failed: []failedSOP{{"x", "processing failure (0x0110)"}}},
			batchResult{stored: 1, failures: []Failure{
				{batch[1].Path, "processing failure (0x0110)"},
				{batch[2].Path, "not in the server's response"},
			}}},
		{"409 without items", http.StatusConflict, stowResponse{},
			batchResult{failures: []Failure{
				{batch[0].Path, "server answered 409 Conflict"},
				{batch[1].Path, "server answered 409 Conflict"},
				{batch[2].Path, "server answered 409 Conflict"},
			}}},
	}
	for _, tt := range tests {
		var got batchResult
		attribute(&got, batch, tt.resp, &answer{status: tt.status})
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(batchResult{})); diff != "" {
			t.Errorf("%s: attribute mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestServerMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{"", ""},
		{"plain text\nsecond line", "plain text"},
		{`{"message": "bad boundary"}`, "bad boundary"},
		{`{"00000902": {"vr": "LO", "Value": ["no such study"]}}`, "no such study"},
		{"<html><body>502 Bad Gateway</body></html>", ""},
	}
	for _, tt := range tests {
		if got := serverMessage([]byte(tt.body)); got != tt.want {
			t.Errorf("serverMessage(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
