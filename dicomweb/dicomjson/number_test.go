package dicomjson

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestCanonicalNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		// Already JSON numbers: kept as they are.
		{"0", "0"}, {"-0", "-0"}, {"12", "12"}, {"1.5", "1.5"}, {"-3.25", "-3.25"},
		{"1e4", "1e4"}, {"1E+05", "1E+05"}, {"2.5e-3", "2.5e-3"}, {"0.50", "0.50"},
		// DICOM forms that JSON rejects: normalised, digits unchanged.
		{"1.", "1"}, {".5", "0.5"}, {"-.5", "-0.5"}, {"+3", "3"}, {"+.5e-3", "0.5e-3"},
		{" 5", "5"}, {"5 ", "5"}, {" -7.0 ", "-7.0"}, {"007", "7"}, {"-007.50", "-7.50"},
		{"00", "0"}, {"-00.0", "-0.0"}, {"1.e3", "1e3"}, {"1.E-3", "1E-3"}, {"12\x00", "12"},
		// Non-finite.
		{"NaN", "NaN"}, {"nan", "NaN"}, {"-NaN", "NaN"}, {"inf", "Infinity"}, {"+Inf", "Infinity"},
		{"-inf", "-Infinity"}, {"Infinity", "Infinity"}, {"-INFINITY", "-Infinity"},
		// Blank.
		{"", ""}, {"   ", ""}, {"\x00", ""},
		// Garbage: kept as text (trimmed, valid UTF-8), to be quoted.
		{"1,5", "1,5"}, {" N/A ", "N/A"}, {"1e", "1e"}, {"e5", "e5"}, {".", "."}, {"-", "-"},
		{"1.5.2", "1.5.2"}, {"0x10", "0x10"}, {"1 2", "1 2"}, {"\xff1", "\uFFFD1"}, {"1e4.5", "1e4.5"},
	}
	for _, tt := range tests {
		got := canonicalNumber(tt.in)
		if string(got) != tt.want {
			t.Errorf("canonicalNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := canonicalNumber(string(got)); again != got {
			t.Errorf("canonicalNumber(%q) = %q, not idempotent", got, again)
		}
	}
}

// forEachString calls f with every string of up to n bytes from alphabet.
func forEachString(alphabet string, n int, f func(string)) {
	var rec func(prefix []byte)
	rec = func(prefix []byte) {
		f(string(prefix))
		if len(prefix) == n {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			rec(append(prefix, alphabet[i]))
		}
	}
	rec(make([]byte, 0, n))
}

// TestNumberGrammarExhaustive checks every short string over the characters
// numbers are made of: isJSONNumber agrees with encoding/json, and a
// normalised number has the value strconv reads from the DICOM text.
func TestNumberGrammarExhaustive(t *testing.T) {
	forEachString("019.-+eE ", 5, func(s string) {
		isNum := json.Valid([]byte(s)) && strings.TrimSpace(s) == s && s != "" && s[0] != '"'
		if got := isJSONNumber(s); got != isNum {
			t.Errorf("isJSONNumber(%q) = %v, encoding/json says %v", s, got, isNum)
		}
		c := string(canonicalNumber(s))
		switch {
		case writeAsNumber(c):
			want, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				t.Errorf("canonicalNumber(%q) = %q, but strconv rejects it: %v", s, c, err)
				return
			}
			got, _ := strconv.ParseFloat(c, 64)
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("canonicalNumber(%q) = %q: value %v, want %v", s, c, got, want)
			}
		case c != "" && c != "NaN" && c != "Infinity" && c != "-Infinity":
			// Quoted: strconv must reject the text too, or find it out
			// of range.
			_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			outOfRange := err != nil && errors.Is(err, strconv.ErrRange)
			if err == nil || outOfRange != isJSONNumber(c) {
				t.Errorf("canonicalNumber(%q) = %q, quoted, but strconv says %v", s, c, err)
			}
		}
		b := appendNumber(nil, Number(s))
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("appendNumber(%q) = %s, which encoding/json rejects: %v", s, b, err)
		}
	})
}
