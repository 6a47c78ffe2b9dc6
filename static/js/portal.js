// Behaviour every page may ask for with a data attribute, so templates carry no inline code
// (the Content-Security-Policy refuses inline scripts and handlers):
//   data-autosubmit  on a field: its form is sent when the field changes;
//   data-print       on a button: prints the page;
//   data-confirm     on a submit button or a form: asks the question first, sends only on "OK".
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (!field || !field.form) return;
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print], [data-confirm]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (target.tagName !== "FORM" && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
