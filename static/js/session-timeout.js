/* The idle-session warning (WCAG 2.2.1 Timing Adjustable), on every page of a signed-in person.

   The server ends a session after SESSION_COOKIE_AGE seconds without a request (each request starts the
   period again). <body> says how long this page's session has (data-session-expires-in, seconds from
   this answer), how long before the end to warn (data-session-warn-before) and where to extend it
   (data-session-extend-url). This script:
   - keeps the end as a time (data-session-expires-at on <body>, ISO 8601, kept up to date; other
     scripts may read it) and shares it between the tabs of the browser (localStorage): a request in
     one tab keeps every tab's session alive, so no tab warns for nothing;
   - counts htmx requests as activity: the server renews the session at most once a minute
     (accounts/activity.py) and says in X-Session-Expires-In how long it has;
   - warn-before seconds before the end, opens the dialog of templates/includes/session_timeout_dialog.html
     (modal: it takes the focus, and gives it back when it closes), with the time left;
   - "Stay signed in" posts to the extension URL and closes the dialog; Escape closes it without
     extending;
   - at the end, the dialog says so and offers to sign in again (the page stays as it is);
   - tells other scripts: "mezasu:session-extended" and "mezasu:session-expired" events on document. */
(function () {
  "use strict";

  var STORAGE_KEY = "mezasu.sessionExpiresAt";
  var body = document.body;
  var expiresIn = Number(body.getAttribute("data-session-expires-in"));
  var dialog = document.getElementById("session-timeout-dialog");
  if (!expiresIn || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warnBefore = Number(body.getAttribute("data-session-warn-before")) || 0;
  var extendUrl = body.getAttribute("data-session-extend-url");
  var loginUrl = body.getAttribute("data-session-login-url") || "";
  var warning = dialog.querySelector('[data-session-state="warning"]');
  var expiredState = dialog.querySelector('[data-session-state="expired"]');
  var remainingText = dialog.querySelector("[data-session-remaining]");
  var extendForm = dialog.querySelector("[data-session-extend]");
  var errorText = dialog.querySelector("[data-session-error]");
  var deadline = 0;
  var expired = false;
  var returnFocus = null;
  var timer = null;
  var dismissedAt = 0; // the deadline whose warning the person closed (Escape): not shown again for it

  function sharedDeadline() {
    try {
      return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
    } catch (error) {
      return 0; // storage refused (private mode, policy): this tab counts alone
    }
  }

  function setDeadline(at) {
    deadline = at;
    body.setAttribute("data-session-expires-at", new Date(at).toISOString());
    try {
      if (at > sharedDeadline()) {
        window.localStorage.setItem(STORAGE_KEY, String(at));
      }
    } catch (error) {
      // as above
    }
  }

  function restart(seconds) {
    setDeadline(Date.now() + seconds * 1000);
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function show(state) {
    var isWarning = state === warning;
    warning.hidden = !isWarning;
    expiredState.hidden = isWarning;
    dialog.setAttribute("aria-labelledby", isWarning ? "session-warning-title" : "session-expired-title");
    dialog.setAttribute("aria-describedby", isWarning ? "session-warning-text" : "session-expired-text");
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
    var first = state.querySelector("[autofocus], a, button");
    if (first && !state.contains(document.activeElement)) {
      first.focus();
    }
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
  }

  function announce(name) {
    document.dispatchEvent(new CustomEvent(name, { detail: { expiresAt: new Date(deadline) } }));
  }

  function expire() {
    expired = true;
    window.clearInterval(timer);
    show(expiredState);
    announce("mezasu:session-expired");
  }

  function check() {
    var shared = sharedDeadline();
    if (shared > deadline) {
      setDeadline(shared); // another tab kept the session alive
    }
    var left = secondsLeft();
    if (left <= 0) {
      expire();
      return;
    }
    if (left <= warnBefore) {
      remainingText.textContent = clock(left);
      if (!dialog.open && dismissedAt !== deadline) {
        errorText.hidden = true;
        show(warning);
      }
    } else if (dialog.open) {
      close();
    }
  }

  function extend(event) {
    event.preventDefault();
    errorText.hidden = true;
    var token = extendForm.querySelector("[name=csrfmiddlewaretoken]").value;
    window
      .fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual", // an ended session is sent to the login page: not an extension
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          expire();
          return null;
        }
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (answer) {
          restart(Number(answer.expires_in) || expiresIn);
          close();
          announce("mezasu:session-extended");
        }
      })
      .catch(function () {
        errorText.hidden = false;
      });
  }

  dialog.addEventListener("cancel", function () {
    if (!expired) {
      dismissedAt = deadline; // Escape: closed without extending
    }
  });
  dialog.addEventListener("close", function () {
    if (returnFocus && document.contains(returnFocus) && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  });
  extendForm.addEventListener("submit", extend);
  dialog.querySelector("[data-session-close]").addEventListener("click", close);

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (expired || !xhr || xhr.status === 0) {
      return;
    }
    var landed = xhr.responseURL ? new URL(xhr.responseURL).pathname : "";
    if (loginUrl && landed === loginUrl) {
      return; // sent to the login page: the session had ended already
    }
    var told = Number(xhr.getResponseHeader("X-Session-Expires-In"));
    restart(told > 0 ? told : expiresIn);
  });
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && !expired) {
      check();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!expired) {
      check();
    }
  });

  restart(expiresIn);
  timer = window.setInterval(check, 1000);
})();
