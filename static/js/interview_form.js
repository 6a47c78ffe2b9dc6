// The questions and answers of an interview: "add" appends an empty row from the template.
(function () {
  "use strict";
  var total = document.getElementById("id_qa-TOTAL_FORMS");
  var add = document.getElementById("qa-add");
  if (!total || !add) return;
  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = document.getElementById("qa-empty").innerHTML.replace(/__prefix__/g, index);
    document.getElementById("qa-rows").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
})();
