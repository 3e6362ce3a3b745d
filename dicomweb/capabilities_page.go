package dicomweb

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/store/index"
)

// syntaxNames are the PS3.6 names of the transfer syntaxes the page lists.
var syntaxNames = map[string]string{
	"1.2.840.10008.1.2":       "Implicit VR Little Endian",
	"1.2.840.10008.1.2.1":     "Explicit VR Little Endian",
	"1.2.840.10008.1.2.1.99":  "Deflated Explicit VR Little Endian",
	"1.2.840.10008.1.2.2":     "Explicit VR Big Endian",
	"1.2.840.10008.1.2.4.50":  "JPEG Baseline (Process 1)",
	"1.2.840.10008.1.2.4.51":  "JPEG Extended (Process 2 & 4)",
	"1.2.840.10008.1.2.4.57":  "JPEG Lossless, Non-Hierarchical (Process 14)",
	"1.2.840.10008.1.2.4.70":  "JPEG Lossless, First-Order Prediction (Process 14, SV1)",
	"1.2.840.10008.1.2.4.80":  "JPEG-LS Lossless",
	"1.2.840.10008.1.2.4.81":  "JPEG-LS Near-Lossless",
	"1.2.840.10008.1.2.4.90":  "JPEG 2000 (Lossless Only)",
	"1.2.840.10008.1.2.4.91":  "JPEG 2000",
	"1.2.840.10008.1.2.4.92":  "JPEG 2000 Part 2 Multi-component (Lossless Only)",
	"1.2.840.10008.1.2.4.93":  "JPEG 2000 Part 2 Multi-component",
	"1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
	"1.2.840.10008.1.2.4.101": "MPEG2 Main Profile / High Level",
	"1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile / Level 4.1",
	"1.2.840.10008.1.2.4.103": "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
	"1.2.840.10008.1.2.4.104": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
	"1.2.840.10008.1.2.4.105": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
	"1.2.840.10008.1.2.4.106": "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
	"1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile / Level 5.1",
	"1.2.840.10008.1.2.4.108": "HEVC/H.265 Main 10 Profile / Level 5.1",
	"1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 (Lossless Only)",
	"1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)",
	"1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
	"1.2.840.10008.1.2.5":     "RLE Lossless",
}

type pageRow struct {
	Path, Method, ID, Service string
	Accept, Params, Response  []string
}

type syntaxRow struct {
	UID, Name, Retrieve, Frames, Rendered string
}

type keyLevel struct {
	Level string
	Keys  []string // "PatientName (00100010, PN)"
}

type pageData struct {
	Base, Version, ClassUID string
	Rows                    []pageRow
	Syntaxes                []syntaxRow
	Keys                    []keyLevel
}

// page renders the conformance statement into a buffer, so a failing
// template never sends half a page.
func (c *capabilities) page(base string) ([]byte, error) {
	tree, t := c.model()
	d := pageData{Base: base + "/", Version: ImplementationVersionName, ClassUID: ImplementationClassUID}
	var walk func(prefix string, n *wadlResource)
	walk = func(prefix string, n *wadlResource) {
		for _, m := range n.Method {
			if m.Name == "HEAD" {
				continue // listed with GET
			}
			row := pageRow{Path: prefix, Method: m.Name, ID: m.ID}
			row.Service, _ = docText(m.Doc, docService)
			if m.Request != nil {
				for _, p := range m.Request.Param {
					switch {
					case p.Name == "Accept":
						for _, o := range p.Option {
							row.Accept = append(row.Accept, o.Value)
						}
					case p.Style == "query" && len(p.Doc) > 0 && strings.HasPrefix(p.Doc[0].Text, "Matching key"):
						if !slices.Contains(row.Params, "matching keys (below)") {
							row.Params = append(row.Params, "matching keys (below)")
						}
					case p.Style == "query" && p.Name != "accept":
						row.Params = append(row.Params, p.Name)
					case p.Style == "header":
						row.Params = append(row.Params, p.Name+" (header)")
					}
				}
			}
			for _, resp := range m.Response {
				for _, rep := range resp.Representation {
					row.Response = append(row.Response, rep.MediaType)
				}
			}
			d.Rows = append(d.Rows, row)
		}
		for _, child := range n.Resource {
			walk(prefix+"/"+child.Path, child)
		}
	}
	walk("", tree)
	d.Syntaxes = t.syntaxRows()
	for _, level := range []index.Level{index.StudyLevel, index.SeriesLevel, index.InstanceLevel} {
		kl := keyLevel{Level: levelNames[level]}
		for _, tag := range t.keys[level] {
			tg := dataset.Tag(tag)
			kl.Keys = append(kl.Keys, fmt.Sprintf("%s (%08X, %s)", tg.Keyword(), tag, dataset.DictionaryVR(tg)))
		}
		d.Keys = append(d.Keys, kl)
	}
	c.pageOnce.Do(func() { c.pageTmpl, c.pageErr = template.New("page").Parse(pageTemplate) })
	if c.pageErr != nil {
		return nil, c.pageErr
	}
	var buf bytes.Buffer
	if err := c.pageTmpl.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// syntaxRows says, per transfer syntax, what each service does with it.
func (t *capabilityTables) syntaxRows() []syntaxRow {
	all := map[string]bool{}
	for _, list := range [][]string{t.native, t.decodable, slices.Collect(maps.Keys(t.frameType)), slices.Collect(maps.Keys(t.video))} {
		for _, ts := range list {
			all[ts] = true
		}
	}
	uids := slices.SortedFunc(maps.Keys(all), compareUIDs)
	rows := make([]syntaxRow, 0, len(uids)+1)
	for _, ts := range uids {
		row := syntaxRow{UID: ts, Name: syntaxNames[ts], Retrieve: "as stored only", Frames: "no (406)", Rendered: "no (415)"}
		native, decodes := slices.Contains(t.native, ts), slices.Contains(t.decodable, ts)
		switch {
		case native:
			row.Retrieve, row.Frames, row.Rendered = "as stored, or converted", "application/octet-stream, little endian", "yes"
		case decodes:
			row.Retrieve, row.Frames, row.Rendered = "as stored, or decoded", t.frameType[ts]+" as stored, or decoded", "yes"
		case t.frameType[ts] != "":
			row.Frames = t.frameType[ts] + " as stored"
		case t.video[ts] != "":
			row.Frames, row.Rendered = "no (406): one stream", t.video[ts]+" stream"
		}
		rows = append(rows, row)
	}
	return append(rows, syntaxRow{UID: "any other", Retrieve: "as stored only", Frames: "application/octet-stream as stored (transfer-syntax=*)", Rendered: "no (415)"})
}

// compareUIDs orders UIDs by their numeric components.
func compareUIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pacslite DICOMweb conformance statement</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:78rem;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse;width:100%;margin:1rem 0 2rem}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}code{font-size:13px;overflow-wrap:anywhere}td ul{margin:0;padding-left:1.1rem}.k{columns:18rem}
table.tx{table-layout:fixed}.tx th:nth-child(1){width:20%}.tx th:nth-child(2){width:6%}.tx th:nth-child(3){width:14%}.tx th:nth-child(4){width:30%}.tx th:nth-child(5){width:12%}
</style></head><body>
<h1>pacslite DICOMweb conformance statement</h1>
<p>Service root <code>{{.Base}}</code>, implementation {{.Version}} (<code>{{.ClassUID}}</code>).
This page and the machine-readable Capabilities Description (<code>OPTIONS</code> on the service root or any resource,
PS3.18 8.9: <code>application/vnd.sun.wadl+xml</code> by default, <code>application/json</code> on request) are generated
from the server's own routes and tables, so they describe what this server does.</p>
<h2>Transactions</h2>
<table class="tx"><tr><th>Resource</th><th>Method</th><th>Transaction</th><th>Accept</th><th>Parameters</th><th>Responses</th></tr>
{{range .Rows}}<tr><td><code>{{.Path}}</code></td><td>{{.Method}}</td><td>{{.ID}}<br><small>{{.Service}}</small></td>
<td>{{if gt (len .Accept) 5}}<details><summary>{{len .Accept}} media types</summary>{{end}}<ul>{{range .Accept}}<li><code>{{.}}</code></li>{{end}}</ul>{{if gt (len .Accept) 5}}</details>{{end}}</td>
<td>{{range $i, $p := .Params}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}</td>
<td><ul>{{range .Response}}<li><code>{{.}}</code></li>{{end}}</ul></td></tr>
{{end}}</table>
<h2>Transfer syntaxes</h2>
<p>STOW-RS stores every transfer syntax byte for byte.</p>
<table><tr><th>UID</th><th>Name</th><th>Retrieve (study, series, instance)</th><th>Frames</th><th>Rendered, thumbnail</th></tr>
{{range .Syntaxes}}<tr><td><code>{{.UID}}</code></td><td>{{.Name}}</td><td>{{.Retrieve}}</td><td>{{.Frames}}</td><td>{{.Rendered}}</td></tr>
{{end}}</table>
<h2>QIDO-RS matching keys</h2>
<p>Keys by keyword or tag: single value, UID list, universal, wildcard and range matching as the VR allows;
<code>fuzzymatching=true</code> for person names. Other attributes are ignored with a <code>Warning: 299</code> header,
and any attribute can be returned with <code>includefield</code>.</p>
{{range .Keys}}<h3>{{.Level}} level</h3><ul class="k">{{range .Keys}}<li><code>{{.}}</code></li>{{end}}</ul>
{{end}}</body></html>
`
