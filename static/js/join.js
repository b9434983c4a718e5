// The join and transfer forms: small enhancements on top of pages that work without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // The platform question only concerns new forms of employment (riders, couriers, drivers ...).
  var form = document.querySelector("select[data-new-employment]");
  var platform = document.getElementById("platform-field");
  if (form && platform) {
    var forms = form.getAttribute("data-new-employment").split(",");
    var toggle = function () { platform.hidden = forms.indexOf(form.value) === -1; };
    form.addEventListener("change", toggle);
    toggle();
  }

  // Enter in a search box searches (htmx listens for "find") instead of sending the whole form.
  document.querySelectorAll("input[data-search]").forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        input.dispatchEvent(new Event("find"));
      }
    });
  });

  // After a code was sent, the button waits out the minute before another can be asked for.
  var button = document.getElementById("send-code");
  if (button) {
    var label = button.textContent;
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target.id !== "code-status" || !event.target.querySelector("[data-sent]")) { return; }
      var left = 60;
      button.disabled = true;
      var tick = function () {
        if (left <= 0) { button.disabled = false; button.textContent = label; return; }
        button.textContent = label + " (" + left + ")";
        left -= 1;
        window.setTimeout(tick, 1000);
      };
      tick();
    });
  }
});
