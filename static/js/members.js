// Membership pages in the console. No inline scripts: templates mark elements with data attributes.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    // A "select all" box in a table header ticks every row box of the same name in its form.
    document.querySelectorAll("input[data-check-all]").forEach(function (all) {
      if (!all.form) return;
      var boxes = all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.checkAll + '"]');
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
    });
    // The status form shows the extra field a status needs: the retained reason, or the expulsion decision.
    document.querySelectorAll("form[data-status-form]").forEach(function (form) {
      var select = form.querySelector('select[name="status"]');
      if (!select) return;
      function update() {
        form.querySelectorAll("[data-show-when]").forEach(function (el) {
          el.hidden = el.dataset.showWhen !== select.value;
        });
      }
      select.addEventListener("change", update);
      update();
    });
  });
})();
