/* The department entry page (templates/evaluation/entry/department.html).
   The grade is computed by the server (htmx posts the row to entry_preview and swaps the messages in);
   this script only keeps the accessibility state in step with what the server sent:
   - aria-invalid on an input follows whether its message element holds an error;
   - after a refused save the error summary takes the focus, so it is read first. */
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

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
