// Show the fields of the chosen kind of party; look up earlier cases of a complete number.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=party-form]");
  if (!form) return;
  function kind() { var c = form.querySelector("input[name=kind]:checked"); return c ? c.value : "person"; }
  function toggle() {
    var person = kind() === "person";
    form.querySelectorAll(".person-only").forEach(function (el) { el.hidden = !person; });
    form.querySelectorAll(".organisation-only").forEach(function (el) { el.hidden = person; });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (el) { el.addEventListener("change", toggle); });
  toggle();
  var historyUrl = form.dataset.historyUrl;
  ["id_id_number", "id_credit_code"].forEach(function (id) {
    var input = document.getElementById(id);
    if (!input || !historyUrl || !window.htmx) return;
    input.addEventListener("input", function () {
      var value = input.value.replace(/\s+/g, "");
      if (value.length !== 18) return;
      var param = id === "id_id_number" ? "id_number" : "credit_code";
      htmx.ajax("GET", historyUrl + "?" + param + "=" + encodeURIComponent(value),
        {target: "#party-history", swap: "innerHTML"});
    });
  });
})();
