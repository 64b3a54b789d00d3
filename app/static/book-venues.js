/* Bulk booking: the "all job centres" and "all in a town" links tick their venues at once,
   keeping what has been typed; without this script the links reload the form with them ticked. */
(function () {
  "use strict";

  var groups = document.querySelector("[data-tick-groups]");
  var fieldset = document.getElementById("venue_ids");
  if (!groups || !fieldset) { return; }
  var status = groups.querySelector("[data-tick-status]");

  groups.querySelectorAll("[data-tick]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var ids = link.getAttribute("data-tick").split(",").filter(Boolean);
      var boxes = fieldset.querySelectorAll("input[type=checkbox]");
      var ticked = 0;
      boxes.forEach(function (box) {
        if (!ids.length) { box.checked = false; return; }
        if (ids.indexOf(box.value) !== -1) { box.checked = true; ticked += 1; }
      });
      if (status) {
        status.textContent = ids.length
          ? "Ticked " + ticked + (ticked === 1 ? " venue" : " venues") + ": " + link.textContent.replace(/ \(\d+\)$/, "") + "."
          : "No venues ticked.";
      }
    });
  });
})();
