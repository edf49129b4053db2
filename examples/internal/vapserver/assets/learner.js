"use strict";
(function () {
  var body = document.body;
  var exchangePath = body.getAttribute("data-exchange");
  var apiPath = body.getAttribute("data-api");
  var token = "";

  function $(id) { return document.getElementById(id); }
  function say(text) { $("status").textContent = text; }

  // The code travels in the fragment, which never reaches a server log;
  // remove it from the address bar and history at once.
  var code = new URLSearchParams(location.hash.slice(1)).get("code");
  history.replaceState(null, "", location.pathname + location.search);

  function call(method, path, payload) {
    var init = { method: method, headers: { "Accept": "application/json" } };
    if (token) { init.headers["Authorization"] = "Bearer " + token; }
    if (payload !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    return fetch(path, init).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) { throw new Error(data.detail || data.title || res.statusText); }
        return data;
      });
    });
  }

  function show(view) {
    var s = view.summary;
    $("case").classList.remove("hidden");
    $("case-title").textContent = s.case_title;
    $("case-id").textContent = s.case_id;
    $("case-version").textContent = s.case_version;
    $("attempt").textContent = s.attempt;
    $("learner").textContent = s.partner_user_id;
    $("session-status").textContent = s.status.replace("_", " ");
    $("case-summary").textContent = view.case_summary;
    $("vignette").textContent = view.vignette;
    $("script").textContent = "Script: " + view.script;
    $("start").disabled = s.status !== "created";
    $("complete").disabled = s.status !== "in_progress";
    body.setAttribute("data-session-status", s.status);
    if (s.score) { showResult(s); }
  }

  function showResult(s) {
    $("result").classList.remove("hidden");
    $("score").textContent = s.score.percent.toFixed(2) + "%";
    var outcome = $("outcome");
    outcome.textContent = s.outcome;
    outcome.className = "pill " + s.outcome;
    $("fail-reasons").textContent = s.score.fail_reasons.join(", ");
    var rows = $("sub-scores").querySelector("tbody");
    rows.textContent = "";
    s.sub_scores.forEach(function (d) {
      var tr = document.createElement("tr");
      [d.domain.replace(/_/g, " "), d.points + " / " + d.max_points,
        d.percent.toFixed(2) + "%", d.hurdle].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    var list = $("errors");
    list.textContent = "";
    s.flagged_errors.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e.code + " (" + e.severity + (e.patient_safety ? ", patient safety" : "") +
        "): " + e.message;
      if (e.patient_safety) { li.className = "safety"; }
      list.appendChild(li);
    });
    if (s.flagged_errors.length === 0) { list.textContent = "None."; }
  }

  function step(method, path) {
    $("start").disabled = true;
    $("complete").disabled = true;
    return call(method, apiPath + path).then(show).catch(function (err) {
      say("Something went wrong: " + err.message);
    });
  }

  $("start").addEventListener("click", function () {
    step("POST", "/start").then(function () { say("Case in progress."); });
  });
  $("complete").addEventListener("click", function () {
    step("POST", "/complete").then(function () { say("Case completed."); });
  });

  if (!code) {
    say("No launch code. Open your case from your learning platform.");
    return;
  }
  call("POST", exchangePath, { code: code }).then(function (res) {
    token = res.session_token;
    body.setAttribute("data-session-id", res.session_id);
    return call("GET", apiPath + "/session");
  }).then(function (view) {
    say("Session ready.");
    show(view);
  }).catch(function (err) {
    say("Could not open the case: " + err.message);
  });
})();
