/* Progressive enhancement for the facilitator board: without JavaScript the "refresh" link does the same.
   Every few seconds the board (and its "as of" time) is fetched again and swapped in, unless keyboard focus
   is inside the board (so nobody loses their place) or the tab is hidden. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-auto-refresh]");
  var board = document.getElementById("board");
  if (!holder || !board || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(holder.getAttribute("data-auto-refresh"), 10) || 10;
  var note = holder.querySelector(".auto-refresh-note");
  if (note) { note.hidden = false; }
  function refresh() {
    if (document.hidden || board.contains(document.activeElement)) { return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("board");
        var time = page.getElementById("board-refreshed");
        if (fresh && !board.contains(document.activeElement)) { board.innerHTML = fresh.innerHTML; }
        if (time) { document.getElementById("board-refreshed").textContent = time.textContent; }
      })
      .catch(function () { /* the link still works */ });
  }
  window.setInterval(refresh, seconds * 1000);
})();
