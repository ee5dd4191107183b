/* The meeting page's evidence panel (templates/evidence/_panel.html):
   uploads the chosen files one request each, with a progress bar, so a
   ward's slow Wi-Fi shows how far it got and one refused file refuses only
   itself; shows the receipt fields only for a receipt; asks before a void.
   Without script the form still works (all files in one request). */
(function () {
  "use strict";

  document.querySelectorAll("form.evidence-void").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  var form = document.getElementById("evidence-upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var kind = document.getElementById("evidence-kind");
  var receipt = document.getElementById("receipt-fields");
  var input = document.getElementById("evidence-file");
  var progress = document.getElementById("evidence-progress");
  var results = document.getElementById("evidence-results");
  var submit = document.getElementById("evidence-submit");

  function showReceiptFields() {
    var isReceipt = kind.value === "receipt";
    receipt.classList.toggle("d-none", !isReceipt);
    receipt.disabled = !isReceipt;  // a hidden field is not sent
    receipt.querySelectorAll("select, input").forEach(function (field) { field.required = isReceipt; });
  }
  kind.addEventListener("change", showReceiptFields);
  showReceiptFields();

  function note(text, ok) {
    var item = document.createElement("li");
    item.className = ok ? "text-success" : "text-danger";
    item.textContent = (ok ? "✓ " : "✗ ") + text;
    results.appendChild(item);
  }

  function send(file, done) {
    var data = new FormData(form);
    data.delete("file");
    data.append("file", file, file.name);
    var request = new XMLHttpRequest();
    request.open("POST", form.dataset.oneUrl);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { progress.value = Math.round(event.loaded / event.total * 100); }
    });
    request.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
      if (request.status === 201) {
        note(file.name + " — " + form.dataset.done, true);
        done(true);
      } else {
        note(file.name + " — " + form.dataset.failed + ": " + (answer.message || request.status), false);
        done(false);
      }
    });
    request.addEventListener("error", function () {
      note(file.name + " — " + form.dataset.failed, false);
      done(false);
    });
    progress.value = 0;
    request.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { return; }
    submit.disabled = true;
    progress.classList.remove("d-none");
    results.textContent = "";
    var failures = 0;
    (function next(index) {
      if (index >= files.length) {
        submit.disabled = false;
        if (!failures) { window.location.reload(); }
        return;
      }
      send(files[index], function (ok) {
        if (!ok) { failures += 1; }
        next(index + 1);
      });
    })(0);
  });
})();
