package portal

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/pacslite/pacslite/portal/reportdcm"
	"github.com/pacslite/pacslite/portal/store"
)

// reportSeriesNumber is the Series Number of the report series, high so
// that viewers list it after the images.
const reportSeriesNumber = 9901

// ReleaseReports publishes the signed report versions whose release time
// has come: each is stored in its study as a DICOM Encapsulated PDF
// through the archive's own STOW-RS, and the patients who may see the
// study are told. Until then neither the portal nor DICOMweb shows the
// report to a patient. The server runs this every minute; signing runs it
// too. It returns how many versions it published.
func (h *Handler) ReleaseReports(ctx context.Context) (int, error) {
	h.reports.publishMu.Lock()
	defer h.reports.publishMu.Unlock()
	due, err := h.db.Unpublished(ctx, h.now(), 50)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range due {
		if err := h.publish(ctx, v); err != nil {
			// Logged and tried again on the next run; others go on.
			h.logger(ctx).Error().Err(err).Str("study_uid", v.StudyUID).Int("version", v.Version).Msg("publish report")
			continue
		}
		n++
	}
	return n, nil
}

// publish stores one signed version in the archive and tells the patients.
func (h *Handler) publish(ctx context.Context, v store.ReportVersion) error {
	pdf, err := h.db.ReportPDF(ctx, v.StudyUID, v.Version)
	if err != nil {
		return err
	}
	attrs, err := h.dicomStudy(ctx, v.StudyUID)
	if err != nil {
		return err
	}
	series, err := h.db.ReportSeries(ctx, v.StudyUID, reportdcm.NewUID())
	if err != nil {
		return err
	}
	sop := reportdcm.NewUID()
	title := "Radiology report"
	if v.Version > 1 {
		title = fmt.Sprintf("Radiology report (version %d, %s)", v.Version, v.Kind)
	}
	file, err := reportdcm.EncapsulatedPDF(reportdcm.Document{Study: attrs, SeriesUID: series, SOPUID: sop,
		SeriesNumber: reportSeriesNumber, InstanceNumber: v.Version, Title: title, Created: v.SignedAt,
		Manufacturer: "pacslite", PDF: pdf})
	if err != nil {
		return err
	}
	if err := h.storeInstance(ctx, v.StudyUID, file); err != nil {
		return err
	}
	now := h.now()
	if err := h.db.MarkPublished(ctx, v.StudyUID, v.Version, sop, now); err != nil {
		return err
	}
	h.audit(ctx, store.Event{Actor: "system", Role: "system", Action: "report.publish", StudyUID: v.StudyUID,
		Detail: fmt.Sprintf("version %d as %s", v.Version, sop)})
	return h.tellPatients(ctx, v, attrs.StudyDate)
}

// tellPatients queues a message to every patient account that may see the
// study. The text names no patient and holds nothing of the report.
func (h *Handler) tellPatients(ctx context.Context, v store.ReportVersion, studyDate string) error {
	links, err := h.db.StudyLinks(ctx, v.StudyUID)
	if err != nil {
		return err
	}
	when := ""
	if t, err := time.Parse("20060102", studyDate); err == nil {
		when = " of " + t.Format("2 Jan 2006")
	}
	kind, subject := "report.final", "Your radiology report is ready"
	body := fmt.Sprintf("The radiology report for your study%s is ready.\n\nRead it and download the PDF at %s\n\n%s",
		when, h.link("/studies/"+url.PathEscape(v.StudyUID)+"/report"), h.opts.SiteName)
	if v.Version > 1 {
		kind, subject = "report.updated", "Your radiology report was updated"
		body = fmt.Sprintf("The radiology report for your study%s has a new %s.\n\nRead it at %s\n\n%s",
			when, v.Kind, h.link("/studies/"+url.PathEscape(v.StudyUID)+"/report"), h.opts.SiteName)
	}
	sms := fmt.Sprintf("%s: your radiology report%s is ready. %s", h.opts.SiteName, when,
		h.link("/studies/"+url.PathEscape(v.StudyUID)+"/report"))
	for _, l := range links {
		if l.User.Role != store.RolePatient || l.User.Disabled {
			continue
		}
		h.queue(ctx, store.Notification{Channel: "email", Recipient: l.User.Email, Subject: subject, Body: body, Kind: kind, StudyUID: v.StudyUID})
		if l.User.Phone != "" {
			h.queue(ctx, store.Notification{Channel: "sms", Recipient: l.User.Phone, Body: sms, Kind: kind, StudyUID: v.StudyUID})
		}
	}
	return nil
}
