package main

import (
	"fmt"
	"math"
	"strings"
)

// kind says what a row's numbers are and which way is better.
type kind int

const (
	kindIngest  kind = iota // instances/s, MB/s; higher is better
	kindLatency             // p50, p95, p99 in ms; lower is better (p95 compared)
	kindRate                // one number per run in unit; higher is better
	kindMemory              // MB; lower is better
)

// row is one line of the results table.
type row struct {
	id, label string
	kind      kind
	unit      string // kindRate and kindMemory
	target    string
	// meets says whether the target is met: "yes", "no", or why it cannot
	// be told; nil for rows without a target.
	meets   func(p, o *value) string
	cpuUnit string // what the CPU column counts per ("ms/instance", ...)
}

// value is what one server did on one row, over repeated runs.
type value struct {
	runs [][]float64
	cpu  []float64 // server CPU milliseconds per operation, per run
	na   string    // why there is no number
	note string    // shown after the number (e.g. a result count)
}

// primary is the median over runs of the number the row compares.
func (v *value) primary(k kind) float64 { return v.med(primaryIndex(k)) }

func primaryIndex(k kind) int {
	if k == kindLatency {
		return 1 // p95
	}
	return 0
}

func (v *value) med(i int) float64 {
	var xs []float64
	for _, r := range v.runs {
		if i < len(r) {
			xs = append(xs, r[i])
		}
	}
	return median(xs)
}

func (v *value) ok() bool { return v != nil && v.na == "" && len(v.runs) > 0 }

// results collects the rows of both servers in the order first seen.
type results struct {
	rows []*row
	vals map[string]map[string]*value // server -> row id -> value
}

func newResults() *results { return &results{vals: map[string]map[string]*value{}} }

func (r *results) value(server string, rw row) *value {
	found := false
	for _, x := range r.rows {
		if x.id == rw.id {
			found = true
			break
		}
	}
	if !found {
		r.rows = append(r.rows, &rw)
	}
	if r.vals[server] == nil {
		r.vals[server] = map[string]*value{}
	}
	v := r.vals[server][rw.id]
	if v == nil {
		v = &value{}
		r.vals[server][rw.id] = v
	}
	return v
}

// add records one run's numbers and the server CPU per operation.
func (r *results) add(server string, rw row, nums []float64, cpuPerOp float64) {
	v := r.value(server, rw)
	v.runs = append(v.runs, nums)
	v.cpu = append(v.cpu, cpuPerOp)
}

// notAvailable records why a server has no number for a row.
func (r *results) notAvailable(server string, rw row, why string) {
	r.value(server, rw).na = why
}

// cell formats a value for the table.
func cell(rw *row, v *value) string {
	switch {
	case v == nil:
		return "not run"
	case v.na != "":
		return "n/a: " + v.na
	case len(v.runs) == 0:
		return "not run"
	}
	var s string
	switch rw.kind {
	case kindIngest:
		s = fmt.Sprintf("%s inst/s, %s MB/s", num(v.med(0)), num(v.med(1)))
	case kindLatency:
		s = fmt.Sprintf("%s / %s / %s ms", num(v.med(0)), num(v.med(1)), num(v.med(2)))
	default:
		s = num(v.med(0)) + " " + rw.unit
	}
	if v.note != "" {
		s += " " + v.note
	}
	return s
}

// ratio is how many times better pacslite is than Orthanc on the row's
// primary number; "" when either is missing.
func ratio(rw *row, p, o *value) string {
	if !p.ok() || !o.ok() {
		return ""
	}
	a, b := p.primary(rw.kind), o.primary(rw.kind)
	x := a / b
	if rw.kind == kindLatency || rw.kind == kindMemory {
		x = b / a
	}
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return ""
	}
	return "×" + num(x)
}

// num prints a number with about three significant digits.
func num(x float64) string {
	switch a := math.Abs(x); {
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// Targets of issue 5.

func atLeastTimes(k float64) func(p, o *value) string {
	return func(p, o *value) string {
		switch {
		case !p.ok():
			return "no number"
		case !o.ok():
			return "needs Orthanc"
		}
		return yesNo(p.primary(kindIngest) >= k*o.primary(kindIngest))
	}
}

// qidoTarget: p95 at most a fifth of Orthanc's, and under 20 ms from 1M
// instances on.
func qidoTarget(million bool) func(p, o *value) string {
	return func(p, o *value) string {
		if !p.ok() {
			return "no number"
		}
		p95 := p.med(1)
		if million && p95 >= 20 {
			return "no"
		}
		if !o.ok() {
			if million {
				return "yes (< 20 ms; Orthanc not loaded)"
			}
			return "needs Orthanc"
		}
		return yesNo(p95 <= o.med(1)/5)
	}
}

func below(limit float64, k kind) func(p, o *value) string {
	return func(p, o *value) string {
		if !p.ok() {
			return "no number"
		}
		return yesNo(p.primary(k) < limit)
	}
}

func atLeast(limit float64) func(p, o *value) string {
	return func(p, o *value) string {
		if !p.ok() {
			return "no number"
		}
		return yesNo(p.primary(kindRate) >= limit)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// table renders the results as markdown: the main table, then the server
// CPU time per operation.
func (r *results) table() string {
	var b strings.Builder
	get := func(s string, id string) *value {
		if r.vals[s] == nil {
			return nil
		}
		return r.vals[s][id]
	}
	b.WriteString("| metric | pacslite | Orthanc | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, rw := range r.rows {
		p, o := get("pacslite", rw.id), get("Orthanc", rw.id)
		met := ""
		if rw.meets != nil {
			met = rw.meets(p, o)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", rw.label, cell(rw, p), cell(rw, o), ratio(rw, p, o), rw.target, met)
	}
	b.WriteString("\nServer CPU time (user + system of the server process) per operation: less sensitive than\nwall time to other load on the machine.\n\n")
	b.WriteString("| workload | pacslite | Orthanc | ratio |\n|---|---|---|---|\n")
	for _, rw := range r.rows {
		if rw.cpuUnit == "" {
			continue
		}
		p, o := get("pacslite", rw.id), get("Orthanc", rw.id)
		cpu := func(v *value) (string, float64) {
			if !v.ok() || len(v.cpu) == 0 {
				return "", 0
			}
			m := median(v.cpu)
			return num(m) + " " + rw.cpuUnit, m
		}
		ps, pm := cpu(p)
		os, om := cpu(o)
		rt := ""
		if pm > 0 && om > 0 {
			rt = "×" + num(om/pm)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", rw.label, ps, os, rt)
	}
	return b.String()
}
