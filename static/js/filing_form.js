/* The filing form (立案审批表): the end of the act shows for a continuing act only; the lead
 * officer is not offered as his own colleague. */
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
    leadIsNoColleague();
  });
})();
