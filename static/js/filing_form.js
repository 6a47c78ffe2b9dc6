// The end of the act matters only for a continuing act.
(function () {
  "use strict";
  var box = document.getElementById("id_act_continuing");
  var end = document.getElementById("id_act_end_date");
  if (!box || !end) return;
  var wrapper = end.closest("div.col-sm-6");
  function toggle() { wrapper.hidden = !box.checked; }
  box.addEventListener("change", toggle);
  toggle();
})();
// The item chooser follows the date of the act: only items delegated on that day are offered.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=filing-form]");
  var date = document.getElementById("id_act_date");
  var chooser = document.getElementById("item-chooser");
  if (!form || !form.dataset.itemsUrl || !date || !chooser || !window.htmx) return;
  date.addEventListener("change", function () {
    var current = document.getElementById("id_power_item");
    var url = form.dataset.itemsUrl + "?act_date=" + encodeURIComponent(date.value) +
      "&power_item=" + encodeURIComponent(current ? current.value : "");
    htmx.ajax("GET", url, {target: "#item-chooser", swap: "innerHTML"});
  });
})();
