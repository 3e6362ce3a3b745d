package dicomjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sample holds every kind of value the model has.
func sample() Object {
	return object(
		String(0x00080005, "CS", "ISO_IR 192"),
		String(0x00080008, "CS", "ORIGINAL", "", "AXIAL"),
		String(0x00100010, "PN", "Doe^John=ドウ^ジョン=どう^じょん", "", "Roe"),
		String(0x00100020, "LO", `id "with" quotes <&> \ and `+"\n"),
		Num(0x00280030, "DS", "0.5", "1e-3"),
		Num(0x00186020, "FD", "NaN", "-Infinity", "1.7976931348623157e+308"),
		Num(0x00200013, "IS", "N/A"),
		String(0x00209165, "AT", "7FE00010"),
		Seq(0x00081115,
			object(String(0x0020000E, "UI", "1.2.3"), Seq(0x00081199, Object{}, object(String(0x00081150, "UI", "1.2")))),
			Object{}),
		Seq(0x00081140),
		Attribute{Tag: 0x00091010, VR: "UN", InlineBinary: []byte("\x00\x01binary")},
		Attribute{Tag: 0x7FE00010, VR: "OW", BulkDataURI: "bulk/7FE00010"},
		Attribute{Tag: 0x00420011, VR: "OB"},
	)
}

func TestRoundTrip(t *testing.T) {
	want := sample()
	var got Object
	if err := got.UnmarshalJSON(want.AppendJSON(nil)); err != nil {
		t.Fatalf("UnmarshalJSON(AppendJSON(sample)) = %v", err)
	}
	if diff := cmp.Diff(want, got, cmpObjects...); diff != "" {
		t.Errorf("decode(encode(sample)) (-want +got):\n%s", diff)
	}
	// Through encoding/json, as a client decoding into its own types would.
	b, err := json.Marshal(map[string]any{"list": []Object{want, {}}})
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct{ List []Object }
	if err := json.Unmarshal(b, &wrapped); err != nil {
		t.Fatalf("json.Unmarshal(wrapped) = %v", err)
	}
	if diff := cmp.Diff([]Object{want, {}}, wrapped.List, cmpObjects...); diff != "" {
		t.Errorf("json.Unmarshal(json.Marshal(sample)) (-want +got):\n%s", diff)
	}
}

func TestUnmarshalLenient(t *testing.T) {
	tests := []struct {
		name, in string
		want     Object
	}{
		{"white space and lower-case key", " { \"0020000d\" : { \"Value\" : [ \"1.2\" ] , \"vr\" : \"UI\" } } ",
			object(String(0x0020000D, "UI", "1.2"))},
		{"number literal kept", `{"00280030":{"vr":"DS","Value":[1.50E+01,-0.0,2]}}`,
			object(Attribute{Tag: 0x00280030, VR: "DS", Values: []any{Number("1.50E+01"), Number("-0.0"), Number("2")}})},
		{"numbers as strings", `{"00200013":{"vr":"IS","Value":["12"," 7",""," "]},"00186020":{"vr":"FD","Value":["NaN"]}}`,
			object(Attribute{Tag: 0x00200013, VR: "IS", Values: []any{Number("12"), Number(" 7"), nil, nil}},
				Attribute{Tag: 0x00186020, VR: "FD", Values: []any{Number("NaN")}})},
		{"empty values", `{"00080008":{"vr":"CS","Value":[null,""]},"00100010":{"vr":"PN","Value":[{}]},"00081140":{"vr":"SQ","Value":[]}}`,
			object(Attribute{Tag: 0x00080008, VR: "CS"}, Attribute{Tag: 0x00100010, VR: "PN"}, Attribute{Tag: 0x00081140, VR: "SQ"})},
		{"empty InlineBinary", `{"00420011":{"vr":"OB","InlineBinary":""}}`, object(Attribute{Tag: 0x00420011, VR: "OB"})},
		{"group length", `{"00080000":{"vr":"UL","Value":[4]}}`, object(Num(0x00080000, "UL", "4"))},
		{"Value before vr", `{"00081115":{"Value":[{"00100020":{"Value":["x"],"vr":"LO"}}],"vr":"SQ"}}`,
			object(Seq(0x00081115, object(String(0x00100020, "LO", "x"))))},
		{"string escapes", `{"00100020":{"vr":"LO","Value":["\"\\\/\b\f\n\r\t\u00e9\u4E2D\ud83d\ude00|\ud800x|\udc00|\ud800\u0041"]}}`,
			object(String(0x00100020, "LO", "\"\\/\b\f\n\r\té中😀|\uFFFDx|\uFFFD|\uFFFDA"))},
		{"invalid UTF-8 in input", "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"a\xffb\"]}}",
			object(String(0x00100020, "LO", "a\uFFFDb"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Object
			if err := got.UnmarshalJSON([]byte(tt.in)); err != nil {
				t.Fatalf("UnmarshalJSON(%s) = %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpObjects...); diff != "" {
				t.Errorf("UnmarshalJSON(%s) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestUnmarshalStrict(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"not JSON", `{`, "unexpected end"},
		{"array", `[]`, "offset 0: unexpected '[', want an object"},
		{"trailing data", `{} {}`, "offset 3: data after the object"},
		{"trailing NUL", "{}\x00", "offset 2: data after the object"},
		{"null then data", "null x", "offset 0: unexpected 'n', want an object"},
		{"trailing comma", `{"00100020":{"vr":"LO"},}`, "offset 24: unexpected '}', want a string"},
		{"single quotes", `{'00100020':{}}`, "unexpected '\\'', want a string"},
		{"unterminated string", `{"00100020":{"vr":"LO","Value":["abc`, "unterminated string"},
		{"raw control character", "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"a\tb\"]}}", "control character 0x09"},
		{"bad escape", `{"00100020":{"vr":"LO","Value":["a\xb"]}}`, `invalid escape \x`},
		{"bad unicode escape", `{"00100020":{"vr":"LO","Value":["a\u12G4"]}}`, `invalid \u escape`},
		{"bad number", `{"00280010":{"vr":"US","Value":[01]}}`, "unexpected '0', want a number"},
		{"bad literal", `{"00280010":{"vr":"US","Value":[nul]}}`, "not a number or string"},
		{"duplicate member", `{"00100020":{"vr":"LO","vr":"SH"}}`, `duplicate member "vr"`},
		{"missing colon", `{"00100020" {"vr":"LO"}}`, `want ":"`},
		{"Value before unknown vr", `{"00100020":{"Value":["x",{"a":[1,true,null,-2.5e3]}],"vr":"XX"}}`, `unknown vr "XX"`},
		{"Value before vr, wrong type", `{"00100020":{"Value":[1],"vr":"LO"}}`, "value 1: not a string"},
		{"Value before vr, bad JSON", `{"00100020":{"Value":[tru],"vr":"LO"}}`, "want a value"},
		{"short key", `{"0010010":{"vr":"PN"}}`, `key "0010010"`},
		{"keyword key", `{"PatientName":{"vr":"PN"}}`, `key "PatientName"`},
		{"duplicate key", `{"0010000a":{"vr":"LO"},"0010000A":{"vr":"LO"}}`, "duplicate key"},
		{"attribute not object", `{"00100010":"Doe"}`, `attribute 00100010: offset 12: unexpected '"', want an attribute object`},
		{"no vr", `{"00100010":{"Value":["x"]}}`, `no "vr"`},
		{"vr not string", `{"00100010":{"vr":1}}`, `"vr" is not a string`},
		{"unknown vr", `{"00100010":{"vr":"XX"}}`, `unknown vr "XX"`},
		{"lower-case vr", `{"00100010":{"vr":"pn"}}`, `unknown vr "pn"`},
		{"unknown member", `{"00100010":{"vr":"PN","value":["x"]}}`, `unknown member "value"`},
		{"Value not array", `{"00100020":{"vr":"LO","Value":"x"}}`, "Value is not an array"},
		{"Value null", `{"00100020":{"vr":"LO","Value":null}}`, "Value is not an array"},
		{"Value on binary", `{"7FE00010":{"vr":"OB","Value":["AA=="]}}`, "vr OB cannot have a Value"},
		{"two of them", `{"7FE00010":{"vr":"OB","BulkDataURI":"u","InlineBinary":"AA=="}}`, "more than one of"},
		{"InlineBinary on text", `{"00100020":{"vr":"LO","InlineBinary":"AA=="}}`, "vr LO cannot have InlineBinary"},
		{"bad base64", `{"7FE00010":{"vr":"OB","InlineBinary":"A"}}`, "InlineBinary: illegal base64"},
		{"BulkDataURI on PN", `{"00100010":{"vr":"PN","BulkDataURI":"u"}}`, "vr PN cannot have a BulkDataURI"},
		{"empty BulkDataURI", `{"7FE00010":{"vr":"OB","BulkDataURI":""}}`, "BulkDataURI is empty"},
		{"number in text", `{"00100020":{"vr":"LO","Value":[5]}}`, "value 1: not a string"},
		{"bool in number", `{"00280010":{"vr":"US","Value":[true]}}`, "value 1: not a number or string"},
		{"PN as string", `{"00100010":{"vr":"PN","Value":["Doe^John"]}}`, "PN value is not an object"},
		{"unknown PN group", `{"00100010":{"vr":"PN","Value":[{"SingleByte":"x"}]}}`, `unknown PN component group "SingleByte"`},
		{"PN group not string", `{"00100010":{"vr":"PN","Value":[{"Alphabetic":1}]}}`, "PN Alphabetic is not a string"},
		{"bad AT", `{"00209165":{"vr":"AT","Value":["(0010,0010)"]}}`, `AT value "(0010,0010)"`},
		{"null item", `{"00081115":{"vr":"SQ","Value":[null]}}`, "null sequence item"},
		{"bad item", `{"00081115":{"vr":"SQ","Value":[{"0020000E":{"vr":"??"}}]}}`,
			`attribute 00081115: value 1: item: attribute 0020000E: unknown vr "??"`},
		{"too deep", strings.Repeat(`{"00081115":{"vr":"SQ","Value":[`, 70) + `{}` + strings.Repeat(`]}}`, 70), "nested too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Object
			err := o.UnmarshalJSON([]byte(tt.in))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("UnmarshalJSON(%.60s) = %v, want ErrInvalid saying %q", tt.in, err, tt.msg)
			}
		})
	}
}

func TestUnmarshalNull(t *testing.T) {
	o := object(String(0x00100020, "LO", "x"))
	if err := o.UnmarshalJSON([]byte(" null ")); err != nil || o.Len() != 1 {
		t.Errorf("UnmarshalJSON(null) = %v and %d attributes, want no error and no change", err, o.Len())
	}
}

func TestDecodeArray(t *testing.T) {
	a, b := sample(), object(String(0x00100020, "LO", "second"))
	in := "[" + string(a.AppendJSON(nil)) + "," + string(b.AppendJSON(nil)) + "]\n"
	got, err := DecodeArray(strings.NewReader(in))
	if err != nil {
		t.Fatalf("DecodeArray() = %v", err)
	}
	if diff := cmp.Diff([]Object{a, b}, got, cmpObjects...); diff != "" {
		t.Errorf("DecodeArray() (-want +got):\n%s", diff)
	}
	if got, err := DecodeArray(strings.NewReader(" [ ] ")); err != nil || len(got) != 0 {
		t.Errorf("DecodeArray([]) = %v, %v; want no objects", got, err)
	}
	for _, in := range []string{``, `{}`, `null`, `[{}] x`, "[]\x00", `[{}][]`, `[null]`, `[{"1":{}}]`, `[1]`} {
		if _, err := DecodeArray(strings.NewReader(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("DecodeArray(%s) = %v, want ErrInvalid", in, err)
		}
	}
}
