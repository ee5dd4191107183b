/* A "copy" button: <button data-copy="#id" data-copied="Copied"> copies the
   value of the input it names. No inline script (the CSP allows none). */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    var label = button.textContent;
    function done() {
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(target.value).then(done, function () {
          target.select(); document.execCommand("copy"); done();
        });
      } else {  // plain-HTTP intranets have no clipboard API
        target.select();
        document.execCommand("copy");
        done();
      }
    });
  });
})();
