/* Progressive enhancement for resident pages; everything works without it. */
(function () {
  "use strict";
  // Enter that confirms a Japanese IME conversion must not submit the form.
  document.querySelectorAll("form[data-ime-guard]").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.isComposing || event.keyCode === 229)) {
        event.preventDefault();
      }
    });
  });
  // Refine time on task with the browser's own clock (the server keeps its measure as the bound).
  var started = Date.now();
  var clientSeconds = document.querySelector("input[name=client_seconds]");
  if (clientSeconds) {
    clientSeconds.form.addEventListener("submit", function () {
      clientSeconds.value = ((Date.now() - started) / 1000).toFixed(1);
    });
  }
  // Ask for a comment more prominently when the task was hard (ease 4 or lower).
  var prompt = document.getElementById("comment-prompt");
  if (prompt) {
    document.querySelectorAll("input[name=seq]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        prompt.hidden = Number(radio.value) > 4;
      });
    });
  }
  // Move focus to the error summary so screen-reader users hear what to fix.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
