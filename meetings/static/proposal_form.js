/* The proposal form's live figures: posts the form to the preview endpoint
   as the user types and shows the total, the warnings and the cap errors it
   returns. Every rule is on the server; this file only displays. */
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var total = document.getElementById("budget-total");
  var warnings = document.getElementById("preview-warnings");
  var errors = document.getElementById("preview-errors");
  var hospital = document.getElementById("hospital_id");
  var department = document.getElementById("department_id");
  var timer = null;
  var sent = 0;

  function show(data) {
    total.textContent = data.total;
    warnings.replaceChildren();
    (data.warnings || []).forEach(function (text) {
      var li = document.createElement("li");
      li.className = "preview-warning";
      li.textContent = "⚠ " + text;
      warnings.appendChild(li);
    });
    errors.replaceChildren();
    Object.keys(data.errors || {}).forEach(function (field) {
      var div = document.createElement("div");
      div.className = "preview-error";
      div.setAttribute("data-field", field);
      div.textContent = data.errors[field];
      errors.appendChild(div);
    });
  }

  function refresh() {
    var mine = ++sent;
    var body = new FormData(form);
    var token = body.get("csrf_token") || "";
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": token, "Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        return type.indexOf("application/json") === 0 ? response.json() : null;
      })
      .then(function (data) { if (data && mine === sent) { show(data); } })
      .catch(function () { /* the figures refresh on the next keystroke */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  /* Only the chosen hospital's departments are offered. */
  function filterDepartments() {
    if (!hospital || !department) { return; }
    Array.prototype.forEach.call(department.options, function (option) {
      var owner = option.getAttribute("data-hospital");
      var hide = owner !== null && hospital.value !== "" && owner !== hospital.value;
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) { department.value = ""; }
    });
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (hospital) { hospital.addEventListener("change", filterDepartments); }
  filterDepartments();
  refresh();
})();
