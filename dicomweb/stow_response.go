package dicomweb

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// responseFormat is how a DICOM JSON-or-XML answer is encoded.
type responseFormat int

const (
	formatJSON         responseFormat = iota
	formatXML                         // application/dicom+xml, one object
	formatMultipartXML                // multipart/related; type="application/dicom+xml", a part per object
)

// negotiateStowResponse picks the Store Instances Response encoding.
func negotiateStowResponse(r *http.Request) (responseFormat, error) {
	for _, m := range acceptable(r) {
		switch {
		case m.matches("application/dicom+json"), m.matches("application/json"):
			return formatJSON, nil
		case m.matches("application/dicom+xml"):
			return formatXML, nil
		case m.typ == "multipart/related" && m.multipartType() == "application/dicom+xml":
			return formatMultipartXML, nil
		}
	}
	return 0, errorf(http.StatusNotAcceptable, "the Store Instances Response is available as application/dicom+json or application/dicom+xml")
}

// writeStowResponse writes the Store Instances Response Module (PS3.18
// 10.5.3.2): 200 when everything was stored, 202 when some parts failed,
// 409 when none was stored.
func (h *Handler) writeStowResponse(w http.ResponseWriter, r *http.Request, format responseFormat, studyInPath string, outcomes []stowOutcome, truncated bool) {
	base := h.baseURL(r)
	var resp dicomjson.Object
	var stored, failed []dicomjson.Object
	studies := map[string]bool{}
	for _, o := range outcomes {
		item := dicomjson.Object{}
		item.Set(dicomjson.String(0x00081150, "UI", o.uids.class))
		item.Set(dicomjson.String(0x00081155, "UI", o.uids.sop))
		if o.failure != 0 {
			item.Set(dicomjson.Num(0x00081197, "US", dicomjson.Number(strconv.Itoa(int(o.failure)))))
			item.Set(dicomjson.String(0x00000902, "LO", truncate(o.comment, 1024)))
			failed = append(failed, item)
			continue
		}
		studies[o.uids.study] = true
		item.Set(dicomjson.String(0x00081190, "UR",
			base+"/studies/"+o.uids.study+"/series/"+o.uids.series+"/instances/"+o.uids.sop))
		stored = append(stored, item)
	}
	switch {
	case studyInPath != "":
		resp.Set(dicomjson.String(0x00081190, "UR", base+"/studies/"+studyInPath))
	case len(studies) == 1:
		for s := range studies {
			resp.Set(dicomjson.String(0x00081190, "UR", base+"/studies/"+s))
		}
	default:
		resp.Set(dicomjson.Attribute{Tag: 0x00081190, VR: "UR"})
	}
	if len(failed) > 0 {
		resp.Set(dicomjson.Seq(0x00081198, failed...))
	}
	if len(stored) > 0 {
		resp.Set(dicomjson.Seq(0x00081199, stored...))
	}

	status := http.StatusOK
	switch {
	case len(stored) == 0:
		status = http.StatusConflict
	case len(failed) > 0 || truncated:
		status = http.StatusAccepted
	}
	if truncated {
		w.Header().Add("Warning", "299 pacslite: the multipart body ended early; parts after the damage were not received")
	}
	h.writeObjects(w, r, format, status, []dicomjson.Object{resp}, true)
}

// writeObjects writes DICOM JSON (as an array, or a single object when
// single is set) or XML, buffered so that an encoding failure never sends
// half a document.
func (h *Handler) writeObjects(w http.ResponseWriter, r *http.Request, format responseFormat, status int, objs []dicomjson.Object, single bool) {
	var buf bytes.Buffer
	switch format {
	case formatJSON:
		w.Header().Set("Content-Type", "application/dicom+json")
		b := make([]byte, 0, 4096)
		if !single {
			b = append(b, '[')
		}
		for i, o := range objs {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.AppendJSON(b)
		}
		if !single {
			b = append(b, ']')
		}
		buf.Write(b)
	case formatXML:
		w.Header().Set("Content-Type", "application/dicom+xml")
		if len(objs) > 0 {
			if err := objs[0].WriteXML(&buf); err != nil {
				fail(w, r, err)
				return
			}
		}
	case formatMultipartXML:
		boundary := newBoundary()
		w.Header().Set("Content-Type", `multipart/related; type="application/dicom+xml"; boundary=`+boundary)
		for _, o := range objs {
			buf.WriteString("--" + boundary + "\r\nContent-Type: application/dicom+xml\r\n\r\n")
			if err := o.WriteXML(&buf); err != nil {
				fail(w, r, err)
				return
			}
			buf.WriteString("\r\n")
		}
		buf.WriteString("--" + boundary + "--\r\n")
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
