/* The department entry page (templates/evaluation/entry/department.html).
   The grade is computed by the server (htmx posts the row to entry_preview and swaps the messages in);
   this script keeps the accessibility state in step with what the server sent:
   - aria-invalid on an input follows whether its message element holds an error;
   - after a refused save the error summary takes the focus, so it is read first.
   And it keeps what was typed from being lost when the session ends or the page is left:
   - before a save, and when the page is left, the rows holding unsaved values (changed on the page,
     or shown again after a refusal) are kept in the tab's sessionStorage, under a key naming the
     user, the department and the year (the form's data-stash-key), with a fresh token on a save;
   - a page that carries that token back (data-handled-token) handled the save: the stash is dropped.
     A page that does not (the save went to the login page because the session had ended, or the
     page was left) puts the values back into their rows, with their version and shown values, so
     that the server compares them as it would have, and says so in the notice #restored-notice. */
(function () {
  "use strict";

  function syncInvalid(root) {
    (root || document).querySelectorAll("[data-describes]").forEach(function (message) {
      var input = document.getElementById(message.getAttribute("data-describes"));
      if (!input) {
        return;
      }
      if (message.querySelector(".field-error")) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  }

  document.addEventListener("htmx:afterSettle", function () {
    syncInvalid(document);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    syncInvalid(document);
  });

  // Keeping what was typed ----------------------------------------------------------------------

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage refused by the browser: the page works as before, without the stash
    }
  }

  function newToken() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function isSelection(input) {
    return /-selected$/.test(input.name);
  }

  function isChanged(input) {
    if (input.type === "hidden" || isSelection(input)) {
      return false;
    }
    if (input.type === "checkbox") {
      return input.checked !== input.defaultChecked;
    }
    if (input.tagName === "SELECT") {
      return Array.prototype.some.call(input.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return input.value !== input.defaultValue;
  }

  function fieldsOf(row) {
    return Array.prototype.filter.call(row.querySelectorAll("input[name], select[name], textarea[name]"), function (input) {
      return !isSelection(input);
    });
  }

  function valueOf(input) {
    return input.type === "checkbox" ? input.checked : input.value;
  }

  function labelOf(input) {
    if (input.hasAttribute("data-short-label")) {
      return input.getAttribute("data-short-label"); // 実績, 集計中, 評価, 理由: the row is named already
    }
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    if (input.type === "checkbox") {
      label = input.closest("label");
    }
    return label ? label.textContent.replace(/\s+/g, " ").trim() : input.name;
  }

  function typedOf(fields) {
    return fields
      .filter(function (input) {
        return input.type !== "hidden" && (input.type !== "checkbox" ? input.value !== "" : input.checked);
      })
      .map(function (input) {
        if (input.tagName === "SELECT" && input.selectedIndex >= 0) {
          return [labelOf(input), input.options[input.selectedIndex].text]; // a state by its name (中止), not its code
        }
        return [labelOf(input), input.type === "checkbox" ? "✓" : input.value];
      });
  }

  // The rows holding values that are not saved: changed on this page, or shown again after a refusal.
  function unsavedRows(form) {
    return Array.prototype.filter.call(form.querySelectorAll("tbody.entry-item--editable"), function (row) {
      return row.hasAttribute("data-unsaved") || fieldsOf(row).some(isChanged);
    });
  }

  function stash(form, token) {
    var store = storage();
    if (!store) {
      return;
    }
    var rows = unsavedRows(form).map(function (row) {
      var fields = fieldsOf(row);
      var values = {};
      fields.forEach(function (input) {
        values[input.name] = valueOf(input);
      });
      return { id: row.id, label: row.getAttribute("data-label"), values: values, typed: typedOf(fields) };
    });
    var key = form.getAttribute("data-stash-key");
    if (!rows.length && !token) {
      store.removeItem(key);
      return;
    }
    store.setItem(key, JSON.stringify({ token: token || "", rows: rows }));
  }

  function setValue(input, value) {
    if (input.type === "checkbox") {
      input.checked = Boolean(value);
    } else {
      input.value = value;
    }
  }

  function differs(row, values) {
    return fieldsOf(row).some(function (input) {
      return input.type !== "hidden" && input.name in values && valueOf(input) !== values[input.name];
    });
  }

  function listItem(text, href) {
    var item = document.createElement("li");
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      item.appendChild(link);
    } else {
      item.textContent = text;
    }
    return item;
  }

  function describe(saved) {
    var typed = (saved.typed || [])
      .map(function (pair) {
        return pair[0] + ": " + pair[1];
      })
      .join(" ／ ");
    return saved.label + (typed ? " — " + typed : "");
  }

  function restore(form, saved) {
    var restored = [];
    var lost = [];
    saved.rows.forEach(function (entry) {
      var row = document.getElementById(entry.id);
      if (!row || !row.classList.contains("entry-item--editable")) {
        if (entry.typed && entry.typed.length) {
          lost.push(entry);
        }
        return;
      }
      if (!differs(row, entry.values)) {
        return; // the page already shows it
      }
      var changed = [];
      var hidden = []; // [input, the value the server gave it]: a hidden input has no separate default
      fieldsOf(row).forEach(function (input) {
        if (input.name in entry.values) {
          if (input.type === "hidden") {
            hidden.push([input, input.value]);
          } else {
            changed.push(input);
          }
          setValue(input, entry.values[input.name]);
        }
      });
      row.setAttribute("data-restored", "");
      restored.push({ entry: entry, inputs: changed, hidden: hidden });
    });
    return { restored: restored, lost: lost };
  }

  function announce(notice, outcome) {
    var list = notice.querySelector("[data-restored-list]");
    outcome.restored.forEach(function (item) {
      list.appendChild(listItem(describe(item.entry), "#" + item.entry.id));
      // Let the server grade what was put back, as it does while typing (the row's htmx trigger).
      item.inputs.forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
    if (outcome.lost.length) {
      var lostList = notice.querySelector("[data-not-restored-list]");
      outcome.lost.forEach(function (entry) {
        lostList.appendChild(listItem(describe(entry), ""));
      });
      notice.querySelector("[data-not-restored]").hidden = false;
    }
    notice.hidden = false;
    notice.querySelector("[data-discard-restored]").addEventListener("click", function () {
      outcome.restored.forEach(function (item) {
        item.inputs.forEach(function (input) {
          if (input.type === "checkbox") {
            input.checked = input.defaultChecked;
          } else {
            input.value = input.defaultValue;
          }
          input.dispatchEvent(new Event("input", { bubbles: true }));
        });
        item.hidden.forEach(function (pair) {
          pair[0].value = pair[1];
        });
        document.getElementById(item.entry.id).removeAttribute("data-restored");
      });
      notice.hidden = true;
    });
  }

  function keepTyping(form) {
    var store = storage();
    var key = form.getAttribute("data-stash-key");
    var submitting = false;
    if (store) {
      var saved = null;
      try {
        saved = JSON.parse(store.getItem(key) || "null");
      } catch (error) {
        saved = null;
      }
      store.removeItem(key);
      var handled = form.getAttribute("data-handled-token");
      if (saved && saved.rows && !(saved.token && saved.token === handled)) {
        var outcome = restore(form, saved);
        var notice = document.getElementById("restored-notice");
        if (notice && (outcome.restored.length || outcome.lost.length)) {
          announce(notice, outcome);
        }
      }
    }
    form.addEventListener("submit", function () {
      var token = newToken();
      form.querySelector('input[name="stash_token"]').value = token;
      submitting = true;
      stash(form, token);
    });
    window.addEventListener("pagehide", function () {
      if (!submitting) {
        stash(form, "");
      }
    });
    window.addEventListener("pageshow", function (event) {
      // Back from the browser's cache: the page still holds what was typed; a stash would be stale.
      if (event.persisted && store) {
        submitting = false;
        store.removeItem(key);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.entry-form[data-stash-key]");
    if (form) {
      keepTyping(form);
    }
    var summary = document.getElementById("error-summary");
    var notice = document.getElementById("restored-notice");
    if (summary) {
      summary.focus();
    } else if (notice && !notice.hidden) {
      notice.focus();
    }
  });
})();
