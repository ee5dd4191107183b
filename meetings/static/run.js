/* Run-of-show clock: the running segment's elapsed time against its plan,
   turning red on overrun. Times come from the server (epoch ms) and are
   corrected for the device's clock offset. No dependencies. */
(function () {
  "use strict";
  var box = document.getElementById("run-clock");
  if (!box) { return; }
  var offset = Number(box.dataset.serverNow) - Date.now();
  var started = box.dataset.started ? Number(box.dataset.started) : null;
  var planned = box.dataset.planned ? Number(box.dataset.planned) : 0;
  var zone = Number(box.dataset.utcOffset || 0) * 1000;  // the deployment's zone, not the device's
  var elapsedEl = document.getElementById("elapsed");
  var wallEl = document.getElementById("wall-clock");

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function mmss(seconds) { return Math.floor(seconds / 60) + ":" + pad(seconds % 60); }

  function tick() {
    var now = Date.now() + offset;
    if (wallEl) {
      var d = new Date(now + zone);
      wallEl.textContent = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
    }
    if (started !== null && elapsedEl) {
      var seconds = Math.max(0, Math.floor((now - started) / 1000));
      elapsedEl.textContent = mmss(seconds);
      box.classList.toggle("overrun", planned > 0 && seconds > planned);
    }
  }
  tick();
  window.setInterval(tick, 500);
})();

/* The running row's elapsed time and the day's progress against the planned
   total count along with the clock. */
(function () {
  "use strict";
  var box = document.getElementById("run-clock");
  if (!box) { return; }
  var offset = Number(box.dataset.serverNow) - Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function mmss(seconds) { return Math.floor(seconds / 60) + ":" + pad(seconds % 60); }
  function since(ms) { return Math.max(0, Math.floor((Date.now() + offset - ms) / 1000)); }
  var rows = Array.prototype.slice.call(document.querySelectorAll(".run-row-elapsed[data-since]"));
  var progress = document.getElementById("run-progress");

  function tick() {
    rows.forEach(function (el) { el.textContent = mmss(since(Number(el.dataset.since))); });
    if (progress && progress.dataset.since) {
      var total = Number(progress.dataset.finished) + since(Number(progress.dataset.since));
      var planned = Number(progress.dataset.planned);
      var percent = planned ? Math.round(total * 100 / planned) : 0;
      document.getElementById("progress-elapsed").textContent = mmss(total);
      document.getElementById("progress-percent").textContent = percent + "%";
      var bar = document.getElementById("progress-bar");
      bar.value = Math.min(total, planned);
      bar.classList.toggle("overrun", percent > 100);
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();
