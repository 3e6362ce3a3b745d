package dicomjson

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func object(attrs ...Attribute) Object {
	var o Object
	for _, a := range attrs {
		o.Set(a)
	}
	return o
}

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		obj  Object
		want string
	}{
		{"empty object", Object{}, `{}`},
		{"order and text", object(
			String(0x0020000D, "UI", "1.2.3"),
			String(0x00080060, "CS", "CT"),
			String(0x00080008, "CS", "ORIGINAL", "PRIMARY"),
		), `{"00080008":{"vr":"CS","Value":["ORIGINAL","PRIMARY"]},"00080060":{"vr":"CS","Value":["CT"]},"0020000D":{"vr":"UI","Value":["1.2.3"]}}`},
		{"key hex upper case", object(String(0x0009ABCD, "LO", "x")),
			`{"0009ABCD":{"vr":"LO","Value":["x"]}}`},
		{"empty attribute", object(String(0x00100010, "PN"), Attribute{Tag: 0x00081030, VR: "LO", Values: []any{"", nil}}),
			`{"00081030":{"vr":"LO"},"00100010":{"vr":"PN"}}`},
		{"null inside multi-valued", object(Attribute{Tag: 0x00080008, VR: "CS", Values: []any{"A", "", nil, "B"}}),
			`{"00080008":{"vr":"CS","Value":["A",null,null,"B"]}}`},
		{"blank numbers", object(Attribute{Tag: 0x00280030, VR: "DS", Values: []any{Number(" "), Number("\x00")}}),
			`{"00280030":{"vr":"DS"}}`},
		{"escapes", object(String(0x00324000, "LT", "a\"b\\c\nd\re\tf\x01\x1f<>&/\u2028\x7f")),
			`{"00324000":{"vr":"LT","Value":["a\"b\\c\nd\re\tf\u0001\u001F<>&/` + "\u2028\x7f" + `"]}}`},
		{"invalid UTF-8", object(String(0x00100010, "LO", "a\xffb\xc3", "\xe6\x97")),
			`{"00100010":{"vr":"LO","Value":["a` + "\uFFFD" + `b` + "\uFFFD" + `","` + "\uFFFD\uFFFD" + `"]}}`},
		{"UTF-8 kept", object(String(0x00100010, "PN", "Wang^XiaoDong=王^小東")),
			`{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Wang^XiaoDong","Ideographic":"王^小東"}]}}`},
		{"PN groups", object(PN(0x00100010, PersonName{Phonetic: "p"}, PersonName{}, PersonName{"a", "i", "p"})),
			`{"00100010":{"vr":"PN","Value":[{"Phonetic":"p"},null,{"Alphabetic":"a","Ideographic":"i","Phonetic":"p"}]}}`},
		{"numbers", object(
			Attribute{Tag: 0x00280030, VR: "DS", Values: []any{Number("0.5"), Number(" .25 "), Number("+3"), Number("1."), Number("1e4")}},
			Num(0x00280010, "US", "512"),
		), `{"00280010":{"vr":"US","Value":[512]},"00280030":{"vr":"DS","Value":[0.5,0.25,3,1,1e4]}}`},
		{"non-finite and garbage", object(
			Attribute{Tag: 0x00186020, VR: "FD", Values: []any{Number("NaN"), Number("Infinity"), Number("-inf")}},
			Attribute{Tag: 0x00200013, VR: "IS", Values: []any{Number("N/A"), Number("1e999"), Number(`"x`), Number("\xff"), Number("1" + strings.Repeat("0", 400))}},
		), `{"00186020":{"vr":"FD","Value":["NaN","Infinity","-Infinity"]},"00200013":{"vr":"IS","Value":["N/A","1e999","\"x","` + "\uFFFD" + `","1` + strings.Repeat("0", 400) + `"]}}`},
		{"AT", object(String(0x00209165, "AT", "00100010", "0020000D")),
			`{"00209165":{"vr":"AT","Value":["00100010","0020000D"]}}`},
		{"bulk and inline", object(
			Attribute{Tag: 0x7FE00010, VR: "OW", BulkDataURI: "http://h/studies/1/bulk?a=1&b=<2>"},
			Attribute{Tag: 0x00281201, VR: "OW", InlineBinary: []byte{0, 1, 2, 0xFF}},
			Attribute{Tag: 0x00420011, VR: "OB", InlineBinary: []byte{}},
		), `{"00281201":{"vr":"OW","InlineBinary":"AAEC/w=="},"00420011":{"vr":"OB"},"7FE00010":{"vr":"OW","BulkDataURI":"http://h/studies/1/bulk?a=1&b=<2>"}}`},
		{"bulk wins over values", object(Attribute{Tag: 0x00282000, VR: "OB", BulkDataURI: "u", InlineBinary: []byte{1}}),
			`{"00282000":{"vr":"OB","BulkDataURI":"u"}}`},
		{"sequences", object(
			Seq(0x00081115, object(String(0x0020000E, "UI", "1.2")), Object{}, object(Seq(0x00081199))),
			Seq(0x00081140),
		), `{"00081115":{"vr":"SQ","Value":[{"0020000E":{"vr":"UI","Value":["1.2"]}},{},{"00081199":{"vr":"SQ"}}]},"00081140":{"vr":"SQ"}}`},
		{"odd VR and value types", object(
			Attribute{Tag: 1, VR: `x"`, Values: []any{42, 1.5, []byte("x")}},
		), `{"00000001":{"vr":"x\""}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.obj.AppendJSON(nil)
			if string(got) != tt.want {
				t.Errorf("AppendJSON() =\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("AppendJSON() = %s, not valid JSON", got)
			}
			m, err := tt.obj.MarshalJSON()
			if err != nil || !bytes.Equal(m, got) {
				t.Errorf("MarshalJSON() = %s, %v; want the AppendJSON bytes", m, err)
			}
			prefix := []byte(`[{},`)
			if got := tt.obj.AppendJSON(prefix); !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], []byte(tt.want)) {
				t.Errorf("AppendJSON(prefix) = %s, want prefix then the encoding", got)
			}
		})
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"", "plain", "\x00\x01\x1f\x7f", `"\`, "\u2028\u2029", "é中🙂", "\xff\xfe", "a\xc0\x80b",
		"\xed\xa0\x80", strings.Repeat("long text ", 100)}
	for c := range 256 {
		inputs = append(inputs, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b")
	}
	for _, s := range inputs {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("appendString(%q) = %s: %v", s, b, err)
			continue
		}
		// encoding/json also replaces each invalid byte with U+FFFD.
		std, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("appendString(%q) decodes to %q, want %q", s, got, want)
		}
		if !utf8.Valid(b) {
			t.Errorf("appendString(%q) = %q, not valid UTF-8", s, b)
		}
	}
}
