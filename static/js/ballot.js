// The phone ballot (portal/congress/vote.html): how many people the ballot approves against the seats, so that
// a delegate sees before casting that approving more than the seats would make the ballot invalid. The server
// checks it again; this only helps.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-ballot][data-seats]");
  var hint = form && form.querySelector("[data-ballot-hint]");
  if (!form || !hint) { return; }
  var seats = parseInt(form.getAttribute("data-seats"), 10);
  var norm = function (s) { return s.replace(/\s+/g, "").toLowerCase(); };
  var update = function () {
    var approved = {};
    form.querySelectorAll("input[type=radio][value=approve]:checked").forEach(function (input) {
      var legend = input.closest("fieldset").querySelector("legend");
      approved[norm(legend.textContent.replace(/^\d+\.\s*/, ""))] = true;
    });
    form.querySelectorAll("input[name=write_in]").forEach(function (input) {
      if (norm(input.value)) { approved[norm(input.value)] = true; }
    });
    var n = Object.keys(approved).length;
    var over = n > seats;
    var text = hint.getAttribute(over ? "data-over" : "data-text");
    hint.textContent = text.replace("{n}", n).replace("{seats}", seats);
    hint.classList.toggle("over", over);
  };
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
});
