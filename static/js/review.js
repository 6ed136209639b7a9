// Review queue: a "select all on this page" checkbox. Without JavaScript it stays hidden and each
// row is selected on its own.
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("[data-select-all]")) {
    const table = document.getElementById(toggle.dataset.selectAll);
    if (!table) continue;
    const boxes = () => table.querySelectorAll('input[type="checkbox"][name="selected"]');
    toggle.closest("[hidden]")?.removeAttribute("hidden");
    toggle.addEventListener("change", () => {
      for (const box of boxes()) box.checked = toggle.checked;
    });
    table.addEventListener("change", () => {
      const all = [...boxes()];
      toggle.checked = all.length > 0 && all.every((box) => box.checked);
      toggle.indeterminate = !toggle.checked && all.some((box) => box.checked);
    });
  }
});
