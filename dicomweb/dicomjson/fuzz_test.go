package dicomjson

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnmarshal decodes arbitrary input. Whatever it is, decoding must not
// panic, fail only with ErrInvalid, and accept only valid JSON; what it
// accepts must encode to valid JSON and well-formed XML, and the encoding
// must be a fixed point of decode then encode.
func FuzzUnmarshal(f *testing.F) {
	for _, input := range goldenFiles {
		if b, err := os.ReadFile(filepath.Join(goldenDir, goldenName(input))); err == nil {
			f.Add(b)
		}
	}
	f.Add(sample().AppendJSON(nil))
	for _, s := range []string{
		`{}`, `null`, `{"00100010":{"vr":"PN","Value":[{"Alphabetic":"a\u00e9\ud83d\ude00"},null]}}`,
		`{"00280030":{"Value":[" 1.",".5e3","NaN",-0.0],"vr":"DS"}}`,
		`{"7FE00010":{"vr":"OB","InlineBinary":"AAEC"},"00081115":{"vr":"SQ","Value":[{}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var o Object
		if err := o.UnmarshalJSON(data); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("UnmarshalJSON() = %v, not ErrInvalid", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("UnmarshalJSON accepted invalid JSON %q", data)
		}
		enc := o.AppendJSON(nil)
		if !json.Valid(enc) {
			t.Fatalf("AppendJSON() = %s, not valid JSON", enc)
		}
		var back Object
		if err := back.UnmarshalJSON(enc); err != nil {
			t.Fatalf("UnmarshalJSON(AppendJSON()) = %v for %s", err, enc)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, enc) {
			t.Fatalf("encoding is not a fixed point:\n%s\n%s", enc, again)
		}
		var buf bytes.Buffer
		if err := o.WriteXML(&buf); err != nil {
			t.Fatal(err)
		}
		var model xmlModel
		if err := xml.Unmarshal(buf.Bytes(), &model); err != nil {
			t.Fatalf("WriteXML() is not well-formed: %v\n%s", err, buf.Bytes())
		}
	})
}

// FuzzNumber checks that any text in a numeric attribute encodes to valid
// JSON that decodes to the canonical number.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1.5", " +.5 ", "1.", "007", "1e999", "-inf", "NaN", "N/A", "\xff", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o := object(Attribute{Tag: 0x00280030, VR: "DS", Values: []any{Number(s)}})
		enc := o.AppendJSON(nil)
		var v any
		if err := json.Unmarshal(enc, &v); err != nil {
			t.Fatalf("AppendJSON(%q) = %s: %v", s, enc, err)
		}
		var back Object
		if err := back.UnmarshalJSON(enc); err != nil {
			t.Fatalf("UnmarshalJSON(%s) = %v", enc, err)
		}
		want := canonicalNumber(s)
		if got := back.String(0x00280030); got != string(want) {
			t.Fatalf("Number %q encodes as %s, decodes to %q, want %q", s, enc, got, want)
		}
	})
}
