package stowclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Tags of the Store Instances Response (PS3.18 §10.5.3, PS3.3 C.12.1).
const (
	tagReferencedSOPSequence    = "00081199"
	tagFailedSOPSequence        = "00081198"
	tagReferencedSOPInstanceUID = "00081155"
	tagFailureReason            = "00081197"
	tagErrorComment             = "00000902"
)

// jsonAttribute is the part of a PS3.18 Annex F attribute read here.
type jsonAttribute struct {
	VR    string            `json:"vr"`
	Value []json.RawMessage `json:"Value"`
}

type jsonDataset map[string]jsonAttribute

// stowResponse is what a Store Instances Response says.
type stowResponse struct {
	stored []string // SOP Instance UIDs, "" when an item has none
	failed []failedSOP
}

type failedSOP struct {
	uid    string
	reason string
}

// parseResponse reads an application/dicom+json Store Instances Response.
// Some servers wrap the data set in an array; that is accepted too.
func parseResponse(body []byte) (stowResponse, error) {
	var resp stowResponse
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return resp, errors.New("empty body")
	}
	var ds jsonDataset
	if body[0] == '[' {
		var list []jsonDataset
		if err := json.Unmarshal(body, &list); err != nil {
			return resp, err
		}
		if len(list) > 0 {
			ds = list[0]
		}
	} else if err := json.Unmarshal(body, &ds); err != nil {
		return resp, err
	}
	for _, item := range items(ds[tagReferencedSOPSequence]) {
		resp.stored = append(resp.stored, firstString(item[tagReferencedSOPInstanceUID]))
	}
	for _, item := range items(ds[tagFailedSOPSequence]) {
		reason := failureReason(item[tagFailureReason])
		if c := firstString(item[tagErrorComment]); c != "" {
			reason += ": " + c
		}
		resp.failed = append(resp.failed, failedSOP{uid: firstString(item[tagReferencedSOPInstanceUID]), reason: reason})
	}
	return resp, nil
}

// items decodes a sequence's items, skipping any that are not objects.
func items(a jsonAttribute) []jsonDataset {
	var out []jsonDataset
	for _, raw := range a.Value {
		var item jsonDataset
		if json.Unmarshal(raw, &item) == nil {
			out = append(out, item)
		}
	}
	return out
}

func firstString(a jsonAttribute) string {
	if len(a.Value) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(a.Value[0], &s) != nil {
		return ""
	}
	return strings.TrimRight(s, "\x00 ")
}

// failureReason names a FailureReason code (PS3.18 Table 10.5.3-2,
// PS3.4 Annex B.2.3), also when a server sends the number as a string.
func failureReason(a jsonAttribute) string {
	if len(a.Value) == 0 {
		return "no reason given"
	}
	var code int
	if err := json.Unmarshal(a.Value[0], &code); err != nil {
		var s string
		if json.Unmarshal(a.Value[0], &s) != nil {
			return "unreadable reason " + string(a.Value[0])
		}
		if _, err := fmt.Sscan(s, &code); err != nil {
			return "reason " + s
		}
	}
	var text string
	switch {
	case code == 0x0110:
		text = "processing failure"
	case code == 0x0111:
		text = "duplicate SOP instance"
	case code == 0x0117:
		text = "invalid SOP instance"
	case code == 0x0122:
		text = "SOP class not supported"
	case code == 0x0124:
		text = "not authorized"
	case code == 0xC122:
		text = "transfer syntax not supported"
	case code&0xFF00 == 0xA700:
		text = "out of resources"
	case code&0xFF00 == 0xA900:
		text = "data set does not match SOP class"
	case code&0xF000 == 0xC000:
		text = "cannot understand"
	default:
		text = "failure"
	}
	return fmt.Sprintf("%s (0x%04X)", text, code)
}

// describe renders a status and the gist of an error body for a person:
// "400 Bad Request: missing boundary".
func describe(status int, body []byte) string {
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if msg := serverMessage(body); msg != "" {
		s += ": " + msg
	}
	return s
}

// serverMessage picks a short message out of an error body: a JSON
// "message"/"error" field or DICOM ErrorComment, or the first line of text.
// HTML pages give nothing.
func serverMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] == '<' {
		return ""
	}
	msg := string(body)
	if body[0] == '{' {
		var obj map[string]json.RawMessage
		msg = ""
		if json.Unmarshal(body, &obj) == nil {
			for _, k := range []string{"message", "Message", "error", "Error", "errorMessage", "ErrorMessage", "detail"} {
				var s string
				if json.Unmarshal(obj[k], &s) == nil && s != "" {
					msg = s
					break
				}
			}
			if msg == "" {
				var a jsonAttribute
				if json.Unmarshal(obj[tagErrorComment], &a) == nil {
					msg = firstString(a)
				}
			}
		}
	}
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	const limit = 200
	if len(msg) > limit {
		msg = msg[:limit]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
		msg += "..."
	}
	return strings.TrimSpace(msg)
}

// attribute assigns a 200/202/409 answer's outcome to the batch's files by
// SOP Instance UID. Files it cannot match take unmatched failures first,
// then unmatched stored entries; what is left follows the status.
func attribute(res *batchResult, batch []File, resp stowResponse, ans *answer) {
	if len(resp.failed) == 0 && ans.status == http.StatusOK {
		res.stored = len(batch)
		return
	}
	failedBy := make(map[string][]string)
	for _, f := range resp.failed {
		failedBy[f.uid] = append(failedBy[f.uid], f.reason)
	}
	storedBy := make(map[string]int)
	for _, uid := range resp.stored {
		storedBy[uid]++
	}
	var unresolved []File
	for _, f := range batch {
		uid := sopInstanceUID(f.Path)
		switch {
		case uid != "" && len(failedBy[uid]) > 0:
			res.failures = append(res.failures, Failure{Path: f.Path, Reason: failedBy[uid][0]})
			failedBy[uid] = failedBy[uid][1:]
		case uid != "" && storedBy[uid] > 0:
			res.stored++
			storedBy[uid]-- // a UID listed once matches one file
		default:
			unresolved = append(unresolved, f)
		}
	}
	var spareFailures []string
	for _, f := range resp.failed { // in the server's order
		if q := failedBy[f.uid]; len(q) > 0 {
			spareFailures = append(spareFailures, q[0])
			failedBy[f.uid] = q[1:]
		}
	}
	spareStored := 0
	for _, n := range storedBy {
		spareStored += n
	}
	for _, f := range unresolved {
		switch {
		case len(spareFailures) > 0:
			res.failures = append(res.failures, Failure{Path: f.Path, Reason: spareFailures[0]})
			spareFailures = spareFailures[1:]
		case spareStored > 0 || ans.status == http.StatusOK:
			res.stored++
			spareStored--
		case ans.status == http.StatusConflict:
			res.failures = append(res.failures, Failure{Path: f.Path, Reason: "server answered " + describe(ans.status, nil)})
		default:
			res.failures = append(res.failures, Failure{Path: f.Path, Reason: "not in the server's response"})
		}
	}
}
