package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goldenValue is one entry of testdata/charset_golden.json (see
// testdata/gen_charset_golden.py): a text element as pydicom decodes it.
type goldenValue struct {
	VR     string            `json:"vr"`
	Values []json.RawMessage `json:"values"`
}

// textValues collects the decoded text values of d and its items keyed as
// the golden file keys them, each item decoded with its own character set.
func textValues(t *testing.T, d *Dataset, cs *Charset, prefix string, out map[string]any) {
	t.Helper()
	for _, e := range d.Elements {
		path := prefix + e.Tag.String()
		switch {
		case e.VR == "SQ":
			for i, item := range e.Items {
				textValues(t, item, cs.ForItem(item), fmt.Sprintf("%s/%d/", path, i), out)
			}
		case e.VR == "PN":
			names := e.PersonNames(cs)
			if names == nil {
				names = []PersonName{}
			}
			out[path] = names
		case IsTextVR(e.VR) && e.VR != "DS" && e.VR != "IS" && e.Tag != TagSpecificCharacterSet:
			s := e.Strings(cs)
			if s == nil {
				s = []string{}
			}
			out[path] = s
		case e.VR == "UN":
			out[path+" UN"] = true
		}
	}
}

func TestCharsetGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/charset_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]map[string]goldenValue
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	for name, want := range golden {
		t.Run(name, func(t *testing.T) {
			f := parseFile(t, filepath.Join("../../testdata/charset", name), Options{})
			got := map[string]any{}
			textValues(t, f.Dataset, f.Charset(), "", got)
			for path, w := range want {
				g, ok := got[path]
				if !ok {
					// pydicom knows some private tags that the file
					// stores as UN; without a private dictionary they
					// stay binary here.
					if un, _ := got[path+" UN"].(bool); !un {
						t.Errorf("%s: missing", path)
					}
					continue
				}
				var wantV any
				if w.VR == "PN" {
					var names []PersonName
					for _, v := range w.Values {
						var n PersonName
						if err := json.Unmarshal(v, &n); err != nil {
							t.Fatal(err)
						}
						names = append(names, n)
					}
					if names == nil {
						names = []PersonName{}
					}
					wantV = names
				} else {
					strs := []string{}
					for _, v := range w.Values {
						var s string
						if err := json.Unmarshal(v, &s); err != nil {
							t.Fatal(err)
						}
						strs = append(strs, s)
					}
					wantV = strs
				}
				if diff := cmp.Diff(wantV, g); diff != "" {
					t.Errorf("%s (%s): decoded values differ from pydicom (-want +got):\n%s", path, w.VR, diff)
				}
			}
		})
	}
}

// parseFile parses a test file, failing the test on error.
func parseFile(t testing.TB, path string, opts Options) *File {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Parse(fh, opts)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", path, err)
	}
	return f
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		terms []string
		vr    string
		value string
		want  []string
	}{
		{"default ASCII", nil, "LO", "Smith", []string{"Smith"}},
		{"default undeclared UTF-8", nil, "LO", "J\xc3\xa9r\xc3\xb4me", []string{"Jérôme"}},
		{"default Latin-1 fallback", nil, "LO", "J\xe9r\xf4me", []string{"Jérôme"}},
		{"Latin-1", []string{"ISO_IR 100"}, "LO", "J\xe9r\xf4me", []string{"Jérôme"}},
		{"Latin-1 misspelt", []string{"ISO-IR 100"}, "LO", "J\xe9r\xf4me", []string{"Jérôme"}},
		{"Latin-9", []string{"ISO_IR 203"}, "LO", "\xa4", []string{"€"}},
		{"Thai", []string{"ISO_IR 166"}, "LO", "\xa1\xd2", []string{"กา"}},
		{"Greek", []string{"ISO_IR 126"}, "LO", "\xc4\xe9\xef", []string{"Διο"}},
		{"UTF-8 multi-valued", []string{"ISO_IR 192"}, "LO", "\xe7\x8e\x8b\\b", []string{"王", "b"}},
		{"UTF-8 invalid bytes", []string{"ISO_IR 192"}, "LO", "a\xffb", []string{"a\uFFFDb"}},
		{"UTF-8 ignores extensions", []string{"ISO_IR 192", "ISO 2022 IR 87"}, "LO", "\xe7\x8e\x8b", []string{"王"}},
		// 乗 is 0x81 0x5C in GB18030: its second byte is no delimiter.
		{"GB18030 backslash trail byte", []string{"GB18030"}, "LO", "\x81\x5c\\x", []string{"乗", "x"}},
		{"GBK", []string{"GBK"}, "LO", "\xcd\xf5", []string{"王"}},
		{"JIS X 0201", []string{"ISO_IR 13"}, "LO", "\xd4\xcf\xc0\xde", []string{"ﾔﾏﾀﾞ"}},
		// 五 is ESC $ B 0x38 0x5E: '^' inside a two-byte G0 character.
		{"JIS X 0208 caret byte", []string{"", "ISO 2022 IR 87"}, "PN", "\x1b$B8^\x1b(B^a", []string{"五^a"}},
		{"JIS X 0208 backslash byte", []string{"", "ISO 2022 IR 87"}, "LO", "\x1b$B0\\\x1b(B\\b", []string{"移", "b"}},
		{"JIS X 0212", []string{"", "ISO 2022 IR 159"}, "LO", "\x1b$(D\x30\x21\x1b(B", []string{"\u4e02"}},
		{"Korean reset at ^", []string{"", "ISO 2022 IR 149"}, "PN", "\x1b$)C\xc8\xab^\xb1\xe6", []string{"홍^\u00b1\u00e6"}},
		{"Korean", []string{"", "ISO 2022 IR 149"}, "LO", "\x1b$)C\xc8\xab", []string{"홍"}},
		{"Korean value 1", []string{"ISO 2022 IR 149"}, "LO", "\xc8\xab", []string{"홍"}},
		{"GB2312", []string{"", "ISO 2022 IR 58"}, "LO", "\x1b$)A\xcd\xf5", []string{"王"}},
		{"Latin-1 code extension", []string{"", "ISO 2022 IR 100"}, "LO", "a\x1b-A\xe9", []string{"aé"}},
		{"Cyrillic after reset", []string{"ISO 2022 IR 144", "ISO 2022 IR 100"}, "LT", "\x1b-A\xe9\r\n\xbb", []string{"é\r\nЛ"}},
		{"unknown escape", []string{"", "ISO 2022 IR 87"}, "LO", "a\x1b%Gb", []string{"a\uFFFD%Gb"}},
		{"truncated two-byte", []string{"", "ISO 2022 IR 87"}, "LO", "\x1b$B0", []string{"\uFFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := NewCharset(tt.terms)
			if err != nil {
				t.Fatalf("NewCharset(%q) = %v", tt.terms, err)
			}
			e := &Element{VR: tt.vr, Value: []byte(tt.value)}
			if got := e.Strings(cs); !cmp.Equal(got, tt.want) {
				t.Errorf("Strings(% x) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestNewCharsetUnknown(t *testing.T) {
	cs, err := NewCharset([]string{"ISO_IR 999"})
	if !errors.Is(err, ErrUnknownCharset) || cs == nil {
		t.Fatalf("NewCharset(ISO_IR 999) = %v, %v, want a charset and ErrUnknownCharset", cs, err)
	}
	if got := (&Element{VR: "LO", Value: []byte("abc\xe9")}).Strings(cs); !cmp.Equal(got, []string{"abcé"}) {
		t.Errorf("Strings with unknown charset = %q, want default repertoire", got)
	}
	cs, err = NewCharset([]string{"ISO 2022 IR 100", "ISO 2022 IR 999"})
	if !errors.Is(err, ErrUnknownCharset) {
		t.Fatalf("NewCharset = %v, want ErrUnknownCharset", err)
	}
	if got := (&Element{VR: "LO", Value: []byte("\xe9")}).Strings(cs); !cmp.Equal(got, []string{"é"}) {
		t.Errorf("Strings = %q, want the known term kept", got)
	}
}

func TestForItem(t *testing.T) {
	latin, _ := NewCharset([]string{"ISO_IR 100"})
	plain := &Dataset{Elements: []*Element{{Tag: 0x00100010, VR: "PN", Value: []byte("\xe9")}}}
	own := &Dataset{Elements: []*Element{
		{Tag: TagSpecificCharacterSet, VR: "CS", Value: []byte("ISO_IR 144")},
		{Tag: 0x00100010, VR: "PN", Value: []byte("\xbb")},
	}}
	if got := latin.ForItem(plain); got != latin {
		t.Errorf("ForItem(no charset) = %v, want the parent", got)
	}
	if got := own.Elements[1].Strings(latin.ForItem(own)); !cmp.Equal(got, []string{"Л"}) {
		t.Errorf("item value = %q, want Л (ISO_IR 144)", got)
	}
	var none *Charset
	if got := none.ForItem(plain); got != nil {
		t.Errorf("nil.ForItem = %v, want nil", got)
	}
	if got := (&File{Dataset: &Dataset{}}).Charset(); got != nil {
		t.Errorf("Charset() without (0008,0005) = %v, want nil (default)", got)
	}
}
