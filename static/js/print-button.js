// The report page's print button: shown only where script runs (without it, the browser's own
// print command prints the same page).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
