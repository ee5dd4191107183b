/* The QR sign-in page: the signature pad (vendored signature_pad), and the
   name/title fields for someone who is not on the list. */
(function () {
  "use strict";
  var form = document.getElementById("self-checkin");
  if (!form) return;
  var canvas = document.getElementById("pad");
  var pad = new SignaturePad(canvas, { penColor: "#000", minWidth: 0.8, maxWidth: 2.4 });

  function resize() { // crisp on high-density screens; resizing clears, so keep the strokes
    var data = pad.toData();
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();
  document.getElementById("clear").addEventListener("click", function () { pad.clear(); });

  var who = document.getElementById("doctor_id");
  var walkIn = document.getElementById("walk-in");
  function toggle() { walkIn.hidden = who.value !== "walk-in"; }
  who.addEventListener("change", toggle);
  toggle();

  form.addEventListener("submit", function () {
    document.getElementById("signature").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    form.querySelector("button[type=submit]").disabled = true; // the nonce makes a resubmit harmless anyway
  });
})();
