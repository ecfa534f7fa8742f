// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts: <form data-confirm="…"> asks before submitting, <select data-autosubmit>
// submits its form when changed, <button data-print> prints the page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
