package vapserver

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// Paths of the learner page's assets and API.
const (
	learnerScriptPath = "/app/learner.js"
	learnerAPIPath    = "/app/api"
)

var (
	//go:embed assets/learner.html
	learnerHTML string
	//go:embed assets/learner.js
	learnerScript []byte

	learnerPage = template.Must(template.New("learner").Parse(learnerHTML))
)

// LearnerView is what the learner page's API answers: the session summary
// and the case text the page shows.
type LearnerView struct {
	// Summary is the session's summary, as partners receive it.
	Summary reporting.SessionSummary `json:"summary"`
	// CaseSummary is the case's learner-safe summary.
	CaseSummary string `json:"case_summary"`
	// Vignette is the simulated patient's opening line.
	Vignette string `json:"vignette"`
	// Script names the scripted result the page finishes the case with.
	Script string `json:"script"`
}

// routes mounts the partner API, the learner page and its API.
func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.Handle(demo.APIBasePath+"/", s.api)
	mux.Handle("GET "+demo.StylePath, demo.StyleHandler())
	mux.HandleFunc("GET "+LearnerAppPath, s.handleLearnerPage)
	mux.HandleFunc("GET "+learnerScriptPath, handleLearnerScript)

	learner := func(pattern string, fn http.HandlerFunc) {
		mux.Handle(pattern, s.api.RequireSession(fn))
	}
	learner("GET "+learnerAPIPath+"/session", s.handleSession)
	learner("POST "+learnerAPIPath+"/start", s.handleStart)
	learner("POST "+learnerAPIPath+"/complete", s.handleComplete)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, LearnerAppPath, http.StatusSeeOther)
	})
	s.mux = mux
}

func (s *Server) handleLearnerPage(w http.ResponseWriter, _ *http.Request) {
	var buf bytes.Buffer
	err := learnerPage.Execute(&buf, map[string]string{
		"StylePath": demo.StylePath, "ScriptPath": learnerScriptPath,
		"ExchangePath": demo.APIBasePath + "/launch/exchange", "APIPath": learnerAPIPath,
	})
	if err != nil {
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}

	demo.PageHeaders(w, "'none'")
	_, _ = w.Write(buf.Bytes())
}

func handleLearnerScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(learnerScript)
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	ss, _ := reporting.SessionFromContext(r.Context())
	s.writeView(w, r, ss)
}

// handleStart starts the session; a session already started is shown as
// it is, so a double click does no harm.
func (s *Server) handleStart(w http.ResponseWriter, r *http.Request) {
	ss, _ := reporting.SessionFromContext(r.Context())
	if ss.Status == session.StatusCreated {
		started, err := s.service.Start(r.Context(), ss.PartnerID, ss.ID)
		if err != nil {
			s.fail(w, err)
			return
		}

		ss = started
	}

	s.writeView(w, r, ss)
}

// handleComplete completes the session with its case's scripted result.
func (s *Server) handleComplete(w http.ResponseWriter, r *http.Request) {
	ss, _ := reporting.SessionFromContext(r.Context())
	if ss.Status == session.StatusInProgress {
		c, _ := demo.CaseByID(ss.CaseID)
		in := c.Script.Input
		done, err := s.service.Complete(r.Context(), ss.PartnerID, ss.ID,
			session.Completion{Input: &in})
		if err != nil {
			s.fail(w, err)
			return
		}

		ss = done
	}

	s.writeView(w, r, ss)
}

func (s *Server) writeView(w http.ResponseWriter, r *http.Request, ss session.Session) {
	title := ss.CaseID
	if major, minor, err := session.ParseVersion(ss.CaseVersion); err == nil {
		v, err := s.cfg.Store.GetCaseVersion(r.Context(), ss.CaseID, major, minor)
		if err == nil {
			title = v.Title
		}
	}

	c, _ := demo.CaseByID(ss.CaseID)
	writeJSON(w, http.StatusOK, LearnerView{
		Summary:     reporting.NewSessionSummary(ss, title, time.Now()),
		CaseSummary: c.Case.Summary, Vignette: c.Vignette, Script: c.Script.Name,
	})
}

// fail answers a lifecycle error without internal detail.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status, msg := http.StatusInternalServerError, "the session could not be updated"
	if errors.Is(err, session.ErrInvalidTransition) {
		status, msg = http.StatusConflict, "the session cannot do that now"
	}

	s.cfg.Logger.Error("learner api", "err", err)
	writeJSON(w, status, map[string]string{"title": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
