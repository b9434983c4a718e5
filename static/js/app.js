// gonghui front-end glue. No inline scripts anywhere: pages load this file and htmx, nothing else.
document.addEventListener("DOMContentLoaded", function () {
  // Auto-submit selects marked data-autosubmit (the org switcher and filters) without inline handlers.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
});
