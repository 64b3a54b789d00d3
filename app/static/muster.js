/* Muster's only script: small touches on top of pages that work without it. */
(function () {
  "use strict";

  // Move focus to the error summary, so screen-reader and keyboard users hear what went wrong.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // "Copy" buttons next to a read-only link field.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-copy") + "-status");
      if (!field) { return; }
      var done = function () {
        if (status) { status.textContent = "Link copied. Paste it into your calendar app."; }
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = "Copy link"; }, 2500);
      };
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy"); done();
      }
    });
  });

  // The people picker: narrow the list as you type (the search button still works without this).
  var filter = document.querySelector("[data-picker-filter]");
  if (filter) {
    var items = document.querySelectorAll("[data-picker-item]");
    var count = document.getElementById("picker-count");
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var hit = !q || item.getAttribute("data-picker-item").indexOf(q) !== -1;
        item.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = shown + (shown === 1 ? " person" : " people") + " shown"; }
    });
  }
})();
