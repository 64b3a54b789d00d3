/* A staffing plan's progress, live: polls the job's JSON every second and updates the page
   in place; once the plan has ended, reloads it to show the review. Without this script the
   page still works: a refresh shows the latest. */
(function () {
  "use strict";

  var box = document.querySelector("[data-plan-job]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-plan-job");
  var PHASE_WORDS = {
    starting: "Loading events and people",
    greedy: "A first plan",
    needs: "Network and language needs",
    places: "Filling the places",
    fairness: "Sharing the load fairly",
    travel: "Cutting travel",
    done: "Done"
  };
  var order = Array.prototype.map.call(box.querySelectorAll("[data-phase]"), function (item) {
    return item.getAttribute("data-phase");
  });
  var lastPhase = null;
  var failures = 0;

  function field(name, root) { return (root || box).querySelector("[data-field='" + name + "']"); }
  function set(name, text, root) { var el = field(name, root); if (el && el.textContent !== text) { el.textContent = text; } }

  function tag(proven) {
    return proven ? '<strong class="tag tag--green">Proven</strong>' : '<strong class="tag tag--grey">Not yet</strong>';
  }

  function show(job) {
    var seconds = job.elapsed_seconds || 0;
    if (job.status === "running") {
      set("heading", job.stop_requested ? "Stopping: keeping the best plan so far" : "Working on the plan");
      var tagBox = document.querySelector("[data-field='status-tag']");
      var wantedTag = job.stop_requested
        ? '<strong class="tag tag--yellow">Stopping</strong>'
        : '<strong class="tag tag--blue">Running</strong>';
      if (tagBox && tagBox.innerHTML !== wantedTag) { tagBox.innerHTML = wantedTag; }
      var missing = field("worker-missing");
      if (missing) { missing.hidden = true; }
    }
    set("elapsed", Math.round(seconds) + " s");
    if (job.time_limit) {
      set("limit", String(Math.round(job.time_limit)));
      var share = Math.min(100, seconds / job.time_limit * 100);
      var bar = field("bar");
      if (bar) { bar.style.width = share.toFixed(1) + "%"; }
      var meter = field("meter");
      if (meter) { meter.setAttribute("aria-valuenow", String(Math.round(share))); }
    }
    var at = order.indexOf(job.phase);
    box.querySelectorAll("[data-phase]").forEach(function (item, i) {
      item.classList.toggle("is-done", at > i);
      item.classList.toggle("is-current", at === i);
      if (at === i) { item.setAttribute("aria-current", "step"); } else { item.removeAttribute("aria-current"); }
    });
    if (job.phase && job.phase !== lastPhase && lastPhase !== null) {
      set("announce", PHASE_WORDS[job.phase] || job.phase);
    }
    lastPhase = job.phase;
    (job.figures || []).forEach(function (figure) {
      var row = box.querySelector("[data-figure='" + figure.name + "']");
      if (!row) { return; }
      var unit = figure.name === "travel" ? " km" : "";
      set("value", figure.value + unit, row);
      set("bound", figure.bound + unit, row);
      var proven = field("proven", row);
      var wanted = tag(figure.proven);
      if (proven && proven.innerHTML !== wanted) { proven.innerHTML = wanted; }
    });
    set("hint", "This page updates itself every second.");
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        if (job.status !== "queued" && job.status !== "running") {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        set("hint", "Could not reach Muster just now; trying again. Refresh the page if this stays.");
        window.setTimeout(poll, Math.min(10000, 1000 * (failures + 1)));
      });
  }

  window.setTimeout(poll, 1000);
})();
