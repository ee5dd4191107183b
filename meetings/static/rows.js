/* "Add a row" for repeated form rows (summary questions and spend lines):
   clones the last row of [data-rows=NAME], renumbering NAME-<i>-field names,
   and clears it. Without JavaScript the page still offers a few blank rows. */
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var name = button.getAttribute("data-add-row");
    var box = document.querySelector('[data-rows="' + name + '"]');
    if (!box) { return; }
    button.hidden = false;
    var pattern = new RegExp("^" + name + "-(\\d+)-");
    button.addEventListener("click", function () {
      var rows = box.querySelectorAll("[data-row]");
      var last = rows[rows.length - 1];
      var next = 0;
      box.querySelectorAll("[name]").forEach(function (field) {
        var m = pattern.exec(field.name);
        if (m) { next = Math.max(next, Number(m[1]) + 1); }
      });
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace(pattern, name + "-" + next + "-");
        if (field.tagName === "SELECT") { field.selectedIndex = 0; } else { field.value = ""; }
        field.classList.remove("is-invalid");
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      box.appendChild(copy);
      var first = copy.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
