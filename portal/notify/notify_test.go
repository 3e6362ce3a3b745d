package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// fakeSMTP is a mail server on loopback that accepts one message and
// hands its envelope and data to the test.
func fakeSMTP(t *testing.T) (addr string, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		say := func(s string) { io.WriteString(conn, s+"\r\n") }
		say("220 fake ESMTP")
		var log strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250-fake\r\n250 8BITMIME")
			case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
				log.WriteString(strings.TrimSpace(line) + "\n")
				say("250 ok")
			case cmd == "DATA":
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					log.WriteString(l)
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				got <- log.String()
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTP(t *testing.T) {
	addr, got := fakeSMTP(t)
	s := &SMTP{Addr: addr, From: "City Hospital <reports@example.org>"}
	err := s.Send(context.Background(), Message{Channel: Email, To: "patient@example.org", Subject: "Your report is ready ✓",
		Body: "Dear patient,\nरिपोर्ट तैयार है.\n"})
	if err != nil {
		t.Fatal(err)
	}
	msg := <-got
	for _, want := range []string{"MAIL FROM:<reports@example.org>", "RCPT TO:<patient@example.org>", "Subject: =?utf-8?q?Your_report_is_ready_",
		"Content-Type: text/plain; charset=utf-8"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msg[strings.Index(msg, "\r\n\r\n")+4:])))
	if !strings.Contains(string(body), "रिपोर्ट तैयार है.") {
		t.Errorf("body = %q, want the Devanagari line", body)
	}
	if err := s.Send(context.Background(), Message{Channel: SMS, To: "+911234"}); err == nil {
		t.Error("SMTP sent an SMS")
	}
}

func TestSMSHook(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	h := &SMSHook{URL: srv.URL, Token: "tok"}
	if err := h.Send(context.Background(), Message{Channel: SMS, To: "+91 98765 43210", Body: "Your report is ready"}); err != nil {
		t.Fatal(err)
	}
	if got["to"] != "+91 98765 43210" || got["body"] != "Your report is ready" {
		t.Errorf("gateway got %v", got)
	}
	h.Token = "wrong"
	if err := h.Send(context.Background(), Message{Channel: SMS, To: "+1", Body: "x"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("refused by the gateway: err = %v, want 401", err)
	}
}

func TestLogSender(t *testing.T) {
	var buf strings.Builder
	l := zerolog.New(&buf)
	if err := (Log{Log: &l}).Send(context.Background(), Message{ID: 7, Channel: Email, To: "secret@example.org", Body: "report text",
		Kind: "report.final", StudyUID: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"notification_id":7`) || strings.Contains(buf.String(), "secret@") || strings.Contains(buf.String(), "report text") {
		t.Errorf("log line = %s; want the id and neither recipient nor text", buf.String())
	}
}
