/* The filing form (立案审批表): the end of the act shows for a continuing act only; the item
 * chooser follows the date of the act; the lead officer is not offered as his own colleague. */
(function () {
  "use strict";

  function continuingAct() {
    var box = document.getElementById("id_act_continuing");
    var end = document.getElementById("id_act_end_date");
    if (!box || !end) return;
    var wrapper = end.closest("div.col-sm-6");
    function toggle() { wrapper.hidden = !box.checked; }
    box.addEventListener("change", toggle);
    toggle();
  }

  function itemsFollowTheDate() {
    var form = document.querySelector("form[data-items-url]");
    var date = document.getElementById("id_act_date");
    if (!form || !date || !window.htmx) return;
    date.addEventListener("change", function () {
      var current = document.getElementById("id_power_item");
      var url = form.dataset.itemsUrl + "?act_date=" + encodeURIComponent(date.value) +
        "&power_item=" + encodeURIComponent(current ? current.value : "");
      window.htmx.ajax("GET", url, { target: "#item-chooser", swap: "innerHTML" });
    });
  }

  function leadIsNoColleague() {
    var lead = document.getElementById("id_lead_officer");
    if (!lead) return;
    function toggle() {
      document.querySelectorAll("[data-officer]").forEach(function (row) {
        var own = row.dataset.officer === lead.value;
        row.hidden = own;
        if (own) {
          var box = row.querySelector("input[type=checkbox]");
          if (box) box.checked = false;
        }
      });
    }
    lead.addEventListener("change", toggle);
    toggle();
  }

  document.addEventListener("DOMContentLoaded", function () {
    continuingAct();
    itemsFollowTheDate();
    leadIsNoColleague();
  });
})();
