package portal

import "net/http"

// newRouter lists every portal route. Each page action lives in a file
// named after it (noun_verb.go).
func (h *Handler) newRouter() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/{name...}", h.static)
	mux.HandleFunc("POST /payments/razorpay/webhook", h.paymentWebhook) // signed by Razorpay: no session, no CSRF
	mux.Handle("/payments/demo/", h.demoPayments())
	// A share's own DICOMweb root (share_dicomweb.go): no session, the
	// share's key (and unlock cookie) is the credential.
	mux.HandleFunc("/s/{key}/dicomweb/{rest...}", h.shareDICOMweb)

	pages := http.NewServeMux()
	pages.HandleFunc("GET /{$}", h.homeShow)
	pages.HandleFunc("GET /login", h.loginShow)
	pages.HandleFunc("POST /login", h.loginCreate)
	pages.HandleFunc("POST /logout", h.logoutCreate)
	pages.HandleFunc("GET /signup", h.signupShow)
	pages.HandleFunc("POST /signup", h.signupCreate)

	pages.HandleFunc("GET /studies", h.loggedIn(h.studyList))
	pages.HandleFunc("GET /studies/{uid}", h.loggedIn(h.studyShow))
	pages.HandleFunc("GET /studies/{uid}/viewer", h.loggedIn(h.viewerShow))
	pages.HandleFunc("POST /studies/{uid}/links", h.adminOnly(h.studyLinkCreate))
	pages.HandleFunc("POST /studies/{uid}/links/{user}/delete", h.adminOnly(h.studyLinkDelete))

	pages.HandleFunc("GET /upload", h.patientOnly(h.uploadShow))
	pages.HandleFunc("POST /uploads", h.patientOnly(h.uploadCreate))
	pages.HandleFunc("GET /uploads/{id}", h.patientOnly(h.uploadStatus))
	pages.HandleFunc("POST /uploads/{id}/pay", h.patientOnly(h.uploadPay))
	pages.HandleFunc("POST /uploads/{id}/complete", h.patientOnly(h.uploadComplete))
	pages.HandleFunc("POST /uploads/{id}/cancel", h.patientOnly(h.uploadCancel))

	pages.HandleFunc("GET /settings", h.loggedIn(h.settingsShow))
	pages.HandleFunc("POST /settings/password", h.loggedIn(h.passwordUpdate))
	pages.HandleFunc("GET /support", h.supportShow)
	pages.HandleFunc("POST /support", h.supportCreate)

	pages.HandleFunc("GET /admin", h.adminOnly(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	}))
	pages.HandleFunc("GET /admin/users", h.adminOnly(h.userList))
	pages.HandleFunc("GET /admin/users/new", h.adminOnly(h.userNew))
	pages.HandleFunc("POST /admin/users", h.adminOnly(h.userCreate))
	pages.HandleFunc("POST /admin/users/{id}/password", h.adminOnly(h.userPasswordReset))
	pages.HandleFunc("POST /admin/users/{id}/disable", h.adminOnly(h.userDisable))
	pages.HandleFunc("POST /admin/users/{id}/enable", h.adminOnly(h.userEnable))
	pages.HandleFunc("GET /admin/support", h.adminOnly(h.supportList))
	pages.HandleFunc("GET /admin/payments", h.adminOnly(h.paymentList))
	pages.HandleFunc("POST /admin/payments/{id}/refund", h.adminOnly(h.paymentRefund))
	pages.HandleFunc("GET /admin/tokens", h.adminOnly(h.tokenList))
	pages.HandleFunc("POST /admin/tokens", h.adminOnly(h.tokenCreate))
	pages.HandleFunc("POST /admin/tokens/{id}/revoke", h.adminOnly(h.tokenRevoke))

	// Radiology reporting (report_*.go, worklist_list.go).
	pages.HandleFunc("GET /worklist", h.staffOnly(h.worklistList))
	pages.HandleFunc("GET /studies/{uid}/report", h.loggedIn(h.reportShow))
	pages.HandleFunc("GET /studies/{uid}/report.pdf", h.loggedIn(h.reportPDF))
	pages.HandleFunc("GET /studies/{uid}/report/edit", h.staffOnly(h.reportEdit))
	pages.HandleFunc("POST /studies/{uid}/report/claim", h.radiologistOnly(h.reportClaim))
	pages.HandleFunc("POST /studies/{uid}/report/unclaim", h.staffOnly(h.reportUnclaim))
	pages.HandleFunc("POST /studies/{uid}/report/draft", h.radiologistOnly(h.reportDraft))
	pages.HandleFunc("POST /studies/{uid}/report/finalise", h.radiologistOnly(h.reportFinalise))
	pages.HandleFunc("POST /studies/{uid}/report/revisions", h.radiologistOnly(h.reportRevise))
	pages.HandleFunc("POST /studies/{uid}/report/revisions/discard", h.radiologistOnly(h.reportDiscard))
	pages.HandleFunc("GET /reports/settings", h.adminOnly(h.reportSettingsShow))
	pages.HandleFunc("POST /reports/settings", h.adminOnly(h.reportSettingsUpdate))

	// Sharing, downloads, activity, family members, matching, retention
	// (share_*.go, download_*.go, activity_show.go, member_*.go, match_*.go,
	// audit_*.go, retention_*.go).
	pages.HandleFunc("GET /studies/{uid}/share", h.loggedIn(h.shareNew))
	pages.HandleFunc("POST /studies/{uid}/shares", h.loggedIn(h.shareCreate))
	pages.HandleFunc("POST /studies/{uid}/shares/{id}/revoke", h.loggedIn(h.shareRevoke))
	pages.HandleFunc("GET /s", h.shareCodeShow)
	pages.HandleFunc("POST /s", h.shareCodeOpen)
	pages.HandleFunc("GET /s/{key}", h.shareShow)
	pages.HandleFunc("POST /s/{key}", h.shareUnlock)
	pages.HandleFunc("GET /s/{key}/viewer", h.shareViewer)
	pages.HandleFunc("GET /s/{key}/download", h.shareDownload)
	pages.HandleFunc("GET /s/{key}/report", h.shareReport)
	pages.HandleFunc("POST /studies/{uid}/download", h.loggedIn(h.downloadCreate))
	pages.HandleFunc("GET /downloads/{token}", h.loggedIn(h.downloadShow))
	pages.HandleFunc("POST /downloads/{token}", h.loggedIn(h.downloadVerify))
	pages.HandleFunc("GET /downloads/{token}/file", h.loggedIn(h.downloadFile))
	pages.HandleFunc("GET /studies/{uid}/activity", h.loggedIn(h.activityShow))
	pages.HandleFunc("GET /members", h.forPatients(h.memberList))
	pages.HandleFunc("POST /members", h.forPatients(h.memberCreate))
	pages.HandleFunc("POST /members/switch", h.forPatients(h.memberSwitch))
	pages.HandleFunc("POST /members/{id}/delete", h.forPatients(h.memberDelete))
	pages.HandleFunc("GET /members/match", h.forPatients(h.matchShow))
	pages.HandleFunc("POST /members/match", h.forPatients(h.matchFind))
	pages.HandleFunc("GET /invite/{token}", h.inviteShow)
	pages.HandleFunc("POST /invite/{token}", h.inviteAccept)
	pages.HandleFunc("GET /admin/audit", h.adminOnly(h.auditSearch))
	pages.HandleFunc("GET /admin/audit.csv", h.adminOnly(h.auditExport))
	pages.HandleFunc("GET /admin/shares", h.adminOnly(h.shareAdminList))
	pages.HandleFunc("POST /admin/shares/{id}/revoke", h.adminOnly(h.shareRevoke))
	pages.HandleFunc("GET /admin/organisations", h.adminOnly(h.orgList))
	pages.HandleFunc("POST /admin/organisations", h.adminOnly(h.orgSave))
	pages.HandleFunc("GET /admin/studies/{uid}/delete", h.adminOnly(h.studyDeleteShow))
	pages.HandleFunc("POST /admin/studies/{uid}/delete", h.adminOnly(h.studyDelete))
	pages.HandleFunc("POST /admin/studies/{uid}/keep", h.adminOnly(h.studyKeep))
	pages.HandleFunc("POST /admin/support/{id}/close", h.adminOnly(h.supportClose))

	pages.HandleFunc("/", h.notFound)
	mux.Handle("/", h.withSession(pages))
	return mux
}

// homeShow sends visitors to their studies, or to the login page.
func (h *Handler) homeShow(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/studies", http.StatusSeeOther)
}
